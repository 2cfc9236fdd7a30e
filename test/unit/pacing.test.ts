import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Limiter } from '../../lib/aicore/limiter.js';
import { mapLimited } from '../../lib/util/concurrency.js';
import { BACKOFF, Pacer } from '../../lib/aicore/pacer.js';
import { Transport } from '../../lib/aicore/transport.js';
import type { FetchResponse } from '../../lib/aicore/http-fetch.js';

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

  it('is not a pace until the server throttles: an unlimited host is never slowed here', async () => {
    const { p, waits } = pacer();
    for (let i = 0; i < 200; i += 1) {
      await p.turn();
      p.succeeded();
    }
    expect(waits).toEqual([]);
    expect(p.requestsPerSecond).toBe(Number.POSITIVE_INFINITY);
  });

  it('honours Retry-After for every request, slows once per burst to what a dry bucket sustains, and recovers slowly', async () => {
    const { p, waits, advance } = pacer();
    for (let i = 0; i < 40; i += 1) {
      p.succeeded();
      advance(25); // 40 requests served per second
    }
    p.throttled(1000);
    p.throttled(1000); // same burst: no second slowdown
    // 40 served in a burst of 1 s: a bucket of one second's capacity refills at 40 / (1 + 1) per second.
    const slowed = BACKOFF * (40 / 2);
    expect(p.requestsPerSecond).toBeCloseTo(slowed);
    await p.turn();
    expect(waits[0]).toBe(1000);
    await p.turn();
    expect(waits[1]).toBeCloseTo(1000 / slowed);
    // After a throttle the rate grows by a few percent per second, not by leaps.
    for (let i = 0; i < 20; i += 1) {
      advance(50);
      p.succeeded();
    }
    expect(p.requestsPerSecond).toBeGreaterThan(slowed);
    expect(p.requestsPerSecond).toBeLessThan(slowed * 1.05);
  });

  it('estimates from the burst since the last pause only: a refilled bucket starts a new one', async () => {
    const { p, advance } = pacer();
    for (let i = 0; i < 40; i += 1) {
      p.succeeded();
      advance(25);
    }
    advance(500); // the run plans; the bucket refills
    for (let i = 0; i < 10; i += 1) {
      p.succeeded();
      advance(25);
    }
    p.throttled(1000);
    // 10 served in 0.25 s: 10 / (1 + 0.25), not counting the 40 before the pause.
    expect(p.requestsPerSecond).toBeCloseTo(BACKOFF * (10 / 1.25));
  });

  it('never books a turn at or past the deadline', async () => {
    const { p, waits } = pacer();
    p.throttled(5000);
    expect(await p.turn(4000)).toBe(false);
    expect(waits).toEqual([]);
    expect(await p.turn()).toBe(true);
  });
});

describe('Limiter slow start', () => {
  const hold = () => {
    const gate: { release: () => void } = { release: () => undefined };
    const done = new Promise<void>((resolve) => {
      gate.release = resolve;
    });
    return { done, release: () => gate.release() };
  };
  /** `n` successes with every slot taken, as in a burst; `step` moves the clock before each. */
  const successesInUse = async (limiter: Limiter, n: number, step: () => void = () => undefined): Promise<void> => {
    for (let i = 0; i < n; i += 1) {
      const others = Array.from({ length: Math.max(0, limiter.current - 1) }, hold);
      const running = others.map((other) => limiter.run(() => other.done));
      await limiter.run(async () => {
        step();
        limiter.grow();
      });
      for (const other of others) other.release();
      await Promise.all(running);
    }
  };

  it('holds two in flight through its probation, then adds a slot per success up to the maximum', async () => {
    const limiter = new Limiter(8, { initial: 2, probation: 5, idleMs: 250, now: () => 0 });
    expect(limiter.current).toBe(2);
    await successesInUse(limiter, 5);
    expect(limiter.current).toBe(2);
    await successesInUse(limiter, 1);
    expect(limiter.current).toBe(3);
    await successesInUse(limiter, 10);
    expect(limiter.current).toBe(8);
    // A throttle ends slow start: afterwards about one slot per window of successes.
    limiter.shrink();
    expect(limiter.current).toBe(4);
    await successesInUse(limiter, 3);
    expect(limiter.current).toBe(4);
    await limiter.run(() => Promise.resolve());
  });

  it('holds two in flight until the host has answered more than a bucket of the ceiling could have', async () => {
    const probationAt = async (roundTripMs: number): Promise<number> => {
      let now = 0;
      const limiter = new Limiter(8, { initial: 2, probation: 40, ceiling: 20, idleMs: 250, refillMs: 1_000, now: () => now });
      let answers = 0;
      while (limiter.current === 2 && answers < 100) {
        // Two in flight: an answer every half round trip.
        await successesInUse(limiter, 1, () => {
          now += roundTripMs / 2;
        });
        answers += 1;
      }
      return answers - 1;
    };
    // 100 answers/s against a bucket of 24 (a fifth over 20) refilled at 20/s: dry after 24 × 100 / 80 = 30 answers.
    expect(await probationAt(20)).toBeGreaterThanOrEqual(29);
    expect(await probationAt(20)).toBeLessThanOrEqual(30);
    expect(await probationAt(10)).toBe(26);
    // From about 40 ms on (24 × 50 / 30 = 40), the most: 40 answers.
    expect(await probationAt(40)).toBeGreaterThanOrEqual(39);
    expect(await probationAt(60)).toBe(40);
    expect(await probationAt(100)).toBe(40);
    // Answers in no measurable time: the bucket lasts its capacity.
    expect(await probationAt(0)).toBe(24);
  });

  it('counts the pace the host was asked for: answers one at a time wear the bucket down slowly and count nothing toward the most', async () => {
    let now = 0;
    const limiter = new Limiter(8, { initial: 2, probation: 40, ceiling: 20, idleMs: 250, refillMs: 1_000, now: () => now });
    // One at a time at 20 ms: 50 answers/s, so a bucket of 24 at 20/s lasts 40 answers, not 30.
    for (let i = 0; i < 38; i += 1) {
      await limiter.run(async () => {
        now += 20;
        limiter.grow();
      });
    }
    expect(limiter.current).toBe(2);
    // At 100 ms a request the bucket never runs dry, and with the limit unused the most is never reached.
    for (let i = 0; i < 100; i += 1) {
      await limiter.run(async () => {
        now += 100;
        limiter.grow();
      });
    }
    expect(limiter.current).toBe(2);
  });

  it('a pause gives back the probation in proportion to its length, and a full refill starts it over', async () => {
    let now = 0;
    const limiter = new Limiter(8, { initial: 2, probation: 40, idleMs: 250, refillMs: 1_000, now: () => now });
    await limiter.run(() => Promise.resolve());
    await successesInUse(limiter, 30);
    // 250 ms refill a quarter of a per-second bucket: 10 of the 30 successes are taken back.
    now += 250;
    await limiter.run(() => Promise.resolve());
    await successesInUse(limiter, 20);
    expect(limiter.current).toBe(2);
    await successesInUse(limiter, 1);
    expect(limiter.current).toBe(3);
    // A whole second with nothing in flight: the bucket is full again, the probation starts over.
    now += 1_000;
    await limiter.run(() => Promise.resolve());
    expect(limiter.current).toBe(2);
    await successesInUse(limiter, 40);
    expect(limiter.current).toBe(2);
  });

  it('puts a host past its probation back into it after a pause, not after a short one, and never under a running task', async () => {
    let now = 0;
    const limiter = new Limiter(8, { initial: 2, probation: 40, idleMs: 250, refillMs: 1_000, now: () => now });
    await limiter.run(() => Promise.resolve());
    await successesInUse(limiter, 50);
    expect(limiter.current).toBe(8);
    now += 249;
    await limiter.run(() => Promise.resolve());
    expect(limiter.current).toBe(8);
    // A long task keeps the host busy: a second task started meanwhile does not restart anything.
    const long = hold();
    const running = limiter.run(() => long.done);
    now += 10_000;
    await limiter.run(() => Promise.resolve());
    expect(limiter.current).toBe(8);
    long.release();
    await running;
    // Half a second: back to two in flight, with half the probation (20 successes) still to go.
    now += 500;
    await limiter.run(() => Promise.resolve());
    expect(limiter.current).toBe(2);
    await successesInUse(limiter, 20);
    expect(limiter.current).toBe(2);
    await successesInUse(limiter, 1);
    expect(limiter.current).toBe(3);
  });

  it('after a throttle, a pause starts slow start over: the host has a limit and its bucket refilled', async () => {
    let now = 0;
    const limiter = new Limiter(8, { initial: 2, probation: 40, idleMs: 250, refillMs: 1_000, now: () => now });
    await limiter.run(() => Promise.resolve());
    await successesInUse(limiter, 50);
    limiter.shrink();
    expect(limiter.current).toBe(4);
    now += 100;
    await limiter.run(() => Promise.resolve());
    expect(limiter.current).toBe(4);
    now += 250;
    await limiter.run(() => Promise.resolve());
    expect(limiter.current).toBe(2);
    await successesInUse(limiter, 40);
    expect(limiter.current).toBe(2);
  });
});

/**
 * The transport against a token bucket, in virtual time: fetch answers after `latencyMs` of the
 * injected clock, and the driver jumps the clock to the next timer once every promise has settled.
 * No wall-clock timing is asserted; the counts are what a real server would see.
 */
function virtualServer(bucket: { capacity: number; refillPerSecond: number } | null, latencyMs: number) {
  let now = 0;
  const timers: Array<{ at: number; fire: () => void }> = [];
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      timers.push({ at: now + Math.max(0, ms), fire: resolve });
    });
  let tokens = bucket?.capacity ?? 0;
  let refilledAt = 0;
  const arrivals: Array<{ at: number; status: number; inFlight: number }> = [];
  let inFlight = 0;
  let peakInFlight = 0;
  const fetch = async (): Promise<FetchResponse> => {
    inFlight += 1;
    peakInFlight = Math.max(peakInFlight, inFlight);
    let status = 200;
    if (bucket !== null) {
      tokens = Math.min(bucket.capacity, tokens + ((now - refilledAt) / 1000) * bucket.refillPerSecond);
      refilledAt = now;
      if (tokens >= 1) tokens -= 1;
      else status = 429;
    }
    arrivals.push({ at: now, status, inFlight });
    await sleep(latencyMs);
    inFlight -= 1;
    return {
      status,
      headers: { get: (name) => (name === 'retry-after' && status === 429 ? '1' : null) },
      text: () => Promise.resolve('{}'),
    };
  };
  /** Runs `work` to completion, advancing the clock only when nothing else can happen. */
  async function drive<T>(work: Promise<T>): Promise<{ result: T; elapsedMs: number }> {
    let finished = false;
    const outcome = work.finally(() => {
      finished = true;
    });
    while (!finished) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (finished || timers.length === 0) continue;
      timers.sort((a, b) => a.at - b.at);
      const next = timers.shift();
      if (next === undefined) continue;
      now = Math.max(now, next.at);
      next.fire();
    }
    return { result: await outcome, elapsedMs: now };
  }
  const transport = new Transport({ fetch, sleep, now: () => now, random: () => 0.5, concurrency: 8 });
  return { transport, drive, arrivals, peak: () => peakInFlight, advance: (ms: number) => (now += ms) };
}

/** `total` GETs from `workers` at once (16: like many groups listing and submitting together). */
function burstOfRequests(transport: Transport, total: number, workers = 16): Promise<number[]> {
  let next = 0;
  const statuses: number[] = [];
  const worker = async (): Promise<void> => {
    while (next < total) {
      next += 1;
      const answer = await transport.send({
        method: 'GET',
        url: 'https://api.example.test/v2/lm/executions',
        headers: {},
        context: { operation: 'list' },
      });
      statuses.push(answer.status);
    }
  };
  return Promise.all(Array.from({ length: workers }, worker)).then(() => statuses);
}

describe('Transport pacing against a token bucket (virtual time)', () => {
  it.each([20, 50])(
    'earns at most 2 × 429 from a bucket of 20 refilled at 20/s (%i ms a round trip), and every request succeeds in the end',
    async (latencyMs) => {
      const server = virtualServer({ capacity: 20, refillPerSecond: 20 }, latencyMs);
      const { result, elapsedMs } = await server.drive(burstOfRequests(server.transport, 150));
      expect(result.filter((s) => s === 200)).toHaveLength(150);
      expect(server.arrivals.filter((a) => a.status === 429).length).toBeLessThanOrEqual(2);
      // Near the bucket's own pace: 130 requests beyond its capacity at 20/s, plus the one Retry-After.
      expect(elapsedMs).toBeLessThan(1.5 * ((150 / 20) * 1000));
    },
  );

  it('starts again slowly after a pause: a refilled bucket does not see a burst of eight', async () => {
    const server = virtualServer({ capacity: 20, refillPerSecond: 20 }, 20);
    await server.drive(burstOfRequests(server.transport, 10));
    server.advance(2_000); // the run plans; the bucket refills
    await server.drive(burstOfRequests(server.transport, 150));
    expect(server.arrivals.filter((a) => a.status === 429).length).toBeLessThanOrEqual(2);
  });

  it('earns at most 2 × 429 from a bucket of 20 at 20/s whatever the first burst, its demand and the pause after it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 60 }),
        fc.constantFrom(1, 2, 16),
        fc.integer({ min: 0, max: 3_000 }),
        fc.constantFrom(5, 10, 20, 30, 40, 50),
        async (first, workers, pauseMs, latencyMs) => {
          const server = virtualServer({ capacity: 20, refillPerSecond: 20 }, latencyMs);
          await server.drive(burstOfRequests(server.transport, first, workers));
          server.advance(pauseMs);
          await server.drive(burstOfRequests(server.transport, 120));
          return server.arrivals.filter((a) => a.status === 429).length <= 2;
        },
      ),
      { numRuns: 150 },
    );
  });

  it('after a short pause on a server without a limit, the second burst pays only the refilled part of the probation', async () => {
    const server = virtualServer(null, 20);
    await server.drive(burstOfRequests(server.transport, 24));
    server.advance(200); // a fifth of a second: the tracked bucket (24, refilled at 20/s) gains 4 tokens
    const before = server.arrivals.length;
    await server.drive(burstOfRequests(server.transport, 100));
    const second = server.arrivals.slice(before);
    // After 24 answers in about 0.24 s it held about 4.8; with the pause's 4 it lasts about 11 more
    // answers at two in flight (8.8 × 100 / 80). A full restart would need 30.
    const firstWide = second.findIndex((a) => a.inFlight > 2);
    expect(firstWide).toBeGreaterThanOrEqual(9);
    expect(firstWide).toBeLessThan(16);
    expect(server.peak()).toBe(8);
  });

  it('reaches full concurrency on a server without a limit, and never paces it', async () => {
    const server = virtualServer(null, 20);
    const { result } = await server.drive(burstOfRequests(server.transport, 150));
    expect(result).toHaveLength(150);
    expect(server.peak()).toBe(8);
    expect(server.arrivals.every((a) => a.status === 200)).toBe(true);
  });
});
