/**
 * The store's additions for tenant runs: staged run data (compressed, split into parts, whole or
 * not at all), a lock per (tenant, group), and chat records namespaced by tenant while the
 * records written before (shared by every tenant) stay readable.
 */
import { describe, expect, it } from 'vitest';
import { STAGE_PART_CHARS } from '../../lib/store/base.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { GROUP_RUNS_OWNER } from '../../lib/store/records.js';

const NOW = new Date('2026-12-01T00:00:00Z');

/** A store holding records in the shape an older janitor wrote them (pk SNOOZE / PLAN, no namespace). */
class LegacyWriter extends MemoryStore {
  async legacySnooze(id: string, until: Date): Promise<void> {
    await this._put({ pk: 'SNOOZE', sk: id, until: until.toISOString(), by: 'U1', reason: null, expiresAt: 0 });
  }

  async legacyPlan(hash: string, closes: Date): Promise<void> {
    await this._put({
      pk: 'PLAN',
      sk: hash,
      requester: 'U1',
      createdAt: NOW.toISOString(),
      runId: 'r0',
      approvalExpiresAt: closes.toISOString(),
      approvalExpiresAtMs: closes.getTime(),
      expiresAt: 0,
    });
  }
}

describe('staged run data', () => {
  it('round-trips text of any size, in parts below the item limit', async () => {
    const store = new MemoryStore('T#a@h');
    const big = Array.from({ length: 40_000 }, (_, i) => `{"id":"item${i}","r":${Math.sin(i)}}`).join(',');
    await store.putStaged('run-1', 'plan:g1', big, NOW);
    expect(await store.getStaged('run-1', 'plan:g1')).toBe(big);
    expect(await store.getStaged('run-1', 'plan:g2')).toBeUndefined();
    expect(STAGE_PART_CHARS).toBeLessThan(400_000);
  });

  it('a rewrite replaces the earlier text whole', async () => {
    const store = new MemoryStore('T#a@h');
    await store.putStaged('run-1', 'verdict', 'first', NOW);
    await store.putStaged('run-1', 'verdict', 'second', NOW);
    expect(await store.getStaged('run-1', 'verdict')).toBe('second');
  });

  it('is per tenant: another namespace on the same table never sees it', async () => {
    const store = new MemoryStore('T#a@h');
    await store.putStaged('run-1', 'verdict', 'a', NOW);
    expect(await new MemoryStore('T#b@h').getStaged('run-1', 'verdict')).toBeUndefined();
  });
});

describe('group locks', () => {
  it('one holder per (tenant, group), independent of other groups; the tenant run lock waits for them (engine-exclusion.test.ts)', async () => {
    const store = new MemoryStore('T#a@h');
    const until = new Date(NOW.getTime() + 60_000);
    expect(await store.groupLock('g1').acquireLock('run-1:g1', until, NOW)).toEqual({ acquired: true });
    expect(await store.groupLock('g1').acquireLock('run-2:g1', until, NOW)).toMatchObject({
      acquired: false,
      holder: { owner: 'run-1:g1' },
    });
    expect(await store.groupLock('g2').acquireLock('run-2:g2', until, NOW)).toEqual({ acquired: true });
    expect(await store.acquireLock('run-3', until, NOW)).toMatchObject({ acquired: false, holder: { owner: GROUP_RUNS_OWNER } });
    expect(await store.groupLock('g1').renewLock('run-2:g1', until)).toBe(false);
    await store.groupLock('g1').releaseLock('run-1:g1');
    expect(await store.groupLock('g1').acquireLock('run-2:g1', until, NOW)).toEqual({ acquired: true });
  });
});

describe('chat records namespaced by tenant', () => {
  const later = new Date(NOW.getTime() + 3_600_000);

  it("writes snoozes under the tenant, reads legacy ones too, and the tenant's own wins", async () => {
    const store = new LegacyWriter('T#a@h');
    await store.legacySnooze('old-1', later);
    await store.snooze('new-1', later, 'U2');
    const { snoozes } = await store.observations([], NOW);
    expect(Object.keys(snoozes).sort()).toEqual(['new-1', 'old-1']);
    // Another tenant on the table sees the legacy (shared) one, not this tenant's.
    const other = Object.assign(Object.create(store) as LegacyWriter, { namespace: 'T#b@h' });
    expect(Object.keys((await other.observations([], NOW)).snoozes)).toEqual(['old-1']);
  });

  it('finds and approves legacy plans once, and never approves a plan twice', async () => {
    const store = new LegacyWriter('T#a@h');
    await store.legacyPlan('abc123legacy', later);
    await store.recordPlan({
      hash: 'abc999new',
      requester: 'U1',
      createdAt: NOW.toISOString(),
      expiresAt: later.toISOString(),
      runId: 'r1',
    });
    expect((await store.findPlans('abc', 5)).map((p) => p.hash)).toEqual(['abc123legacy', 'abc999new']);
    expect(await store.claimApproval('abc123legacy', 'U3', NOW)).toBe(true);
    expect(await store.claimApproval('abc123legacy', 'U4', NOW)).toBe(false);
    expect(await store.claimApproval('abc999new', 'U3', NOW)).toBe(true);
    expect(await store.claimApproval('abc999new', 'U4', NOW)).toBe(false);
  });

  it("a hash recorded both before and after the upgrade is approved through the tenant's record only", async () => {
    const store = new LegacyWriter('T#a@h');
    await store.legacyPlan('samehash', later);
    await store.recordPlan({
      hash: 'samehash',
      requester: 'U1',
      createdAt: NOW.toISOString(),
      expiresAt: later.toISOString(),
      runId: 'r1',
    });
    expect(await store.findPlans('same', 5)).toHaveLength(1);
    expect(await store.claimApproval('samehash', 'U3', NOW)).toBe(true);
    expect(await store.claimApproval('samehash', 'U4', NOW)).toBe(false);
  });
});
