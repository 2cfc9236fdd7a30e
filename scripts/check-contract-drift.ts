/**
 * The contract drift check, run by CI where SAP's official spec is at hand: re-derives the AI API
 * contract from AI_CORE_API.yaml (default ../shared/ai-api/AI_CORE_API.yaml) and fails if the
 * committed infra/ai-api/contract.json differs in any byte, naming the JSON paths that differ. It is
 * a script, not a test, so that a clone without the official copy runs the whole suite with nothing
 * skipped. Exit codes: 0 equal, 1 drifted (re-derive with `npm run contract:derive` and review the
 * diff), 2 the spec or the contract cannot be read.
 *
 * Usage: npm run contract:drift [-- path/to/AI_CORE_API.yaml]
 */
import { readFileSync } from 'node:fs';
import { contractPath } from '../infra/local/simulator/contract.js';
import { errorMessage } from '../lib/util/errors.js';
import { contractJson, DEFAULT_SPEC } from './derive-ai-api-contract.js';
import { runWhenExecuted } from './script-main.js';

/** How many differing paths are printed; the rest are counted. */
const SHOWN = 20;

/** JSON paths where two parsed documents differ (a value, a missing key, a different array length). */
function differences(committed: unknown, derived: unknown, path = ''): string[] {
  if (typeof committed !== 'object' || committed === null || typeof derived !== 'object' || derived === null) {
    return Object.is(committed, derived) ? [] : [path || '/'];
  }
  if (Array.isArray(committed) !== Array.isArray(derived)) return [path || '/'];
  const keys = new Set([...Object.keys(committed), ...Object.keys(derived)]);
  return [...keys].flatMap((key) =>
    differences(
      Object.getOwnPropertyDescriptor(committed, key)?.value,
      Object.getOwnPropertyDescriptor(derived, key)?.value,
      `${path}/${key}`,
    ),
  );
}

function read(path: string): string | Error {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    return new Error(`cannot read ${path}: ${errorMessage(error)}`);
  }
}

function unreadable(error: Error): number {
  process.stderr.write(`contract drift check: ${error.message}\n`);
  return 2;
}

async function main(argv: string[]): Promise<number> {
  const specPath = argv[0] ?? DEFAULT_SPEC;
  const target = contractPath();
  const spec = read(specPath);
  if (spec instanceof Error) return unreadable(spec);
  const committed = read(target);
  if (committed instanceof Error) return unreadable(committed);
  const derived = contractJson(spec);
  if (derived === committed) {
    process.stdout.write(`contract drift check: ${target} is exactly what ${specPath} derives to\n`);
    return 0;
  }
  const paths = differences(JSON.parse(committed), JSON.parse(derived));
  const listed = paths.slice(0, SHOWN).map((path) => `  ${path}\n`);
  const more = paths.length > SHOWN ? [`  … and ${paths.length - SHOWN} more\n`] : [];
  process.stderr.write(
    [
      `contract drift check: ${target} differs from what ${specPath} derives to`,
      paths.length === 0 ? ' (same content, different formatting)\n' : ` at ${paths.length} path(s):\n`,
      ...listed,
      ...more,
      'Re-derive with `npm run contract:derive`, review the diff, and commit it with the code it affects.\n',
    ].join(''),
  );
  return 1;
}

runWhenExecuted(import.meta.url, main);
