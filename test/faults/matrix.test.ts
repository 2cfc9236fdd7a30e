/**
 * Runs every row of the fault matrix and holds each RowResult to the same assertions. A row's own
 * expectations (inside its `run`) come first; then each common assertion must report nothing.
 * Test names are the row ids (docs/RELIABILITY.md is matched to results by them).
 */
import { expect, it } from 'vitest';
import { COMMON_ASSERTIONS, MATRIX } from './matrix.js';
import { RowContext } from './context.js';

it.each(MATRIX.map((row) => [row.id, row] as const))(
  '%s',
  async (_id, row) => {
    const ctx = new RowContext();
    ctx.captureStdio();
    try {
      const result = await row.run(ctx);
      const broken = Object.fromEntries(COMMON_ASSERTIONS.map((a) => [a.id, a.check(result)]));
      expect(broken).toEqual(Object.fromEntries(COMMON_ASSERTIONS.map((a) => [a.id, []])));
    } finally {
      await ctx.dispose();
    }
  },
  30_000,
);
