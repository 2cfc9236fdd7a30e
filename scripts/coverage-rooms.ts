/**
 * Prints coverage per room (lines, branches, functions, statements) against the floors in
 * vitest.config.ts, from the json-summary report that `npm run coverage` writes to
 * coverage/coverage-summary.json. Vitest itself enforces the floors; this only shows where each
 * room stands. Exits 2 when there is no report to read.
 *
 * Usage: npx tsx scripts/coverage-rooms.ts [coverage/coverage-summary.json]
 */
import { readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import * as z from 'zod';
import { errorMessage } from '../lib/util/errors.js';
import { COVERAGE_ROOMS, type Floor } from '../vitest.config.js';
import { runWhenExecuted } from './script-main.js';

const METRICS = ['lines', 'branches', 'functions', 'statements'] as const satisfies ReadonlyArray<keyof Floor>;

const Counts = z.object({ total: z.number(), covered: z.number() });
/** istanbul's json-summary: one entry per file (absolute path) and a `total`. */
const Summary = z.record(z.string(), z.object({ lines: Counts, branches: Counts, functions: Counts, statements: Counts }));

/** `93.4% (93)`: covered, then the floor; a `!` marks a room below its floor. */
function cell(covered: number, total: number, floor: number): string {
  const pct = total === 0 ? 100 : (100 * covered) / total;
  return `${pct.toFixed(1).padStart(5)}% (${floor})${pct < floor ? '!' : ' '}`.padEnd(14);
}

/** A header and one line per room: each metric as `covered% (floor)`, plus the file count. */
function roomLines(summary: z.infer<typeof Summary>, root: string): string[] {
  const files = Object.entries(summary).filter(([file]) => file !== 'total');
  const header = `${'room'.padEnd(12)} ${METRICS.map((metric) => metric.padEnd(14)).join('')}files`;
  return [
    header,
    ...Object.entries(COVERAGE_ROOMS).map(([room, floor]) => {
      const inRoom = files.filter(([file]) => relative(root, file).startsWith(`${room}/`));
      const cells = METRICS.map((metric) =>
        cell(
          inRoom.reduce((n, [, entry]) => n + entry[metric].covered, 0),
          inRoom.reduce((n, [, entry]) => n + entry[metric].total, 0),
          floor[metric],
        ),
      );
      return `${room.padEnd(12)} ${cells.join('')}${inRoom.length}`;
    }),
  ];
}

async function main(argv: string[]): Promise<number> {
  const path = resolve(argv[0] ?? 'coverage/coverage-summary.json');
  let summary: z.infer<typeof Summary>;
  try {
    summary = Summary.parse(JSON.parse(readFileSync(path, 'utf8')));
  } catch (error) {
    process.stderr.write(`no coverage summary at ${path} (run npm run coverage first): ${errorMessage(error)}\n`);
    return 2;
  }
  process.stdout.write(`coverage per room: % covered (floor in vitest.config.ts)\n${roomLines(summary, process.cwd()).join('\n')}\n`);
  return 0;
}

runWhenExecuted(import.meta.url, main);
