import { describe, expect, it } from 'vitest';
import { LeaseLostError, RunLease, type LeaseOptions } from '../../lib/run/lease.js';
import { MemoryStore } from '../../lib/store/memory.js';

const T0 = Date.parse('2026-11-23T12:00:00.000Z');
const SECOND = 1000;
const PERIOD = 60 * SECOND;

/** A lease on a fresh MemoryStore with a clock the test moves. */
function setup(options: Partial<Omit<LeaseOptions, 'clock'>> = {}) {
  const store = new MemoryStore('T#ns@host');
  const clock = { now: T0 };
  const lease = new RunLease(store, {
    owner: 'run-a',
    periodMs: PERIOD,
    deadline: new Date(T0 + 15 * 60 * SECOND),
    marginMs: 30 * SECOND,
    clock: () => new Date(clock.now),
    ...options,
  });
  /** Who holds the lock until when, as another run trying to take it now would be told. */
  const holder = async () => {
    const attempt = await store.acquireLock('probe', new Date(clock.now + PERIOD), new Date(clock.now));
    if (attempt.acquired) {
      await store.releaseLock('probe');
      return undefined;
    }
    return attempt.holder;
  };
  return { store, clock, lease, holder };
}

describe('Class: RunLease', () => {
  describe('Method: acquire', () => {
    it('takes the lock for one period', async () => {
      // Prepare
      const { lease, holder } = setup();

      // Act
      const start = await lease.acquire();

      // Assess
      expect(start).toEqual({ acquired: true });
      expect(await holder()).toEqual({ owner: 'run-a', leaseUntil: T0 + PERIOD, acquiredAt: new Date(T0).toISOString() });
    });

    it('takes the lock no further than the deadline plus the margin', async () => {
      const { lease, holder } = setup({ deadline: new Date(T0 + 10 * SECOND), marginMs: 5 * SECOND });

      await lease.acquire();

      expect(await holder()).toMatchObject({ leaseUntil: T0 + 15 * SECOND });
    });

    it('reports the holder when another run has the lock, and then never sends', async () => {
      const { store, lease } = setup();
      await store.acquireLock('run-b', new Date(T0 + PERIOD), new Date(T0));

      const start = await lease.acquire();

      expect(start).toEqual({
        acquired: false,
        holder: { owner: 'run-b', leaseUntil: T0 + PERIOD, acquiredAt: new Date(T0).toISOString() },
      });
      await expect(lease.keep()).rejects.toBeInstanceOf(LeaseLostError);
    });
  });

  describe('Method: keep', () => {
    it('does nothing while at least half a period is left', async () => {
      const { store, clock, lease } = setup();
      await lease.acquire();
      const requests = store.requests;

      for (const at of [0, 10 * SECOND, 29 * SECOND, 30 * SECOND]) {
        clock.now = T0 + at;
        await lease.keep();
      }

      expect(lease.renewals).toBe(0);
      expect(store.requests).toBe(requests);
    });

    it('renews for a full period once less than half is left', async () => {
      const { store, clock, lease, holder } = setup();
      await lease.acquire();
      const requests = store.requests;

      clock.now = T0 + 31 * SECOND;
      await lease.keep();

      expect(lease.renewals).toBe(1);
      expect(store.requests).toBe(requests + 1);
      expect(await holder()).toMatchObject({ owner: 'run-a', leaseUntil: T0 + 31 * SECOND + PERIOD });

      // The new lease has more than half a period left again.
      clock.now = T0 + 60 * SECOND;
      await lease.keep();
      expect(lease.renewals).toBe(1);
    });

    it('never extends the lease past the deadline plus the margin', async () => {
      const deadline = T0 + 150 * SECOND;
      const margin = 20 * SECOND;
      const { clock, lease, holder } = setup({ deadline: new Date(deadline), marginMs: margin });
      await lease.acquire();

      const leases: number[] = [];
      for (let at = 0; at < deadline - T0; at += 5 * SECOND) {
        clock.now = T0 + at;
        await lease.keep();
        const held = await holder();
        if (held === undefined) throw new Error(`lock lost at +${at} ms`);
        leases.push(held.leaseUntil);
      }

      expect(Math.max(...leases)).toBe(deadline + margin);
      // Once capped, no renewal is sent just to write the same end again.
      expect(lease.renewals).toBe(4);
    });

    it('throws LeaseLostError for good once another run took the lock after expiry', async () => {
      const { store, clock, lease } = setup();
      await lease.acquire();
      clock.now = T0 + PERIOD + 1;
      expect(await store.acquireLock('run-b', new Date(clock.now + PERIOD), new Date(clock.now))).toEqual({ acquired: true });

      await expect(lease.keep()).rejects.toBeInstanceOf(LeaseLostError);
      const requests = store.requests;

      // Even back within what it once held, and without asking the store again.
      clock.now = T0;
      await expect(lease.keep()).rejects.toBeInstanceOf(LeaseLostError);
      await expect(lease.keep()).rejects.toThrow(/could not be renewed/);
      expect(store.requests).toBe(requests);
      expect(lease.renewals).toBe(0);
    });

    it('throws LeaseLostError when the store fails to renew', async () => {
      const { store, clock, lease } = setup();
      await lease.acquire();
      store.renewLock = () => Promise.reject(new Error('ProvisionedThroughputExceededException'));

      clock.now = T0 + 31 * SECOND;

      await expect(lease.keep()).rejects.toBeInstanceOf(LeaseLostError);
      await expect(lease.keep()).rejects.toBeInstanceOf(LeaseLostError);
    });

    it('renews after the lease ended when no other run took the lock meanwhile', async () => {
      const { clock, lease, holder } = setup();
      await lease.acquire();

      clock.now = T0 + PERIOD + 10 * SECOND;
      await lease.keep();

      expect(lease.renewals).toBe(1);
      expect(await holder()).toMatchObject({ owner: 'run-a', leaseUntil: clock.now + PERIOD });
    });

    it('shares one renewal between concurrent calls', async () => {
      const { store, clock, lease } = setup();
      await lease.acquire();
      const requests = store.requests;

      clock.now = T0 + 45 * SECOND;
      await Promise.all([lease.keep(), lease.keep(), lease.keep()]);

      expect(lease.renewals).toBe(1);
      expect(store.requests).toBe(requests + 1);
    });

    it('fails every concurrent call when their shared renewal fails', async () => {
      const { store, clock, lease } = setup();
      await lease.acquire();
      clock.now = T0 + PERIOD + 1;
      await store.acquireLock('run-b', new Date(clock.now + PERIOD), new Date(clock.now));
      const requests = store.requests;

      const results = await Promise.allSettled([lease.keep(), lease.keep()]);

      expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
      expect(results.map((r) => (r.status === 'rejected' ? r.reason : undefined))).toEqual([
        expect.any(LeaseLostError),
        expect.any(LeaseLostError),
      ]);
      expect(store.requests).toBe(requests + 1);
    });

    // Known bug (lib/run/lease.ts, keep()): once the lease has ended and the cap (deadline + margin)
    // is in the past, keep() "renews" to that past instant and resolves, though any other run may
    // take the lock. run.ts's gate checks the deadline first, so a run never gets here today.
    it('throws once the lease has ended and cannot be extended any more (past deadline + margin)', async () => {
      const { clock, lease } = setup({ deadline: new Date(T0 + 30 * SECOND), marginMs: 10 * SECOND });
      await lease.acquire();

      clock.now = T0 + 50 * SECOND;

      await expect(lease.keep()).rejects.toBeInstanceOf(LeaseLostError);
    });
  });

  describe('Method: release', () => {
    it('frees the lock for the next run', async () => {
      const { store, lease } = setup();
      await lease.acquire();

      await lease.release();

      expect(await store.acquireLock('run-b', new Date(T0 + PERIOD), new Date(T0))).toEqual({ acquired: true });
    });

    it('leaves a lock another run holds alone', async () => {
      const { store, clock, lease } = setup();
      await lease.acquire();
      clock.now = T0 + PERIOD + 1;
      await store.acquireLock('run-b', new Date(clock.now + PERIOD), new Date(clock.now));

      await lease.release();

      expect(await store.acquireLock('run-c', new Date(clock.now + PERIOD), new Date(clock.now))).toMatchObject({
        acquired: false,
        holder: { owner: 'run-b' },
      });
    });
  });
});
