import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Limiter } from '../../lib/aicore/limiter.js';
import { mapLimited } from '../../lib/util/concurrency.js';
import { BURST, Pacer, START_RATE } from '../../lib/aicore/pacer.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Limiter', () => {
  it('never runs more tasks at once than its current limit, whatever the task timings', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 30 }),
        async (limit, ticks) => {
          let active = 0;
          let peak = 0;
          const results = await mapLimited(ticks, limit, async (n, i) => {
            active += 1;
            peak = Math.max(peak, active);
            for (let t = 0; t < n; t += 1) await tick();
            active -= 1;
            return i;
          });
          expect(results).toEqual(ticks.map((_, i) => i));
          expect(peak).toBeLessThanOrEqual(limit);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('halves on throttling and grows back by about one slot per window of successes', () => {
    const limiter = new Limiter(8);
    limiter.shrink();
    limiter.shrink();
    expect(limiter.current).toBe(2);
    for (let i = 0; i < 2; i += 1) limiter.grow();
    expect(limiter.current).toBe(2);
    for (let i = 0; i < 40; i += 1) limiter.grow();
    expect(limiter.current).toBe(8);
    for (let i = 0; i < 10; i += 1) limiter.shrink();
    expect(limiter.current).toBe(1);
  });
});

describe('Pacer', () => {
  function pacer() {
    let now = 0;
    const waits: number[] = [];
    const p = new Pacer(
      () => now,
      (ms) => {
        waits.push(ms);
        now += ms;
        return Promise.resolve();
      },
    );
    return { p, waits, advance: (ms: number) => (now += ms) };
  }

  it('slow start: a small burst at once, then a pace that rises with every success until it disappears', async () => {
    const { p, waits } = pacer();
    for (let i = 0; i < BURST; i += 1) await p.turn();
    expect(waits).toEqual([]);
    await p.turn();
    expect(waits).toEqual([1000 / START_RATE]);
    for (let i = 0; i < 200; i += 1) p.succeeded();
    expect(p.requestsPerSecond).toBe(Number.POSITIVE_INFINITY);
    waits.length = 0;
    for (let i = 0; i < 50; i += 1) await p.turn();
    expect(waits.filter((w) => w > 0).length).toBeLessThanOrEqual(1);
  });

  it('honours Retry-After for every request, slows once per burst to half the served rate, and recovers slowly', async () => {
    const { p, waits, advance } = pacer();
    for (let i = 0; i < 40; i += 1) {
      p.succeeded();
      advance(25); // 40 requests served per second
    }
    p.throttled(1000);
    p.throttled(1000); // same burst: no second slowdown
    expect(p.requestsPerSecond).toBe(19.5); // half of the 39 served in the last second
    await p.turn();
    expect(waits[0]).toBe(1000);
    await p.turn();
    expect(waits[1]).toBeCloseTo(1000 / 19.5);
    // After a throttle the rate grows by a few percent per second, not by leaps.
    for (let i = 0; i < 20; i += 1) {
      advance(50);
      p.succeeded();
    }
    expect(p.requestsPerSecond).toBeGreaterThan(19.5);
    expect(p.requestsPerSecond).toBeLessThan(20.5);
  });

  it('never books a turn at or past the deadline', async () => {
    const { p, waits } = pacer();
    p.throttled(5000);
    expect(await p.turn(4000)).toBe(false);
    expect(waits).toEqual([]);
    expect(await p.turn()).toBe(true);
  });
});
