/** The shape of a matrix row, and small helpers the rows share. Vitest-free. */
import { createServer } from 'node:net';
import type { GuardedResult } from '../../lib/run/guarded-run.js';
import type { RowContext, RowResult } from './context.js';

interface MatrixRow {
  /** Stable, kebab-case; the document and the test name rows by it. */
  id: string;
  /** Which part of the list the row belongs to. */
  area: string;
  title: string;
  /** What is injected, in one sentence. */
  injects: string;
  /** What the row proves beyond the common assertions. */
  guarantees: string[];
  run: (ctx: RowContext) => Promise<RowResult>;
}

class RowCheckError extends Error {
  override name = 'RowCheckError';
}

/** A row's own expectation; throws with `message` when it does not hold. */
function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new RowCheckError(message);
}

function done(result: GuardedResult): Extract<GuardedResult, { status: 'done' }> {
  check(result.status === 'done', `expected a run, got ${result.status}: ${JSON.stringify(result).slice(0, 300)}`);
  return result;
}

/** A loopback port nothing listens on (connections to it are refused). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Mutations the simulator logged (PATCH and DELETE), for "nothing was sent" checks. */
function mutationsLogged(ctx: RowContext): number {
  return ctx.stack.simulator.requests.entries.filter((e) => e.method === 'PATCH' || e.method === 'DELETE').length;
}

export { check, done, closedPort, mutationsLogged, RowCheckError };
export type { MatrixRow };
