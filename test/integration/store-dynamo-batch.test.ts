/**
 * DynamoDB's BatchWriteItem may hand part of a batch back as unprocessed (throttling). DynamoStore
 * re-sends that part with a growing back-off and gives up, loudly, after MAX_BATCH_ROUNDS. dynalite
 * never throttles, so a middleware hands back the last items of a batch as unprocessed, the way
 * DynamoDB does; the engine still wrote them, and re-sending a put or a delete is harmless. The
 * back-off is recorded instead of slept.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startDynalite, type LocalDynamo } from '../../infra/local/dynamodb.js';
import { DynamoStore, ensureTable } from '../../lib/store/dynamo.js';
import { UnprocessedWritesError } from '../../lib/store/errors.js';
import { sleep } from '../../lib/util/time.js';

vi.mock('../../lib/util/time.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../lib/util/time.js')>();
  return { ...original, sleep: vi.fn(() => Promise.resolve()) };
});

const NOW = new Date('2026-11-23T12:00:00.000Z');

let dynamo: LocalDynamo | undefined;
let tableNo = 0;
beforeAll(async () => {
  dynamo = await startDynalite();
});
afterAll(async () => {
  await dynamo?.stop();
});
beforeEach(() => {
  vi.mocked(sleep).mockClear();
});

/** A client of the shared dynalite and a table of its own. */
async function freshTable(): Promise<{ client: DynamoDBClient; table: string }> {
  if (dynamo === undefined) throw new Error('dynalite is not running');
  const client = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: dynamo.endpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  tableNo += 1;
  const table = `janitor-batch-${tableNo}`;
  await ensureTable(client, table);
  return { client, table };
}

/**
 * A store whose n-th batch write gets the last `unprocessed[n]` of its requests handed back
 * (0 when the list has run out, or `always` for every call).
 */
async function throttledStore(unprocessed: number[] | { always: number }): Promise<DynamoStore> {
  const { client, table } = await freshTable();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      if (!/BatchWrite/.test(context.commandName ?? '')) return result;
      const count = Array.isArray(unprocessed) ? (unprocessed.shift() ?? 0) : unprocessed.always;
      const requests = (args.input as { RequestItems: Record<string, unknown[]> }).RequestItems[table] ?? [];
      Object.assign(result.output as object, { UnprocessedItems: count === 0 ? {} : { [table]: requests.slice(-count) } });
      return result;
    },
    { step: 'initialize', name: 'handBackUnprocessed' },
  );
  return new DynamoStore(client, table, 'T#ns@host');
}

const items = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ group: 'g1', type: 'executions' as const, id: `exe-${String(i).padStart(4, '0')}` }));

describe('DynamoStore batch writes under throttling', () => {
  it('re-sends what comes back unprocessed, backing off 100 ms, then 200 ms, until everything is written', async () => {
    const store = await throttledStore([10, 3]);
    const before = store.requests;
    await store.recordStopped(items(25), NOW);
    expect(store.requests - before).toBe(3);
    expect(vi.mocked(sleep).mock.calls.map(([ms]) => ms)).toEqual([100, 200]);
    expect(Object.keys((await store.observations(['g1'], NOW)).firstSeenStopped)).toHaveLength(25);
  });

  it('gives up after 8 rounds with UnprocessedWritesError, saying how many writes were left', async () => {
    const store = await throttledStore({ always: 5 });
    const before = store.requests;
    const failed = store.recordStopped(items(20), NOW);
    await expect(failed).rejects.toBeInstanceOf(UnprocessedWritesError);
    await expect(failed).rejects.toMatchObject({ unprocessed: 5, rounds: 8 });
    expect(store.requests - before).toBe(8);
    expect(vi.mocked(sleep).mock.calls.map(([ms]) => ms)).toEqual([100, 200, 400, 800, 1600, 3200, 6400]);
  });
});

/** A store whose batch writes are watched: how many are in flight, and an optional failure for the n-th. */
async function watchedStore(failAt?: number): Promise<{ store: DynamoStore; started: () => number; peak: () => number }> {
  const { client, table } = await freshTable();
  let started = 0;
  let inFlight = 0;
  let peak = 0;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!/BatchWrite/.test(context.commandName ?? '')) return next(args);
      started += 1;
      const mine = started;
      inFlight += 1;
      peak = Math.max(peak, inFlight);
      try {
        // Long enough that batches sent together overlap.
        await new Promise((resolve) => setTimeout(resolve, 20));
        if (mine === failAt) throw new Error('the table went away');
        return await next(args);
      } finally {
        inFlight -= 1;
      }
    },
    { step: 'initialize', name: 'watchBatches' },
  );
  return { store: new DynamoStore(client, table, 'T#ns@host'), started: () => started, peak: () => peak };
}

describe('DynamoStore independent batch writes', () => {
  it('records thousands of STOPPED items four batches at a time, every one of them', async () => {
    const { store, peak } = await watchedStore();
    await store.recordStopped(items(300), NOW);
    expect(peak()).toBe(4);
    expect(Object.keys((await store.observations(['g1'], NOW)).firstSeenStopped)).toHaveLength(300);
  });

  it('starts no batch after one failed, and rejects only once those in flight have settled', async () => {
    const { store, started, peak } = await watchedStore(1);
    await expect(store.recordStopped(items(300), NOW)).rejects.toThrow('the table went away');
    const atRejection = started();
    // The first four went out together; none after the failure was seen.
    expect(atRejection).toBe(4);
    expect(peak()).toBe(4);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(started()).toBe(atRejection);
  });
});
