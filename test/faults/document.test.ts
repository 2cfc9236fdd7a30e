/** docs/RELIABILITY.md lists exactly the matrix's rows, so the document cannot drift from the suite. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMON_ASSERTIONS, MATRIX } from './matrix.js';

const doc = readFileSync(new URL('../../docs/RELIABILITY.md', import.meta.url), 'utf8');

describe('docs/RELIABILITY.md', () => {
  it('lists exactly the rows of the matrix, each once, in order', () => {
    const listed = [...doc.matchAll(/^\| `([a-z0-9-]+)` /gm)].map((m) => m[1]);
    expect(listed).toEqual(MATRIX.map((r) => r.id));
  });

  it('states every common assertion', () => {
    for (const a of COMMON_ASSERTIONS) expect(doc).toContain(`- **${a.id}**: ${a.text}`);
  });

  it('has unique row ids', () => {
    expect(new Set(MATRIX.map((r) => r.id)).size).toBe(MATRIX.length);
  });
});
