/**
 * lib/policy is the pure room: no file, network or environment access, no clock (callers pass `now`).
 * The schema writers live in scripts/; this keeps anything that does I/O from creeping back in.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOM = new URL('../../lib/policy/', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

const IMPURE = [
  /from 'node:(fs|fs\/promises|net|http|https|child_process|os)'/,
  /\bprocess\.(env|argv|stdout|stderr|exit)\b/,
  /\bDate\.now\(\)|new Date\(\)/,
  /\bfetch\(/,
];

describe('Room: lib/policy', () => {
  it('has sources to check', () => {
    expect(sources(ROOM).length).toBeGreaterThan(10);
  });

  it.each(sources(ROOM).map((file) => [file.slice(ROOM.length), file]))('%s does no I/O and reads no clock', (_name, file) => {
    // Comments are left out: TSDoc examples show callers doing I/O.
    const text = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    for (const pattern of IMPURE) expect(text, `${file} matches ${pattern}`).not.toMatch(pattern);
  });
});
