/**
 * The ledger's edges, on every adapter (dynalite, memory, LevelDB), beyond the store contract in
 * store.test.ts: records it cannot read (a newer version's format, corruption) never make it act
 * twice or trust a holder it cannot name; staged data whose parts do not add up is refused; asking
 * for nothing costs nothing; other tenants' chat records stay invisible. Then what only one engine
 * can do wrong: DynamoDB's errors leave lib/store as StoreRequestError, LevelDB's as StateOpenError.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { STAGE_PART_CHARS, type StoreBase } from '../../lib/store/base.js';
import { ensureTable } from '../../lib/store/dynamo.js';
import { StoreError, StoreRequestError, UnreadableStagedDataError } from '../../lib/store/errors.js';
import { createStore, dynamoClient } from '../../lib/store/factory.js';
import { LevelStore, StateLockedError, StateOpenError } from '../../lib/store/level.js';
import { describeFirst } from '../../lib/store/records.js';
import { NAMESPACE, rawDelete, rawPut, storeAdapters } from '../helpers/store-adapters.js';

const adapters = storeAdapters();

const NOW = new Date('2026-11-23T12:00:00.000Z');
const LATER = new Date('2026-11-23T13:00:00.000Z');
const DAY_MS = 86_400_000;

/** Store requests `act` sent. */
async function cost(store: StoreBase, act: () => Promise<unknown>): Promise<number> {
  const before = store.requests;
  await act();
  return store.requests - before;
}

/** Calls one of the adapter's protected storage primitives directly (the base's contract with its adapters). */
function primitive(store: StoreBase, name: '_get' | '_update' | '_delete' | '_add', ...args: unknown[]): Promise<unknown> {
  return Reflect.apply(Reflect.get(store, name) as (...a: unknown[]) => Promise<unknown>, store, args);
}

/** Text gzip cannot shrink much: base64 of random bytes, long enough for `parts` staged parts. */
function incompressible(parts: number): string {
  return randomBytes(Math.ceil((STAGE_PART_CHARS * (parts - 0.5)) / 1.05)).toString('base64');
}

describe.each([adapters.dynalite, adapters.memory, adapters.leveldb])('Store edges: $name', ({ make, sibling }) => {
  it('asks the engine nothing for a limit of 0: no runs, no plans, no request', async () => {
    const store = await make();
    await store.recordRun({
      runId: 'r1',
      trigger: 'cli',
      startedAt: NOW.toISOString(),
      finishedAt: NOW.toISOString(),
      dryRun: true,
      planHash: 'h',
      summary: 's',
    });
    await store.recordPlan({ hash: 'abc123', requester: 'u1', createdAt: NOW.toISOString(), expiresAt: LATER.toISOString(), runId: 'r1' });
    expect(await cost(store, async () => expect(await store.recentRuns(0)).toEqual([]))).toBe(0);
    expect(await cost(store, async () => expect(await store.findPlans('abc', 0)).toEqual([]))).toBe(0);
    // The same calls with a limit do find them: the zero answers are not an empty store.
    expect((await store.recentRuns(1)).map((r) => r.runId)).toEqual(['r1']);
    expect((await store.findPlans('abc', 1)).map((p) => p.hash)).toEqual(['abc123']);
  });

  it('refuses the run lock while a lock record it cannot read is there, naming no holder it cannot read', async () => {
    const store = await make();
    await rawPut(store, { pk: `${NAMESPACE}#LOCK`, sk: 'RUN', owner: 42, leaseUntil: LATER.getTime() });
    expect(await store.acquireLock('run-1', LATER, NOW)).toEqual({ acquired: false, holder: undefined });
  });

  it('treats a trigger record it cannot read as a duplicate: never runs twice because of it', async () => {
    const store = await make();
    await rawPut(store, { pk: `${NAMESPACE}#TRIGGER#evt-1`, sk: 'TRIGGER', state: 'done', format: 2 });
    expect(await store.beginTrigger('evt-1', 'run-2', NOW, LATER)).toEqual({
      kind: 'duplicate',
      earlier: expect.objectContaining({ triggerId: 'evt-1', runId: 'unknown', summary: 'unreadable trigger record' }),
    });
  });

  it('reads staged data of several parts back whole, and refuses it when a rewrite was interrupted between parts', async () => {
    const store = await make();
    const text = incompressible(2);
    await store.putStaged('run-1', 'plan g1', text, NOW);
    expect(await store.getStaged('run-1', 'plan g1')).toBe(text);
    // A retried step rewrote part 1 under a new write id and died before its first part.
    await rawPut(store, {
      pk: `${NAMESPACE}#STAGE#run-1`,
      sk: `${encodeURIComponent('plan g1')}|0001`,
      data: 'AAAA',
      parts: 2,
      writeId: 'interrupted-rewrite',
    });
    const refused = store.getStaged('run-1', 'plan g1');
    await expect(refused).rejects.toBeInstanceOf(UnreadableStagedDataError);
    await expect(refused).rejects.toMatchObject({ runId: 'run-1', stagedName: 'plan g1' });
    // Another name of the same run is untouched.
    expect(await store.getStaged('run-1', 'verdict')).toBeUndefined();
  });

  it("refuses a group run while the tenant's run lock record cannot be read, and leaves no group lock behind", async () => {
    const store = await make();
    await rawPut(store, { pk: `${NAMESPACE}#LOCK`, sk: 'RUN', owner: 42, leaseUntil: LATER.getTime() });
    expect(await store.groupLock('g1').acquireLock('run-1:g1', LATER, NOW)).toMatchObject({ acquired: false, holder: undefined });
    // The group lock taken on the way was given back: another owner gets it at once.
    await rawDelete(store, { pk: `${NAMESPACE}#LOCK`, sk: 'RUN' });
    expect(await store.groupLock('g1').acquireLock('run-2:g1', LATER, NOW)).toEqual({ acquired: true });
  });

  it("a group run that releases its lock after its lease passed leaves a tenant-wide run's lock alone", async () => {
    const store = await make();
    const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);
    expect(await store.groupLock('g1').acquireLock('run-1:g1', minutes(1), NOW)).toEqual({ acquired: true });
    // The group run's lease (and with it the group runs' mark) has passed: a tenant-wide run takes the lock.
    expect(await store.acquireLock('tenant-run', minutes(10), minutes(2))).toEqual({ acquired: true });
    await store.groupLock('g1').releaseLock('run-1:g1');
    expect(await store.renewLock('tenant-run', minutes(20))).toBe(true);
    expect(await store.acquireLock('another-run', minutes(30), minutes(3))).toMatchObject({
      acquired: false,
      holder: { owner: 'tenant-run', leaseUntil: minutes(20).getTime() },
    });
  });

  it('keeps the storage primitives the base relies on: an unconditional update needs the record, an unconditional delete always succeeds', async () => {
    const store = await make();
    const key = { pk: `${NAMESPACE}#PRIMITIVE`, sk: 'one' };
    expect(await primitive(store, '_update', key, { n: 1 })).toBe(false);
    expect(await primitive(store, '_get', key)).toBeUndefined();
    await rawPut(store, { ...key, n: 0 });
    expect(await primitive(store, '_update', key, { n: 2 })).toBe(true);
    expect(await primitive(store, '_get', key)).toMatchObject({ n: 2 });
    // An add without other fields creates the record with just the counter.
    await primitive(store, '_add', { pk: `${NAMESPACE}#PRIMITIVE`, sk: 'two' }, 'n', 5, {});
    expect(await primitive(store, '_get', { pk: `${NAMESPACE}#PRIMITIVE`, sk: 'two' })).toMatchObject({ n: 5 });
    expect(await primitive(store, '_delete', key)).toBe(true);
    expect(await primitive(store, '_delete', key)).toBe(true);
    expect(await primitive(store, '_get', key)).toBeUndefined();
  });

  it('keeps a notice whose end cannot be read for two weeks from when it was given, then forgets it', async () => {
    const store = await make();
    const notice = {
      group: 'g1',
      type: 'deployments' as const,
      id: 'dep-0001',
      ruleId: 'idle',
      action: 'stop' as const,
      noticedAt: NOW.toISOString(),
      actAfter: 'when the team says so',
      snoozedBy: null,
      snoozeReason: null,
    };
    await store.writeNotices({ record: [notice], drop: [] });
    const noticesAt = async (days: number) =>
      Object.keys((await store.observations(['g1'], new Date(NOW.getTime() + days * DAY_MS), { notices: true })).notices ?? {});
    expect(await noticesAt(13)).toEqual(['g1#deployments#dep-0001']);
    expect(await noticesAt(15)).toEqual([]);
  });

  it("never finds another tenant's plan, even under the same hash prefix", async () => {
    const store = await make();
    const other = sibling(store, 'T#other@host');
    await other.recordPlan({ hash: 'abc999', requester: 'u2', createdAt: NOW.toISOString(), expiresAt: LATER.toISOString(), runId: 'r9' });
    expect(await store.findPlans('abc', 5)).toEqual([]);
    expect((await other.findPlans('abc', 5)).map((p) => p.hash)).toEqual(['abc999']);
    expect(await store.claimApproval('abc999', 'u1', NOW)).toBe(false);
  });
});

describe('what the store says about a trigger it saw before', () => {
  const first = { triggerId: 'evt-1', runId: 'r1', startedAt: NOW.toISOString(), leaseUntil: LATER.toISOString() };
  it('names a run that is still going, its result when one was recorded, else its state and run', () => {
    expect(describeFirst({ ...first, state: 'running', summary: null })).toBe(
      `still running (run r1, started ${NOW.toISOString()}; it is considered dead after ${LATER.toISOString()})`,
    );
    expect(describeFirst({ ...first, state: 'done', summary: '3 stopped' })).toBe('3 stopped');
    expect(describeFirst({ ...first, state: 'failed', summary: null })).toBe('failed (run r1)');
  });

  it('keeps the text of an engine failure that is not an Error, with the value as its cause', () => {
    const error = new StoreRequestError('get', 'socket hang up');
    expect([error.message, error.operation, error.cause, error.name]).toEqual([
      'socket hang up',
      'get',
      'socket hang up',
      'StoreRequestError',
    ]);
  });
});

describe('DynamoStore: what DynamoDB refuses leaves lib/store as a StoreRequestError', () => {
  it('every primitive (put, update, delete, query, scan, batch write, add) on a table that does not exist', async () => {
    const store = createStore({ table: 'janitor-no-such-table', region: 'us-east-1', endpoint: adapters.endpoint() }, NAMESPACE);
    const calls: Array<[string, () => Promise<unknown>]> = [
      ['query', () => store.openChunks('g1')],
      ['scan', () => store.ledger()],
      ['put', () => store.snooze('exe-0001', LATER, 'u1')],
      ['put', () => store.acquireLock('run-1', LATER, NOW)],
      ['update', () => store.renewLock('run-1', LATER)],
      ['delete', () => store.releaseLock('run-1')],
      ['batch write', () => store.recordStopped([{ group: 'g1', type: 'executions', id: 'exe-0001' }], NOW)],
      ['update', () => store.countActions(1, NOW)],
    ];
    for (const [operation, call] of calls) {
      const failed = call();
      await expect(failed, operation).rejects.toBeInstanceOf(StoreRequestError);
      await expect(failed, operation).rejects.toMatchObject({
        operation,
        cause: expect.objectContaining({ name: 'ResourceNotFoundException' }),
      });
    }
    // One base for the room: a caller can catch every store failure at once.
    await expect(store.openChunks('g1')).rejects.toBeInstanceOf(StoreError);
  });

  it('ensureTable leaves an existing table as it is, and surfaces any other refusal', async () => {
    const location = { table: 'janitor-ensure', region: 'us-east-1', endpoint: adapters.endpoint() };
    await ensureTable(dynamoClient(location), location.table);
    await expect(ensureTable(dynamoClient(location), location.table)).resolves.toBeUndefined();
    // Table names need at least 3 characters.
    await expect(ensureTable(dynamoClient(location), 'x')).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('LevelStore: what LevelDB refuses', () => {
  it('a folder that is in use fails at once with StateLockedError; one that cannot be opened with StateOpenError', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'janitor-level-edge-'));
    try {
      const first = await LevelStore.open(join(dir, 'state'), NAMESPACE);
      try {
        await expect(LevelStore.open(join(dir, 'state'), NAMESPACE)).rejects.toBeInstanceOf(StateLockedError);
      } finally {
        await first.close();
      }
      await writeFile(join(dir, 'a-file'), 'not a database');
      const refused = LevelStore.open(join(dir, 'a-file'), NAMESPACE);
      await expect(refused).rejects.toBeInstanceOf(StateOpenError);
      await expect(refused).rejects.toThrow(`cannot open the local state in ${join(dir, 'a-file')}: `);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a write it cannot encode (JSON has no BigInt) fails alone: the write queue goes on', async () => {
    const store = await adapters.leveldb.make();
    const bad = rawPut(store, { pk: `${NAMESPACE}#PRIMITIVE`, sk: 'bad', n: 1n as unknown as number });
    const next = store.countActions(2, NOW);
    await expect(bad).rejects.toThrow(/BigInt/);
    await next;
    expect((await store.observations([], NOW)).actionsToday).toBe(2);
  });

  it('views of one database under other namespaces keep their records apart, and closing twice is harmless', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'janitor-level-edge-'));
    try {
      const store = await LevelStore.open(dir, NAMESPACE);
      const other = store.forNamespace('T#other@host');
      await other.countActions(3, NOW);
      expect((await store.observations([], NOW)).actionsToday).toBe(0);
      expect((await other.observations([], NOW)).actionsToday).toBe(3);
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
