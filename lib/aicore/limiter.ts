/**
 * How many requests may be in flight to one host: a counting semaphore with an adaptive limit
 * (AIMD, as TCP does) and a slow start. One per host, so many groups working concurrently slow
 * down together instead of storming a rate limit.
 *
 * - **Slow start.** A host starts with {@link SlowStart.initial} requests in flight. After its
 *   probation each success adds a slot (the limit doubles every round trip) up to `max`, until the
 *   first "too many". A token bucket hides its limit until it runs dry; at that moment only the
 *   requests in flight are refused, so a probation at two in flight keeps the first throttle to
 *   about two refusals. The probation lasts as many answers as a bucket of
 *   {@link SlowStart.ceiling} (capacity and refill per second) takes to run dry at the pace the
 *   host answers (`initial` per round trip), a fifth more for round trips that vary, and at most
 *   {@link SlowStart.probation}: at 20 ms a round trip 30 answers, from 40 ms on 40. A fast server
 *   pays a few round trips.
 * - **A pause gives the probation back in proportion** (as TCP decays its window after idle,
 *   RFC 2861, rather than resetting it): while nothing is in flight a rate limiter's bucket refills,
 *   so the successes that would have emptied it count for less. A per-second limit is full again
 *   after {@link SlowStart.refillMs}, so a pause of `t` takes back `t / refillMs` of the probation; a pause of `refillMs` or more starts slow start over. A host past its probation
 *   goes back to `initial` in flight, with what is left, after a pause of {@link SlowStart.idleMs}.
 *   So the run's planning pause costs the apply phase only the part of the probation it refilled,
 *   not all of it.
 * - **After a throttle** the limit halves and slow start ends; each success then adds about one
 *   slot per full window of successes, and a pause of `idleMs` starts slow start over (the host has
 *   a limit, and its bucket is full again).
 */
interface SlowStart {
  /** Requests in flight at the start and in every probation. */
  initial: number;
  /** The most successes at `initial` before the limit may grow (a round trip too slow to outpace `ceiling`). */
  probation: number;
  /** Requests per second the probation guards against: a token bucket of this capacity and refill per second. */
  ceiling: number;
  /** A pause this long (ms, nothing in flight) sends a host past its probation back into it. */
  idleMs: number;
  /** A pause this long (ms) gives back the whole probation: the limit's bucket is full again. */
  refillMs: number;
  now: () => number;
}

/** The probation's margin over the bucket arithmetic: round trips vary, and a bucket may be a little larger. */
const VARYING = 1.2;

class Limiter {
  private active = 0;
  private limit = 0;
  private slowStart = false;
  /** Successes toward the probation, less what pauses gave back (fractional). */
  private credit = 0;
  /** Round trips of successes so far: the pace the host answers at. */
  private roundTrips = { count: 0, totalMs: 0 };
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
    if (this.active === 0) this.paused(this.start.now() - this.lastActivity);
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
    this.limit = Math.max(1, this.limit / 2);
  }

  /**
   * A success that took `roundTripMs`. Slow start: after the probation, one slot more per success,
   * so the limit doubles every round trip until it reaches `max` or the first "too many"; after
   * that, additive increase: about one slot more per full window of successes.
   */
  grow(roundTripMs = 0): void {
    this.roundTrips.count += 1;
    this.roundTrips.totalMs += Math.max(0, roundTripMs);
    this.credit += 1;
    if (this.slowStart && this.credit <= this.probation()) return;
    this.limit = Math.min(this.max, this.limit + (this.slowStart ? 1 : 1 / this.limit));
    this.drain();
  }

  /**
   * Successes at `initial` after which a bucket of `ceiling` (capacity `ceiling`, refilled at
   * `ceiling`/s) would have run dry: at `rate` answers a second it holds out for
   * ceiling × rate / (rate − ceiling) answers.
   */
  private probation(): number {
    const { probation, ceiling, initial } = this.start;
    const { count, totalMs } = this.roundTrips;
    if (!Number.isFinite(ceiling)) return probation;
    // Answers so fast that the refill does not count: the bucket lasts its capacity.
    if (totalMs === 0) return Math.min(probation, Math.ceil(VARYING * ceiling));
    const rate = (initial * 1000 * count) / totalMs;
    if (rate <= VARYING * ceiling) return probation;
    return Math.min(probation, Math.ceil((VARYING * ceiling * rate) / (rate - ceiling)));
  }

  /** Nothing was in flight for `ms`: the host's bucket, if it has one, refilled meanwhile. */
  private paused(ms: number): void {
    const { idleMs, refillMs, initial } = this.start;
    if (ms >= refillMs) {
      this.restart();
      return;
    }
    if (!this.slowStart) {
      if (ms >= idleMs) this.restart();
      return;
    }
    const probation = this.probation();
    const inProbation = this.credit <= probation;
    if (!inProbation && ms < idleMs) return;
    this.credit = Math.max(0, Math.min(this.credit, probation) - (probation * ms) / refillMs);
    if (!inProbation) this.limit = initial;
  }

  private restart(): void {
    this.limit = this.start.initial;
    this.slowStart = this.limit < this.max;
    this.credit = 0;
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
