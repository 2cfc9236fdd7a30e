/**
 * How many requests may be in flight to one host: a counting semaphore with an adaptive limit
 * (AIMD, as TCP does) and a slow start. One per host, so many groups working concurrently slow
 * down together instead of storming a rate limit.
 *
 * - **Slow start.** A host starts with {@link SlowStart.initial} requests in flight. A token bucket
 *   hides its limit until it runs dry; at that moment only the requests in flight are refused, so a
 *   probation at two in flight keeps the first throttle to about two refusals. The probation ends
 *   at the first of:
 *   - the host has answered more than a bucket of {@link SlowStart.ceiling} could have served. It
 *     is tracked as such a bucket, a fifth larger for round trips that vary (capacity 1.2 ×
 *     ceiling, refilled at ceiling per second): at two in flight and 20 ms a round trip, 30 answers;
 *   - {@link SlowStart.probation} answers with the limit in use, for a host that answers too
 *     slowly to outpace the tracked bucket soon. (Beyond about 50 ms a round trip a bucket of
 *     `ceiling` may outlast this and earn more refusals when it runs dry; the pacer then holds.)
 *
 *   Then each success adds a slot (the limit doubles every round trip) up to `max`, until the first
 *   "too many". A fast server pays a few round trips.
 * - **A pause gives the probation back in proportion** (as TCP decays its window after idle,
 *   RFC 2861, rather than resetting it): while nothing is in flight the host's bucket refills, and
 *   so does the tracked one; the answer count loses `probation × t / refillMs`. A pause of
 *   {@link SlowStart.refillMs} starts slow start over. A host past its probation goes back into it
 *   after a pause of {@link SlowStart.idleMs}, as if its bucket had been empty: the tracked bucket
 *   holds what the pause refilled (`ceiling × t`), the count is `probation × (1 − t / refillMs)`.
 *   So the run's planning pause costs the apply phase only the part of the probation it refilled.
 * - **After a throttle** the limit halves and slow start ends; each success then adds about one
 *   slot per full window of successes, and a pause of `idleMs` starts slow start over (the host has
 *   a limit, and its bucket is full again).
 */
interface SlowStart {
  /** Requests in flight at the start and in every probation. */
  initial: number;
  /** The most answers at `initial` with the limit in use before it may grow (a host too slow to outpace `ceiling`). */
  probation: number;
  /** Requests per second the probation guards against: a token bucket of this capacity and refill per second. */
  ceiling: number;
  /** A pause this long (ms, nothing in flight) sends a host past its probation back into it. */
  idleMs: number;
  /** A pause this long (ms) gives back the whole probation: the limit's bucket is full again. */
  refillMs: number;
  now: () => number;
}

/** The tracked bucket's margin over `ceiling`: round trips vary, and a bucket may be a little larger. */
const VARYING = 1.2;

class Limiter {
  private active = 0;
  private limit = 0;
  private slowStart = false;
  /** Holding at `initial` until the probation ends (see the class comment). */
  private probation = false;
  /** Answers with the limit in use, toward the probation's most, less what pauses gave back (fractional). */
  private credit = 0;
  /** The bucket of `ceiling` the probation tracks: what it would hold now (below zero: the host outserved it). */
  private bucket = { tokens: 0, at: 0 };
  private lastActivity = Number.NEGATIVE_INFINITY;
  private readonly start: SlowStart;
  private readonly waiting: Array<() => void> = [];

  /**
   * @param max the most tasks ever allowed at once
   * @param slowStart where slow start begins; without it the limit starts at `max` and never restarts
   */
  constructor(
    private readonly max: number,
    slowStart?: Partial<SlowStart>,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency limit must be a positive integer, got ${max}`);
    this.start = {
      initial: Math.min(max, Math.max(1, slowStart?.initial ?? max)),
      probation: slowStart?.probation ?? 0,
      ceiling: slowStart?.ceiling ?? Number.POSITIVE_INFINITY,
      idleMs: slowStart?.idleMs ?? Number.POSITIVE_INFINITY,
      refillMs: slowStart?.refillMs ?? Number.POSITIVE_INFINITY,
      now: slowStart?.now ?? Date.now,
    };
    this.restart();
  }

  /** The number of tasks currently allowed to run at once. */
  get current(): number {
    return Math.floor(this.limit);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    // A wall clock may step back: that is no pause.
    if (this.active === 0) this.paused(Math.max(0, this.start.now() - this.lastActivity));
    if (this.active < this.current) this.active += 1;
    // A waiter is woken with its slot already counted, so a wake-up can never over-admit.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      this.active -= 1;
      this.lastActivity = this.start.now();
      this.drain();
    }
  }

  /** Multiplicative decrease: the server said "too many". Ends slow start (until the next restart). */
  shrink(): void {
    this.slowStart = false;
    this.probation = false;
    this.limit = Math.max(1, this.limit / 2);
  }

  /**
   * Slow start: after the probation, one slot more per success, so the limit doubles every round
   * trip until it reaches `max` or the first "too many"; after that, additive increase: about one
   * slot more per full window of successes.
   */
  grow(): void {
    // Toward the most only while the limit is in use: one request at a time shows nothing of a burst.
    if (this.active >= this.current || this.waiting.length > 0) this.credit += 1;
    this.bucket.tokens = this.tokensNow() - 1;
    this.bucket.at = this.start.now();
    if (this.probation && this.credit <= this.start.probation && this.bucket.tokens >= 0) return;
    this.probation = false;
    this.limit = Math.min(this.max, this.limit + (this.slowStart ? 1 : 1 / this.limit));
    this.drain();
  }

  /** What the tracked bucket holds now: refilled at `ceiling` per second since it was last drawn on. */
  private tokensNow(): number {
    const { ceiling, now } = this.start;
    if (!Number.isFinite(ceiling)) return Number.POSITIVE_INFINITY;
    const refilled = (ceiling * Math.max(0, now() - this.bucket.at)) / 1000;
    return Math.min(VARYING * ceiling, this.bucket.tokens + refilled);
  }

  /** Nothing was in flight for `ms`: the host's bucket, if it has one, refilled meanwhile. */
  private paused(ms: number): void {
    const { idleMs, refillMs, initial, probation, ceiling } = this.start;
    if (ms >= refillMs) {
      this.restart();
      return;
    }
    if (!this.slowStart) {
      if (ms >= idleMs) this.restart();
      return;
    }
    if (this.probation) {
      this.credit = Math.max(0, this.credit - (probation * ms) / refillMs);
      return;
    }
    if (ms < idleMs) return;
    // Back into the probation with what the pause refilled, as if the host's bucket had been empty.
    this.limit = initial;
    this.probation = true;
    this.credit = Math.max(0, probation - (probation * ms) / refillMs);
    const refilled = Number.isFinite(ceiling) ? Math.min(VARYING * ceiling, (ceiling * ms) / 1000) : Number.POSITIVE_INFINITY;
    this.bucket = { tokens: refilled, at: this.start.now() };
  }

  private restart(): void {
    this.limit = this.start.initial;
    this.slowStart = this.limit < this.max;
    this.probation = this.slowStart;
    this.credit = 0;
    this.bucket = { tokens: VARYING * this.start.ceiling, at: this.start.now() };
  }

  private drain(): void {
    while (this.active < this.current) {
      const next = this.waiting.shift();
      if (next === undefined) return;
      this.active += 1;
      next();
    }
  }
}

export { Limiter };
export type { SlowStart };
