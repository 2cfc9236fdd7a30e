import { describe, expect, it } from 'vitest';
import { dynaliteStores } from '../helpers/dynalite-stores.js';
import { LedgerConflictError, type LedgerKey } from '../../lib/store/store.js';

const freshStore = dynaliteStores();

const key: LedgerKey = { group: 'team-a', type: 'executions', id: 'e0000001', targetStatus: 'STOPPED' };
const now = new Date('2026-11-23T12:00:00Z');

describe('DynamoStore (dynalite)', () => {
  it('claims an item once: a second claim conflicts and carries the existing entry', async () => {
    const store = await freshStore();
    const first = await store.claim(key, { planHash: 'h1', runId: 'run-1', now });
    expect(first).toMatchObject({ state: 'submitting', attempts: 1, runId: 'run-1' });

    const second = store.claim(key, { planHash: 'h1', runId: 'run-2', now });
    await expect(second).rejects.toBeInstanceOf(LedgerConflictError);
    await expect(second).rejects.toMatchObject({ existing: { state: 'submitting', runId: 'run-1' } });
  });

  it('moves only along the allowed states and lets a failed entry be claimed again', async () => {
    const store = await freshStore();
    await store.claim(key, { planHash: 'h', runId: 'r1', now });
    await expect(store.transition(key, ['submitted'], 'confirmed', { now })).rejects.toBeInstanceOf(LedgerConflictError);
    await store.transition(key, ['submitting'], 'failed', { now, error: 'HTTP 503' });
    expect(await store.getEntry(key)).toMatchObject({ state: 'failed', lastError: 'HTTP 503' });

    const again = await store.claim(key, { planHash: 'h', runId: 'r2', now });
    expect(again).toMatchObject({ state: 'submitting', attempts: 2, runId: 'r2', lastError: null });
    await store.transition(key, ['submitting'], 'submitted', { now });
    expect((await store.openEntries('team-a')).map((e) => e.id)).toEqual(['e0000001']);
    await store.transition(key, ['submitted'], 'confirmed', { now });
    expect(await store.openEntries('team-a')).toEqual([]);
    await expect(store.claim(key, { planHash: 'h', runId: 'r3', now })).rejects.toBeInstanceOf(LedgerConflictError);
  });

  it('keeps the first instant an item was seen STOPPED, and counts actions per UTC day', async () => {
    const store = await freshStore();
    const item = { group: 'team-a', type: 'deployments' as const, id: 'd0000001' };
    await store.recordStopped([item], now);
    await store.recordStopped([item], new Date('2026-11-24T12:00:00Z'));
    await store.countActions(3, now);
    await store.countActions(2, now);
    await store.countActions(7, new Date('2026-11-24T00:00:01Z'));

    const obs = await store.observations(['team-a'], now);
    expect(obs.firstSeenStopped).toEqual({ 'team-a#deployments#d0000001': now.toISOString() });
    expect(obs.actionsToday).toBe(5);
  });

  it('gives the run lock to one owner until its lease ends', async () => {
    const store = await freshStore();
    const later = new Date(now.getTime() + 60_000);
    expect(await store.acquireLock('run-a', later, now)).toBe(true);
    expect(await store.acquireLock('run-b', later, now)).toBe(false);
    // A crashed run never releases: its lease expires instead.
    expect(await store.acquireLock('run-b', new Date(later.getTime() + 60_000), new Date(later.getTime() + 1))).toBe(true);
    await store.releaseLock('run-a'); // no longer the owner: must not free run-b's lock
    expect(await store.acquireLock('run-c', later, new Date(later.getTime() + 2))).toBe(false);
    await store.releaseLock('run-b');
    expect(await store.acquireLock('run-c', later, now)).toBe(true);
  });

  it('remembers a trigger: a second delivery gets the first record; a failed one may run again', async () => {
    const store = await freshStore();
    expect(await store.beginTrigger('evt-1', 'run-1', now)).toBeUndefined();
    await store.finishTrigger('evt-1', 'done', 'run run-1: 3 planned');
    expect(await store.beginTrigger('evt-1', 'run-2', now)).toMatchObject({ runId: 'run-1', state: 'done', summary: 'run run-1: 3 planned' });

    expect(await store.beginTrigger('evt-2', 'run-3', now)).toBeUndefined();
    await store.finishTrigger('evt-2', 'failed', 'AI Core unreachable');
    expect(await store.beginTrigger('evt-2', 'run-4', now)).toBeUndefined();
  });

  it('lists recent runs newest first', async () => {
    const store = await freshStore();
    for (const [i, startedAt] of ['2026-11-20T00:00:00.000Z', '2026-11-22T00:00:00.000Z', '2026-11-21T00:00:00.000Z'].entries()) {
      await store.recordRun({ runId: `r${i}`, trigger: 'cli', startedAt, finishedAt: startedAt, dryRun: true, planHash: 'h', summary: 's' });
    }
    expect((await store.recentRuns(2)).map((r) => r.runId)).toEqual(['r1', 'r2']);
  });
});
