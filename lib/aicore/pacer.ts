/**
 * Request pacing per host, adapted to the server's answers: a 429 doubles the gap between request
 * starts (and honours Retry-After for everyone), each success shrinks it a little. A concurrency
 * limit alone cannot respect a rate limit when answers come back in milliseconds; a pace can.
 */
const MIN_GAP_MS = 25;
const MAX_GAP_MS = 2_000;
const DECAY = 0.9;

class Pacer {
  private gapMs = 0;
  private nextStart = 0;
  private lastThrottle = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  /**
   * Waits for this request's turn and books the next one. False, without waiting or booking, when
   * the turn would come at or after `deadline`: a Retry-After longer than the run has left is never
   * slept through.
   */
  async turn(deadline = Number.POSITIVE_INFINITY): Promise<boolean> {
    const now = this.now();
    const start = Math.max(now, this.nextStart);
    if (start >= deadline) return false;
    this.nextStart = start + this.gapMs;
    if (start > now) await this.sleep(start - now);
    return true;
  }

  /** Requests already in flight answer 429 together: slow down once per burst, not once per answer. */
  throttled(retryAfterMs: number): void {
    const now = this.now();
    if (now >= this.lastThrottle + Math.max(this.gapMs, retryAfterMs)) {
      this.gapMs = Math.min(MAX_GAP_MS, Math.max(MIN_GAP_MS, this.gapMs * 2));
      this.lastThrottle = now;
    }
    this.nextStart = Math.max(this.nextStart, now + retryAfterMs);
  }

  succeeded(): void {
    this.gapMs = this.gapMs * DECAY < 1 ? 0 : this.gapMs * DECAY;
  }
}

export { Pacer };
