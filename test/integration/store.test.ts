/**
 * One contract for every store adapter, run against DynamoStore on dynalite (a real DynamoDB
 * protocol engine), MemoryStore and LevelStore (the CLI's embedded LevelDB), as Powertools tests
 * its front doors for parity with `it.each`. What one adapter does, the other must do too — including what each call costs in
 * requests, which is what the store budget is built on.
 */
import { describe, expect, it } from 'vitest';
import type { StoreBase } from '../../lib/store/base.js';
import { IllegalLedgerMoveError, LedgerConflictError, UnreadableLedgerError } from '../../lib/store/errors.js';
import type { ItemState, LedgerChunk, LedgerItem, RunRecord } from '../../lib/store/records.js';
import type { Notice } from '../../lib/policy/notices.js';
import { rawPut, storeAdapters } from '../helpers/store-adapters.js';

// ── adapters (test/helpers/store-adapters.ts) ───────────────────────────────────────────────────

const { dynalite, memory, leveldb } = storeAdapters();

// ── fixtures ────────────────────────────────────────────────────────────────────────────────────

const T0 = new Date('2026-11-23T12:00:00.000Z');
const MINUTE = 60_000;

function at(ms: number): Date {
  return new Date(T0.getTime() + ms);
}

function ledgerItem(id: string, state: ItemState = 'submitting', targetStatus: LedgerItem['targetStatus'] = 'STOPPED'): LedgerItem {
  return { id, targetStatus, state, attempt: 1, sentAt: T0.toISOString(), updatedAt: T0.toISOString(), message: null };
}

function newChunk(chunkId: string, items: LedgerItem[], extra: Partial<LedgerChunk> = {}): LedgerChunk {
  return {
    chunkId,
    group: 'team-a',
    type: 'executions',
    runId: 'run-1',
    planHash: 'h1',
    createdAt: T0.toISOString(),
    version: 0,
    items,
    ...extra,
  };
}

/** The chunk with every item moved to `state`. */
function moved(chunk: LedgerChunk, state: ItemState): LedgerChunk {
  return { ...chunk, items: chunk.items.map((i) => ({ ...i, state, updatedAt: at(MINUTE).toISOString() })) };
}

/** `n` chunks `c000`, `c001`, … of one `submitting` item each, created a second apart. */
function chunks(n: number, group = 'team-a'): LedgerChunk[] {
  return Array.from({ length: n }, (_, i) => {
    const no = String(i).padStart(3, '0');
    return newChunk(`c${no}`, [ledgerItem(`e${no}0001`)], { group, createdAt: at(i * 1000).toISOString() });
  });
}

function run(runId: string, startedAt: string): RunRecord {
  return { runId, trigger: 'cli', startedAt, finishedAt: startedAt, dryRun: true, planHash: 'h', summary: `run ${runId}` };
}

function stoppedItems(n: number, group = 'team-a'): Array<{ group: string; type: 'executions'; id: string }> {
  return Array.from({ length: n }, (_, i) => ({ group, type: 'executions' as const, id: `e${String(i).padStart(7, '0')}` }));
}

/** Store requests `act` sent. */
async function cost(store: StoreBase, act: () => Promise<unknown>): Promise<number> {
  const before = store.requests;
  await act();
  return store.requests - before;
}

// ── the contract ────────────────────────────────────────────────────────────────────────────────

describe.each([dynalite, memory, leveldb])('Store contract: $name', ({ make, sibling }) => {
  describe('Port: LedgerStore', () => {
    it('creates an open chunk once: creating the same chunkId again conflicts', async () => {
      // Prepare
      const store = await make();
      const chunk = newChunk('c1', [ledgerItem('e0000001'), ledgerItem('e0000002')]);

      // Act
      await store.writeChunks([{ previous: undefined, next: chunk }]);

      // Assess
      expect(await store.openChunks('team-a')).toEqual([{ ...chunk, version: 0 }]);
      await expect(store.writeChunks([{ previous: undefined, next: chunk }])).rejects.toBeInstanceOf(LedgerConflictError);
      await expect(store.writeChunks([{ previous: undefined, next: chunk }])).rejects.toMatchObject({ chunkId: 'c1' });
      expect(await store.openChunks('team-b')).toEqual([]);
    });

    it('updates an open chunk at the version it was read, and refuses a stale version', async () => {
      const store = await make();
      await store.writeChunks([{ previous: undefined, next: newChunk('c1', [ledgerItem('e0000001'), ledgerItem('e0000002')]) }]);
      const [read] = await store.openChunks('team-a');
      if (read === undefined) throw new Error('chunk not written');

      const submitted = moved(read, 'submitted');
      await store.writeChunks([{ previous: read, next: submitted }]);

      const [now] = await store.openChunks('team-a');
      expect(now).toEqual({ ...submitted, version: 1 });
      // `read` is version 0; the stored chunk is version 1 now.
      await expect(store.writeChunks([{ previous: read, next: moved(read, 'unknown') }])).rejects.toBeInstanceOf(LedgerConflictError);
      expect(await store.openChunks('team-a')).toEqual([{ ...submitted, version: 1 }]);
    });

    it('refuses to act on a group whose open ledger holds a record it cannot read', async () => {
      const store = await make();
      await store.writeChunks([{ previous: undefined, next: newChunk('c1', [ledgerItem('e0000001')]) }]);
      // A record of a format this version does not know (e.g. written by a newer janitor).
      await rawPut(store, { pk: 'T#ns@host#OPEN#team-a', sk: 'future-chunk', format: 2 });
      await expect(store.openChunks('team-a')).rejects.toBeInstanceOf(UnreadableLedgerError);
    });

    it('moves a chunk whose items are all final out of the open set into the history', async () => {
      const store = await make();
      const chunk = newChunk('c1', [ledgerItem('e0000001'), ledgerItem('e0000002'), ledgerItem('e0000003')]);
      await store.writeChunks([{ previous: undefined, next: chunk }]);
      const [read] = await store.openChunks('team-a');
      if (read === undefined) throw new Error('chunk not written');

      const settled: LedgerChunk = {
        ...read,
        items: [
          { ...ledgerItem('e0000001', 'confirmed') },
          { ...ledgerItem('e0000002', 'failed'), message: 'HTTP 409' },
          { ...ledgerItem('e0000003', 'not-attempted'), message: 'deadline reached' },
        ],
      };
      await store.writeChunks([{ previous: read, next: settled }]);

      expect(await store.openChunks('team-a')).toEqual([]);
      expect(await store.ledger('team-a')).toEqual([{ ...settled, version: 1 }]);
    });

    it('keeps a chunk open while one item still awaits AI Core', async () => {
      const store = await make();
      const chunk = newChunk('c1', [ledgerItem('e0000001'), ledgerItem('e0000002')]);
      await store.writeChunks([{ previous: undefined, next: chunk }]);
      const half: LedgerChunk = { ...chunk, items: [ledgerItem('e0000001', 'confirmed'), ledgerItem('e0000002', 'unknown')] };

      await store.writeChunks([{ previous: { ...chunk, version: 0 }, next: half }]);

      expect(await store.openChunks('team-a')).toEqual([{ ...half, version: 1 }]);
    });

    it('writes a new chunk that is settled already (all not-attempted) straight into the history', async () => {
      const store = await make();
      const chunk = newChunk('c1', [ledgerItem('e0000001', 'not-attempted')]);

      await store.writeChunks([{ previous: undefined, next: chunk }]);

      expect(await store.openChunks('team-a')).toEqual([]);
      expect(await store.ledger('team-a')).toEqual([{ ...chunk, version: 0 }]);
    });

    it('returns the ledger of one group, or of every group, oldest first', async () => {
      const store = await make();
      const open = newChunk('c2', [ledgerItem('e0000002')], { createdAt: at(2000).toISOString() });
      const settledA = newChunk('c1', [ledgerItem('e0000001', 'not-attempted')], { createdAt: at(1000).toISOString() });
      const settledB = newChunk('c3', [ledgerItem('d0000001', 'not-attempted', 'DELETED')], {
        group: 'team-b',
        type: 'deployments',
        createdAt: at(0).toISOString(),
      });
      await store.writeChunks([
        { previous: undefined, next: open },
        { previous: undefined, next: settledA },
        { previous: undefined, next: settledB },
      ]);

      expect((await store.ledger('team-a')).map((c) => c.chunkId)).toEqual(['c1', 'c2']);
      expect((await store.ledger('team-b')).map((c) => c.chunkId)).toEqual(['c3']);
      expect((await store.ledger()).map((c) => `${c.group}/${c.chunkId}`)).toEqual(['team-b/c3', 'team-a/c1', 'team-a/c2']);
      expect(await store.ledger('team-c')).toEqual([]);
    });

    it('refuses a new chunk whose items do not start at submitting (or not-attempted)', async () => {
      const store = await make();
      const chunk = newChunk('c1', [ledgerItem('e0000001'), ledgerItem('e0000002', 'submitted')]);

      const spent = await cost(store, async () => {
        await expect(store.writeChunks([{ previous: undefined, next: chunk }])).rejects.toBeInstanceOf(IllegalLedgerMoveError);
      });

      await expect(store.writeChunks([{ previous: undefined, next: chunk }])).rejects.toMatchObject({
        id: 'e0000002',
        from: 'submitting',
        to: 'submitted',
      });
      expect(spent).toBe(0);
      expect(await store.ledger()).toEqual([]);
    });

    it.each([
      { from: 'confirmed', to: 'submitted' },
      { from: 'failed', to: 'confirmed' },
      { from: 'submitted', to: 'submitting' },
      { from: 'unknown', to: 'submitted' },
    ] as const)('refuses the illegal move $from → $to', async ({ from, to }) => {
      const store = await make();
      // A second item that still awaits keeps the chunk open, so `from` can be final.
      const chunk = newChunk('c1', [ledgerItem('e0000001', 'submitted'), ledgerItem('e0000002', from)]);
      const read = { ...chunk, version: 3 };

      const attempt = store.writeChunks([
        { previous: read, next: { ...read, items: [ledgerItem('e0000001', 'submitted'), ledgerItem('e0000002', to)] } },
      ]);

      await expect(attempt).rejects.toBeInstanceOf(IllegalLedgerMoveError);
      await expect(attempt).rejects.toMatchObject({ chunk: { chunkId: 'c1' }, id: 'e0000002', from, to });
    });

    it('refuses a change of the item set (an item swapped, added or dropped)', async () => {
      const store = await make();
      const chunk = newChunk('c1', [ledgerItem('e0000001'), ledgerItem('e0000002')]);
      await store.writeChunks([{ previous: undefined, next: chunk }]);
      const read = { ...chunk, version: 0 };

      const changed = [
        [ledgerItem('e0000001'), ledgerItem('e0000003')], // swapped
        [...read.items, ledgerItem('e0000003')], // added
        [ledgerItem('e0000001')], // dropped
        [ledgerItem('e0000001'), ledgerItem('e0000002', 'submitting', 'DELETED')], // retargeted
      ];

      for (const items of changed)
        await expect(store.writeChunks([{ previous: read, next: { ...read, items } }])).rejects.toBeInstanceOf(LedgerConflictError);
      expect(await store.openChunks('team-a')).toEqual([read]);
    });

    it('settles more chunks in one call than one batch holds', async () => {
      const store = await make();
      const created = chunks(30);
      await store.writeChunks(created.map((next) => ({ previous: undefined, next })));
      const read = await store.openChunks('team-a');
      expect(read).toHaveLength(30);

      await store.writeChunks(read.map((previous) => ({ previous, next: moved(previous, 'confirmed') })));

      expect(await store.openChunks('team-a')).toEqual([]);
      const ledger = await store.ledger('team-a');
      expect(ledger.map((c) => c.chunkId)).toEqual(created.map((c) => c.chunkId));
      expect(ledger.every((c) => c.version === 1 && c.items.every((i) => i.state === 'confirmed'))).toBe(true);
    });
  });

  describe('Port: ObservationStore', () => {
    it('returns the first instant an item was seen STOPPED, keyed group#type#id', async () => {
      const store = await make();
      await store.recordStopped(
        [
          { group: 'team-a', type: 'deployments', id: 'd0000001' },
          { group: 'team-b', type: 'executions', id: 'e0000001' },
        ],
        T0,
      );

      const obs = await store.observations(['team-a', 'team-b', 'team-c'], at(MINUTE));

      expect(obs).toEqual({
        firstSeenStopped: { 'team-a#deployments#d0000001': T0.toISOString(), 'team-b#executions#e0000001': T0.toISOString() },
        snoozes: {},
        actionsToday: 0,
      });
      expect((await store.observations(['team-a'], T0)).firstSeenStopped).toEqual({ 'team-a#deployments#d0000001': T0.toISOString() });
    });

    it('records more items than one batch holds', async () => {
      const store = await make();
      const items = [...stoppedItems(40, 'team-a'), ...stoppedItems(20, 'team-b')];

      await store.recordStopped(items, T0);

      const obs = await store.observations(['team-a', 'team-b'], T0);
      expect(Object.keys(obs.firstSeenStopped).sort()).toEqual(items.map((i) => `${i.group}#${i.type}#${i.id}`).sort());
    });

    it('drops snoozes that have ended; a later snooze replaces an earlier one', async () => {
      const store = await make();
      await store.snooze('e0000001', at(10 * MINUTE), 'u1', 'demo tomorrow');
      await store.snooze('e0000002', at(MINUTE), 'u1');
      await store.snooze('e0000003', at(MINUTE), 'u1');
      await store.snooze('e0000003', at(20 * MINUTE), 'u2');

      const obs = await store.observations([], at(5 * MINUTE));

      expect(obs.snoozes).toEqual({ e0000001: at(10 * MINUTE).toISOString(), e0000003: at(20 * MINUTE).toISOString() });
      expect((await store.observations([], at(30 * MINUTE))).snoozes).toEqual({});
    });

    it('counts actions per UTC day', async () => {
      const store = await make();
      const lateToday = new Date('2026-11-23T23:59:59.000Z');
      const earlyTomorrow = new Date('2026-11-24T00:00:01.000Z');
      await store.countActions(3, T0);
      await store.countActions(2, lateToday);
      await store.countActions(0, lateToday);
      await store.countActions(7, earlyTomorrow);

      expect((await store.observations([], T0)).actionsToday).toBe(5);
      expect((await store.observations([], earlyTomorrow)).actionsToday).toBe(7);
      expect((await store.observations([], new Date('2026-11-25T12:00:00.000Z'))).actionsToday).toBe(0);
    });
  });

  describe('Port: NoticeStore', () => {
    const notice = (id: string, group = 'team-a', actAfter = at(60 * MINUTE).toISOString()): Notice => ({
      group,
      type: 'deployments',
      id,
      ruleId: 'stop-idle',
      action: 'stop',
      noticedAt: T0.toISOString(),
      actAfter,
      snoozedBy: null,
      snoozeReason: null,
    });

    it('costs nothing extra unless asked: observations() reads notices only with notices: true', async () => {
      const store = await make();
      await store.writeNotices({ record: [notice('d0000001')], drop: [] });

      const plain = await store.observations([], T0);
      expect(plain.notices).toBeUndefined();
      const withNotices = await store.observations([], T0, { notices: true });
      expect(withNotices.notices).toEqual({ 'team-a#deployments#d0000001': notice('d0000001') });
      expect(await cost(store, () => store.observations([], T0, { notices: true }))).toBe(
        (await cost(store, () => store.observations([], T0))) + 1,
      );
    });

    it('records, replaces and drops notices, in batches, per tenant', async () => {
      const store = await make();
      const many = Array.from({ length: 30 }, (_, i) => notice(`d${String(i).padStart(7, '0')}`, i % 2 === 0 ? 'team-a' : 'team-b'));
      await store.writeNotices({ record: many, drop: [] });
      await store.writeNotices({
        record: [{ ...notice('d0000000'), action: 'delete' }],
        drop: [{ group: 'team-b', type: 'deployments', id: 'd0000001' }],
      });

      const read = (await store.observations([], T0, { notices: true })).notices ?? {};
      expect(Object.keys(read)).toHaveLength(29);
      expect(read['team-a#deployments#d0000000']?.action).toBe('delete');
      expect(read['team-b#deployments#d0000001']).toBeUndefined();
      const other = sibling(store, 'T#other@host');
      expect((await other.observations([], T0, { notices: true })).notices).toEqual({});
    });

    it('a snooze moves a notice later, never earlier, and says who; an item without a notice gets none', async () => {
      const store = await make();
      await store.writeNotices({ record: [notice('d0000001'), notice('d0000002', 'team-b', at(600 * MINUTE).toISOString())], drop: [] });

      const later = await store.snoozeNotices('d0000001', at(3 * 60 * MINUTE), 'U1', 'demo on Monday');
      const notEarlier = await store.snoozeNotices('d0000002', at(60 * MINUTE), 'U2');

      expect(later).toEqual([
        { ...notice('d0000001'), actAfter: at(3 * 60 * MINUTE).toISOString(), snoozedBy: 'U1', snoozeReason: 'demo on Monday' },
      ]);
      expect(notEarlier[0]?.actAfter).toBe(at(600 * MINUTE).toISOString());
      expect(await store.snoozeNotices('d0000099', at(MINUTE), 'U1')).toEqual([]);
      const read = (await store.observations([], T0, { notices: true })).notices ?? {};
      expect(read['team-a#deployments#d0000001']?.actAfter).toBe(at(3 * 60 * MINUTE).toISOString());
    });

    it('forgets a notice two weeks after its end', async () => {
      const store = await make();
      await store.writeNotices({ record: [notice('d0000001')], drop: [] });
      expect((await store.observations([], at(13 * 24 * 60 * MINUTE), { notices: true })).notices).not.toEqual({});
      expect((await store.observations([], at(15 * 24 * 60 * MINUTE), { notices: true })).notices).toEqual({});
    });
  });

  describe('Port: LockStore', () => {
    it('gives the lock to one owner and tells the others who holds it until when', async () => {
      const store = await make();

      expect(await store.acquireLock('run-a', at(MINUTE), T0)).toEqual({ acquired: true });
      const refused = await store.acquireLock('run-b', at(2 * MINUTE), at(1000));

      expect(refused).toEqual({
        acquired: false,
        holder: { owner: 'run-a', leaseUntil: at(MINUTE).getTime(), acquiredAt: T0.toISOString() },
      });
      // The holder may take its own lock again.
      expect(await store.acquireLock('run-a', at(MINUTE), at(2000))).toEqual({ acquired: true });
    });

    it('lets another owner take a lease that has expired', async () => {
      const store = await make();
      await store.acquireLock('run-a', at(MINUTE), T0);

      // A crashed run never releases: its lease expires instead.
      expect((await store.acquireLock('run-b', at(3 * MINUTE), at(MINUTE))).acquired).toBe(false);
      expect(await store.acquireLock('run-b', at(3 * MINUTE), at(MINUTE + 1))).toEqual({ acquired: true });
      expect(await store.acquireLock('run-a', at(4 * MINUTE), at(2 * MINUTE))).toMatchObject({
        acquired: false,
        holder: { owner: 'run-b' },
      });
    });

    it('extends the lease of its owner only', async () => {
      const store = await make();
      await store.acquireLock('run-a', at(MINUTE), T0);

      expect(await store.renewLock('run-a', at(3 * MINUTE))).toBe(true);
      expect(await store.renewLock('run-b', at(10 * MINUTE))).toBe(false);

      // Past the original lease end, the lock is still run-a's.
      expect(await store.acquireLock('run-b', at(5 * MINUTE), at(2 * MINUTE))).toEqual({
        acquired: false,
        holder: { owner: 'run-a', leaseUntil: at(3 * MINUTE).getTime(), acquiredAt: T0.toISOString() },
      });
    });

    it('cannot renew a lock another owner took, or one that was released', async () => {
      const store = await make();
      await store.acquireLock('run-a', at(MINUTE), T0);
      await store.acquireLock('run-b', at(3 * MINUTE), at(2 * MINUTE));

      expect(await store.renewLock('run-a', at(4 * MINUTE))).toBe(false);

      await store.releaseLock('run-b');
      expect(await store.renewLock('run-b', at(4 * MINUTE))).toBe(false);
      expect(await store.acquireLock('run-c', at(4 * MINUTE), at(2 * MINUTE))).toEqual({ acquired: true });
    });

    it('is released only by its owner', async () => {
      const store = await make();
      await store.acquireLock('run-a', at(MINUTE), T0);

      await store.releaseLock('run-b');
      expect(await store.acquireLock('run-b', at(MINUTE), at(1000))).toMatchObject({ acquired: false, holder: { owner: 'run-a' } });

      await store.releaseLock('run-a');
      expect(await store.acquireLock('run-b', at(MINUTE), at(1000))).toEqual({ acquired: true });
    });
  });

  describe('Port: TriggerStore', () => {
    it('runs a trigger once while it runs within its lease, and retries it once the lease has passed', async () => {
      const store = await make();

      expect(await store.beginTrigger('evt-1', 'run-1', T0, at(MINUTE))).toEqual({ kind: 'new' });
      const running = {
        triggerId: 'evt-1',
        runId: 'run-1',
        state: 'running',
        startedAt: T0.toISOString(),
        leaseUntil: at(MINUTE).toISOString(),
        summary: null,
      };
      expect(await store.beginTrigger('evt-1', 'run-2', at(30_000), at(2 * MINUTE))).toEqual({ kind: 'duplicate', earlier: running });
      expect(await store.beginTrigger('evt-1', 'run-2', at(MINUTE), at(2 * MINUTE))).toEqual({ kind: 'duplicate', earlier: running });

      // run-1 died: its lease passed while it was still running.
      expect(await store.beginTrigger('evt-1', 'run-3', at(MINUTE + 1), at(3 * MINUTE))).toEqual({ kind: 'retry', earlier: running });
      expect(await store.beginTrigger('evt-1', 'run-4', at(2 * MINUTE), at(4 * MINUTE))).toMatchObject({
        kind: 'duplicate',
        earlier: { runId: 'run-3', state: 'running' },
      });
    });

    it('retries a failed trigger', async () => {
      const store = await make();
      await store.beginTrigger('evt-1', 'run-1', T0, at(MINUTE));
      await store.finishTrigger('evt-1', 'run-1', 'failed', 'AI Core unreachable');

      const again = await store.beginTrigger('evt-1', 'run-2', at(1000), at(MINUTE));

      expect(again).toEqual({
        kind: 'retry',
        earlier: {
          triggerId: 'evt-1',
          runId: 'run-1',
          state: 'failed',
          startedAt: T0.toISOString(),
          leaseUntil: at(MINUTE).toISOString(),
          summary: 'AI Core unreachable',
        },
      });
    });

    it('answers a done trigger with its summary, even long after its lease', async () => {
      const store = await make();
      await store.beginTrigger('evt-1', 'run-1', T0, at(MINUTE));
      await store.finishTrigger('evt-1', 'run-1', 'done', 'run run-1: 3 planned');

      for (const when of [at(1000), at(60 * MINUTE)]) {
        expect(await store.beginTrigger('evt-1', 'run-2', when, at(120 * MINUTE))).toEqual({
          kind: 'duplicate',
          earlier: {
            triggerId: 'evt-1',
            runId: 'run-1',
            state: 'done',
            startedAt: T0.toISOString(),
            leaseUntil: at(MINUTE).toISOString(),
            summary: 'run run-1: 3 planned',
          },
        });
      }
    });

    it('does not let a stale run overwrite the record of the delivery that took over', async () => {
      const store = await make();
      await store.beginTrigger('evt-1', 'run-1', T0, at(MINUTE));
      await store.beginTrigger('evt-1', 'run-2', at(2 * MINUTE), at(3 * MINUTE));

      // run-1 was only slow, not dead: it finishes after run-2 took over.
      await store.finishTrigger('evt-1', 'run-1', 'done', 'run run-1: stale');

      expect(await store.beginTrigger('evt-1', 'run-3', at(2 * MINUTE + 1), at(4 * MINUTE))).toMatchObject({
        kind: 'duplicate',
        earlier: { runId: 'run-2', state: 'running', summary: null },
      });
      await store.finishTrigger('evt-1', 'run-2', 'done', 'run run-2: 1 planned');
      expect(await store.beginTrigger('evt-1', 'run-3', at(5 * MINUTE), at(6 * MINUTE))).toMatchObject({
        kind: 'duplicate',
        earlier: { runId: 'run-2', state: 'done', summary: 'run run-2: 1 planned' },
      });
    });

    it('ignores finishing a trigger that was never begun', async () => {
      const store = await make();

      await store.finishTrigger('evt-x', 'run-1', 'done', 'nothing');

      expect(await store.beginTrigger('evt-x', 'run-2', T0, at(MINUTE))).toEqual({ kind: 'new' });
    });
  });

  describe('Port: RunStore', () => {
    it('lists the most recent runs, newest first', async () => {
      const store = await make();
      await store.recordRun(run('r0', '2026-11-20T00:00:00.000Z'));
      await store.recordRun(run('r1', '2026-11-22T00:00:00.000Z'));
      await store.recordRun(run('r2', '2026-11-21T00:00:00.000Z'));

      expect((await store.recentRuns(2)).map((r) => r.runId)).toEqual(['r1', 'r2']);
      expect(await store.recentRuns(10)).toEqual([
        run('r1', '2026-11-22T00:00:00.000Z'),
        run('r2', '2026-11-21T00:00:00.000Z'),
        run('r0', '2026-11-20T00:00:00.000Z'),
      ]);
    });
  });

  describe('Port: ChatOpsStore', () => {
    const plan = (hash: string) => ({
      hash,
      requester: 'u1',
      createdAt: T0.toISOString(),
      expiresAt: at(10 * MINUTE).toISOString(),
      runId: 'run-dry',
    });

    it('finds recorded plans by hash prefix, at most `limit`', async () => {
      const store = await make();
      await store.recordPlan(plan('abc123'));
      await store.recordPlan(plan('abd456'));
      await store.recordPlan(plan('ff0000'));

      expect(await store.findPlans('abc', 5)).toEqual([{ ...plan('abc123'), approvedBy: null, approvedAt: null }]);
      expect((await store.findPlans('ab', 5)).map((p) => p.hash)).toEqual(['abc123', 'abd456']);
      expect(await store.findPlans('ab', 1)).toHaveLength(1);
      expect(await store.findPlans('00', 5)).toEqual([]);
    });

    it('approves a plan once, within its window', async () => {
      const store = await make();
      await store.recordPlan(plan('abc123'));
      await store.recordPlan(plan('abd456'));

      expect(await store.claimApproval('abc123', 'u2', at(MINUTE))).toBe(true);
      expect(await store.claimApproval('abc123', 'u3', at(2 * MINUTE))).toBe(false);
      expect(await store.claimApproval('abd456', 'u2', at(10 * MINUTE))).toBe(false);
      expect(await store.claimApproval('nope', 'u2', at(MINUTE))).toBe(false);

      expect(await store.findPlans('ab', 5)).toEqual([
        { ...plan('abc123'), approvedBy: 'u2', approvedAt: at(MINUTE).toISOString() },
        { ...plan('abd456'), approvedBy: null, approvedAt: null },
      ]);
    });

    it('starts a fresh request when the same plan is shown again', async () => {
      const store = await make();
      await store.recordPlan(plan('abc123'));
      await store.claimApproval('abc123', 'u2', at(MINUTE));

      const again = { ...plan('abc123'), createdAt: at(20 * MINUTE).toISOString(), expiresAt: at(30 * MINUTE).toISOString() };
      await store.recordPlan(again);

      expect(await store.findPlans('abc123', 5)).toEqual([{ ...again, approvedBy: null, approvedAt: null }]);
      expect(await store.claimApproval('abc123', 'u3', at(25 * MINUTE))).toBe(true);
    });
  });

  describe('Namespaces', () => {
    it('keeps the ledger, lock, triggers, runs and observations of two tenants on one storage apart', async () => {
      // Prepare
      const a = await make();
      const b = sibling(a, 'T#other@host');
      await a.writeChunks([
        { previous: undefined, next: newChunk('c1', [ledgerItem('e0000001')]) },
        { previous: undefined, next: newChunk('c2', [ledgerItem('e0000002', 'not-attempted')]) },
      ]);
      await a.acquireLock('run-a', at(MINUTE), T0);
      await a.beginTrigger('evt-1', 'run-a', T0, at(MINUTE));
      await a.recordRun(run('run-a', T0.toISOString()));
      await a.recordStopped([{ group: 'team-a', type: 'executions', id: 'e0000009' }], T0);
      await a.countActions(4, T0);

      // Act + Assess: b sees nothing of a's …
      expect(await b.openChunks('team-a')).toEqual([]);
      expect(await b.ledger('team-a')).toEqual([]);
      expect(await b.ledger()).toEqual([]);
      expect(await b.acquireLock('run-b', at(MINUTE), T0)).toEqual({ acquired: true });
      expect(await b.beginTrigger('evt-1', 'run-b', T0, at(MINUTE))).toEqual({ kind: 'new' });
      expect(await b.recentRuns(10)).toEqual([]);
      expect(await b.observations(['team-a'], T0)).toMatchObject({ firstSeenStopped: {}, actionsToday: 0 });
      await b.writeChunks([{ previous: undefined, next: newChunk('c1', [ledgerItem('e0000001')]) }]);
      await b.releaseLock('run-b');

      // … and a still has all of its own.
      expect((await a.ledger()).map((c) => c.chunkId)).toEqual(['c1', 'c2']);
      expect((await a.openChunks('team-a')).map((c) => c.runId)).toEqual(['run-1']);
      expect(await a.acquireLock('run-c', at(MINUTE), T0)).toMatchObject({ acquired: false, holder: { owner: 'run-a' } });
      expect(await a.beginTrigger('evt-1', 'run-c', T0, at(MINUTE))).toMatchObject({ kind: 'duplicate', earlier: { runId: 'run-a' } });
      expect((await a.recentRuns(10)).map((r) => r.runId)).toEqual(['run-a']);
      expect(await a.observations(['team-a'], T0)).toMatchObject({
        firstSeenStopped: { 'team-a#executions#e0000009': T0.toISOString() },
        actionsToday: 4,
      });
    });
  });

  describe('Property: requests', () => {
    it('counts one request per single-record call', async () => {
      const store = await make();
      const chunk = newChunk('c1', [ledgerItem('e0000001')]);

      expect(await cost(store, () => store.writeChunks([{ previous: undefined, next: chunk }]))).toBe(1);
      expect(await cost(store, () => store.openChunks('team-a'))).toBe(1);
      expect(await cost(store, () => store.writeChunks([{ previous: { ...chunk, version: 0 }, next: moved(chunk, 'submitted') }]))).toBe(1);
      expect(
        await cost(store, () =>
          store.writeChunks([{ previous: { ...chunk, version: 0 }, next: moved(chunk, 'unknown') }]).catch(() => undefined),
        ),
      ).toBe(1);
      expect(await cost(store, () => store.writeChunks([]))).toBe(0);
      expect(await cost(store, () => store.countActions(2, T0))).toBe(1);
      expect(await cost(store, () => store.countActions(0, T0))).toBe(0);
      expect(await cost(store, () => store.recordStopped([], T0))).toBe(0);
      expect(await cost(store, () => store.recordRun(run('r1', T0.toISOString())))).toBe(1);
      expect(await cost(store, () => store.recentRuns(5))).toBe(1);
      expect(await cost(store, () => store.snooze('e0000001', at(MINUTE), 'u1'))).toBe(1);
      expect(
        await cost(store, () =>
          store.recordPlan({ hash: 'abc', requester: 'u1', createdAt: T0.toISOString(), expiresAt: at(MINUTE).toISOString(), runId: 'r' }),
        ),
      ).toBe(1);
      expect(await cost(store, () => store.findPlans('ab', 5))).toBe(1);
      expect(await cost(store, () => store.claimApproval('abc', 'u2', T0))).toBe(1);
    });

    it('counts a read of the ledger as one request per part (open and history)', async () => {
      const store = await make();
      await store.writeChunks(chunks(3).map((next) => ({ previous: undefined, next })));

      expect(await cost(store, () => store.ledger('team-a'))).toBe(2);
      expect(await cost(store, () => store.ledger())).toBe(2);
    });

    it('counts observations as one query per group, one for snoozes and one for the counter', async () => {
      const store = await make();

      expect(await cost(store, () => store.observations([], T0))).toBe(2);
      expect(await cost(store, () => store.observations(['team-a', 'team-b', 'team-c'], T0))).toBe(5);
    });

    it('counts settled chunks and observations in batches of 25', async () => {
      const store = await make();
      const created = chunks(30);

      expect(await cost(store, () => store.writeChunks(created.map((next) => ({ previous: undefined, next }))))).toBe(30);
      const read = await store.openChunks('team-a');
      // Settling from open: a put into the history and a delete from the open set, 25 per batch: 60 writes.
      expect(await cost(store, () => store.writeChunks(read.map((previous) => ({ previous, next: moved(previous, 'confirmed') }))))).toBe(
        3,
      );
      // Settled at once (never open): only the 30 puts.
      const skipped = chunks(30, 'team-b').map((c) => moved(c, 'not-attempted'));
      expect(await cost(store, () => store.writeChunks(skipped.map((next) => ({ previous: undefined, next }))))).toBe(2);
      expect(await cost(store, () => store.recordStopped(stoppedItems(60), T0))).toBe(3);
      expect(await cost(store, () => store.recordStopped(stoppedItems(25), T0))).toBe(1);
    });

    it('counts the lock and trigger calls, with one more read when refused', async () => {
      const store = await make();

      expect(await cost(store, () => store.acquireLock('run-a', at(MINUTE), T0))).toBe(1);
      expect(await cost(store, () => store.acquireLock('run-b', at(MINUTE), T0))).toBe(2);
      expect(await cost(store, () => store.renewLock('run-a', at(2 * MINUTE)))).toBe(1);
      expect(await cost(store, () => store.renewLock('run-b', at(2 * MINUTE)))).toBe(1);
      expect(await cost(store, () => store.releaseLock('run-a'))).toBe(1);

      expect(await cost(store, () => store.beginTrigger('evt-1', 'run-a', T0, at(MINUTE)))).toBe(1);
      expect(await cost(store, () => store.beginTrigger('evt-1', 'run-b', T0, at(MINUTE)))).toBe(2);
      expect(await cost(store, () => store.beginTrigger('evt-1', 'run-b', at(2 * MINUTE), at(3 * MINUTE)))).toBe(1);
      expect(await cost(store, () => store.finishTrigger('evt-1', 'run-b', 'done', 'ok'))).toBe(1);
    });
  });
});
