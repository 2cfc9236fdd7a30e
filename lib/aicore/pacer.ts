/**
 * Request pacing per host: a client-side rate limit learned from the server's 429s. (How many
 * requests are in flight, and the slow start that keeps the first throttle small, is the
 * Limiter's job: limiter.ts.) A concurrency limit alone cannot respect a rate limit when answers
 * come back in milliseconds; a pace can.
 *
 * - **Unpaced until the first 429.** A host that never throttles is never slowed down here.
 * - **After a 429** (once per burst: answers in flight come back together) the rate drops to
 *   {@link BACKOFF} of what the server can sustain, estimated from the burst that just ended: a
 *   token bucket that runs dry has served its capacity plus its refill since the burst began, and
 *   with a capacity of about one second's refill (the usual shape of a per-second limit) that is
 *   refill × (1 + seconds of burst). A burst begins after a pause of `burstGapMs` (the bucket
 *   refills while nothing is sent). The rate then grows back only slowly
 *   ({@link RECOVERY_PER_SECOND}). `Retry-After` is honoured for every request to the host, and
 *   no burst follows the wait: the server's bucket is empty.
 *
 * Pacing only delays a request's start; it never re-sends anything and never waits past a deadline.
 */
const BURST = 4;
const UNPACED_RATE = 1_000;
const BACKOFF = 0.9;
const MIN_RATE = 0.5;
const RECOVERY_PER_SECOND = 0.02;

class Pacer {
  /** Requests per second; at or above UNPACED_RATE there is no pace. */
  private rate = UNPACED_RATE;
  /** Theoretical arrival time of the next request (GCRA): bursts of BURST, then one per interval. */
  private tat = Number.NEGATIVE_INFINITY;
  private retryUntil = Number.NEGATIVE_INFINITY;
  private lastThrottle = Number.NEGATIVE_INFINITY;
  private lastGrowth = Number.NEGATIVE_INFINITY;
  /** The current burst: its first success, its last, and how many it had (see {@link throttled}). */
  private burstStart = Number.NEGATIVE_INFINITY;
  private lastSuccess = Number.NEGATIVE_INFINITY;
  private burstServed = 0;

  /**
   * @param burstGapMs a pause between successes this long starts a new burst (the Limiter's idleMs)
   */
  constructor(
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
    private readonly burstGapMs = 250,
  ) {}

  /** Current pace in requests per second (Infinity: unpaced). */
  get requestsPerSecond(): number {
    return this.rate >= UNPACED_RATE ? Number.POSITIVE_INFINITY : this.rate;
  }

  private interval(): number {
    return this.rate >= UNPACED_RATE ? 0 : 1000 / this.rate;
  }

  /**
   * Waits for this request's turn and books it. False, without waiting or booking, when the turn
   * would come at or after `deadline`: a Retry-After longer than the run has left is never slept through.
   */
  async turn(deadline = Number.POSITIVE_INFINITY): Promise<boolean> {
    const now = this.now();
    const interval = this.interval();
    const start = Math.max(now, this.retryUntil, this.tat - (BURST - 1) * interval);
    if (start >= deadline) return false;
    this.tat = Math.max(this.tat, start) + interval;
    if (start > now) await this.sleep(start - now);
    return true;
  }

  /** Requests already in flight answer 429 together: slow down once per burst, not once per answer. */
  throttled(retryAfterMs: number): void {
    const now = this.now();
    if (now >= this.lastThrottle + Math.max(this.interval(), retryAfterMs, 1)) {
      // Served = capacity + refill × seconds, with a capacity of about one second's refill.
      const seconds = Math.max(0, now - this.burstStart) / 1000;
      const sustained = this.burstServed / (1 + seconds);
      this.rate = Math.max(MIN_RATE, Math.min(this.rate, sustained > 0 ? sustained : this.rate) * BACKOFF);
      this.lastThrottle = now;
      this.lastGrowth = now;
    }
    this.retryUntil = Math.max(this.retryUntil, now + retryAfterMs);
    // No burst straight after the wait: the server's bucket is empty.
    this.tat = Math.max(this.tat, this.retryUntil + this.interval() * (BURST - 1));
  }

  succeeded(): void {
    const now = this.now();
    // After a pause the server's bucket has refilled: a new burst begins.
    if (now - this.lastSuccess >= this.burstGapMs) {
      this.burstStart = now;
      this.burstServed = 0;
    }
    this.lastSuccess = now;
    this.burstServed += 1;
    const elapsed = Math.max(0, now - this.lastGrowth) / 1000;
    this.lastGrowth = now;
    this.rate = Math.min(UNPACED_RATE, this.rate * (1 + RECOVERY_PER_SECOND * elapsed));
  }
}

export { Pacer, BACKOFF, BURST, UNPACED_RATE };
