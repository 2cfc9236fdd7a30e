/**
 * Bounded fan-out for any room: a fixed number of tasks in flight, results in input order. (The
 * adaptive, per-host limit that AI Core's throttling needs lives in lib/aicore/limiter.ts.)
 */
import { UtilArgumentError } from './errors.js';

/**
 * Runs `fn` over `items` with at most `limit` in flight, keeping input order in the result. The
 * first rejection rejects the whole call (as `Promise.all` does); tasks already started finish.
 *
 * @example
 * const listings = await mapLimited(groups, 4, (group) => client.list(group));
 */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new UtilArgumentError('limit', `concurrency limit must be a positive integer, got ${limit}`);
  const results = new Array<R>(items.length);
  let next = 0;
  // Each worker takes the next index until none is left: never more than `limit` tasks at once.
  async function worker(): Promise<void> {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await fn(items[index] as T, index);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export { mapLimited };
