import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Limiter, mapLimited } from '../../lib/aicore/limiter.js';
import { Pacer } from '../../lib/aicore/pacer.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('Limiter', () => {
  it('never runs more tasks at once than its current limit, whatever the task timings', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 6 }), fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 30 }), async (limit, ticks) => {
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
      }),
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
    const p = new Pacer(() => now, (ms) => {
      waits.push(ms);
      now += ms;
      return Promise.resolve();
    });
    return { p, waits, advance: (ms: number) => (now += ms) };
  }

  it('does not pace until the server throttles', async () => {
    const { p, waits } = pacer();
    for (let i = 0; i < 5; i += 1) await p.turn();
    expect(waits).toEqual([]);
  });

  it('honours Retry-After for every request, slows once per burst and recovers on success', async () => {
    const { p, waits, advance } = pacer();
    p.throttled(1000);
    p.throttled(1000); // same burst: no second slowdown
    await p.turn();
    expect(waits).toEqual([1000]);
    await p.turn();
    expect(waits[1]).toBe(25);
    advance(2000);
    p.throttled(0);
    await p.turn();
    await p.turn();
    expect(waits[2]).toBe(50);
    for (let i = 0; i < 60; i += 1) p.succeeded();
    advance(1000);
    waits.length = 0;
    await p.turn();
    await p.turn();
    expect(waits).toEqual([]);
  });
});
