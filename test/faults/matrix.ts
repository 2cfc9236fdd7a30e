/**
 * The fault matrix, as data: one row per injected fault or bad input, each with what it injects
 * and what it guarantees, and a `run` that drives the local stack and returns a RowResult. Every
 * row is held to the same COMMON_ASSERTIONS (matrix.test.ts); docs/RELIABILITY.md is generated
 * from these definitions by `npm run reliability`.
 */
import { COMMON_ASSERTIONS } from './assertions.js';
import type { MatrixRow } from './row.js';
import { apiRows } from './rows-api.js';
import { inputRows } from './rows-input.js';
import { stateRows } from './rows-state.js';
import { boundaryRows } from './rows-boundaries.js';

const ROWS: readonly MatrixRow[] = [...apiRows, ...stateRows, ...inputRows, ...boundaryRows];

/** Rows of one area together (areas in order of first appearance), as docs/RELIABILITY.md lists them. */
const MATRIX: readonly MatrixRow[] = [...new Set(ROWS.map((r) => r.area))].flatMap((area) => ROWS.filter((r) => r.area === area));

export { MATRIX, COMMON_ASSERTIONS };
export type { MatrixRow };
