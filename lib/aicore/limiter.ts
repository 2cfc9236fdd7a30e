/**
 * A counting semaphore with an adaptive limit (AIMD, as TCP does): at most `limit` tasks run at
 * once; a throttling answer halves the limit, each success adds back a fraction of a slot. One per
 * host, so many groups listed concurrently slow down together instead of storming a rate limit.
 */
class Limiter {
  private active = 0;
  private limit: number;
  private slowStart: boolean;
  private readonly waiting: Array<() => void> = [];

  /**
   * @param max the most tasks ever allowed at once
   * @param initial the limit to start from (slow start: grows by {@link grow} towards `max`); default `max`
   */
  constructor(
    private readonly max: number,
    initial: number = max,
  ) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`concurrency limit must be a positive integer, got ${max}`);
    this.limit = Math.min(max, Math.max(1, initial));
    this.slowStart = this.limit < max;
  }

  /** The number of tasks currently allowed to run at once. */
  get current(): number {
    return Math.floor(this.limit);
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active < this.current) this.active += 1;
    // A waiter is woken with its slot already counted, so a wake-up can never over-admit.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      this.active -= 1;
      this.drain();
    }
  }

  /** Multiplicative decrease: the server said "too many". Ends slow start for good. */
  shrink(): void {
    this.slowStart = false;
    this.limit = Math.max(1, this.limit / 2);
  }

  /**
   * Slow start (as TCP's): one slot more per success, so the limit doubles every round trip until
   * it reaches `max` or the first "too many"; after that, additive increase: about one slot more per
   * full window of successes.
   */
  grow(): void {
    this.limit = Math.min(this.max, this.limit + (this.slowStart ? 1 : 1 / this.limit));
    this.drain();
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
