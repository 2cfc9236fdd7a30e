/**
 * How many requests may be in flight to one host: a counting semaphore with an adaptive limit
 * (AIMD, as TCP does) and a slow start. One per host, so many groups working concurrently slow
 * down together instead of storming a rate limit.
 *
 * - **Slow start.** A host starts with {@link SlowStart.initial} requests in flight. After
 *   {@link SlowStart.probation} successes each success adds a slot (the limit doubles every round
 *   trip) up to `max`, until the first "too many". A token bucket hides its limit until it runs dry;
 *   at that moment only the requests in flight are refused, so a short probation at two in flight
 *   keeps the first throttle to about two refusals, and costs a fast server a few round trips.
 * - **Restart after idle** (as TCP after an idle period, RFC 5681 §4.1): when nothing ran for
 *   {@link SlowStart.idleMs}, the next request starts a new slow start. A rate limiter's bucket fills
 *   up while nothing is sent, so the next burst would again meet it full and then empty.
 * - **After a throttle** the limit halves and slow start ends; each success then adds about one
 *   slot per full window of successes.
 */
interface SlowStart {
  /** Requests in flight at the start and after every restart. */
  initial: number;
  /** Successes at `initial` before the limit may grow. */
  probation: number;
  /** A pause this long (ms, nothing in flight) restarts slow start. */
  idleMs: number;
  now: () => number;
}

class Limiter {
  private active = 0;
  private limit = 0;
  private slowStart = false;
  private successes = 0;
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
      idleMs: slowStart?.idleMs ?? Number.POSITIVE_INFINITY,
      now: slowStart?.now ?? Date.now,
    };
    this.restart();
  }

  /** The number of tasks currently allowed to run at once. */
  get current(): number {
    return Math.floor(this.limit);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active === 0 && this.start.now() - this.lastActivity >= this.start.idleMs) this.restart();
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
   * Slow start: after the probation, one slot more per success, so the limit doubles every round
   * trip until it reaches `max` or the first "too many"; after that, additive increase: about one
   * slot more per full window of successes.
   */
  grow(): void {
    this.successes += 1;
    if (this.slowStart && this.successes <= this.start.probation) return;
    this.limit = Math.min(this.max, this.limit + (this.slowStart ? 1 : 1 / this.limit));
    this.drain();
  }

  private restart(): void {
    this.limit = this.start.initial;
    this.slowStart = this.limit < this.max;
    this.successes = 0;
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
