import { describe, expect, it } from 'vitest';
import { dynaliteStores } from '../helpers/dynalite-stores.js';

const freshStore = dynaliteStores();
const now = new Date('2026-11-23T12:00:00Z');
const later = (minutes: number) => new Date(now.getTime() + minutes * 60_000);

describe('DynamoStore: chat-ops additions (dynalite)', () => {
  it('writes snoozes that observations() reads back until they end; a later snooze replaces an earlier one', async () => {
    const store = await freshStore();
    await store.snooze('e1', later(60), 'U0ALICE', 'demo');
    await store.snooze('e2', later(10), 'U0ALICE');
    expect((await store.observations([], now)).snoozes).toEqual({ e1: later(60).toISOString(), e2: later(10).toISOString() });
    expect((await store.observations([], later(30))).snoozes).toEqual({ e1: later(60).toISOString() });

    await store.snooze('e1', later(5), 'U0BOB');
    expect((await store.observations([], now)).snoozes.e1).toBe(later(5).toISOString());
  });

  it('records shown plans and finds them by hash prefix, reporting ambiguity', async () => {
    const store = await freshStore();
    const a = `abcdef01${'1'.repeat(56)}`;
    const b = `abcdef01${'2'.repeat(56)}`;
    await store.recordPlan({
      hash: a,
      requester: 'U0ALICE',
      createdAt: now.toISOString(),
      expiresAt: later(60).toISOString(),
      runId: 'r1',
    });
    await store.recordPlan({ hash: b, requester: 'U0BOB', createdAt: now.toISOString(), expiresAt: later(60).toISOString(), runId: 'r2' });
    expect(await store.findPlans(a.slice(0, 12), 2)).toEqual([
      {
        hash: a,
        requester: 'U0ALICE',
        createdAt: now.toISOString(),
        expiresAt: later(60).toISOString(),
        runId: 'r1',
        approvedBy: null,
        approvedAt: null,
      },
    ]);
    expect(await store.findPlans('abcdef01', 2)).toHaveLength(2);
    expect(await store.findPlans('ffffffff', 2)).toEqual([]);
  });

  it('lets a plan be approved once, only within its window', async () => {
    const store = await freshStore();
    const hash = 'c'.repeat(64);
    expect(await store.claimApproval(hash, 'U0BOB', now)).toBe(false); // never shown
    await store.recordPlan({ hash, requester: 'U0ALICE', createdAt: now.toISOString(), expiresAt: later(60).toISOString(), runId: 'r1' });
    expect(await store.claimApproval(hash, 'U0BOB', later(60))).toBe(false); // window closed
    const [first, second] = await Promise.all([store.claimApproval(hash, 'U0BOB', now), store.claimApproval(hash, 'U0CAROL', now)]);
    expect([first, second].filter(Boolean)).toHaveLength(1);
    expect((await store.findPlans(hash, 2))[0]?.approvedBy).toMatch(/^U0(BOB|CAROL)$/);

    // Showing the plan again is a fresh request with a fresh window.
    await store.recordPlan({
      hash,
      requester: 'U0DAVE',
      createdAt: later(5).toISOString(),
      expiresAt: later(65).toISOString(),
      runId: 'r2',
    });
    expect((await store.findPlans(hash, 2))[0]).toMatchObject({ requester: 'U0DAVE', approvedBy: null });
    expect(await store.claimApproval(hash, 'U0ALICE', later(6))).toBe(true);
  });
});
