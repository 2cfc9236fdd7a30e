/**
 * The run lock as a lease that holds while the run works: taken for one lease period (never past
 * the run's deadline plus a margin), renewed before a request whenever less than half a period is
 * left, released at the end. A renewal that fails means another run may have the lock: from then
 * on this run sends nothing more (`keep()` throws for good).
 */
import type { LockAttempt, LockStore } from '../store/ports.js';
import { RunError } from './errors.js';

/** The run lost its lease (or never had one): nothing more may be sent. */
class LeaseLostError extends RunError {
  override name = 'LeaseLostError';
}

interface LeaseOptions {
  owner: string;
  /** How long one acquisition or renewal holds when the run dies without releasing. */
  periodMs: number;
  /** The run's deadline: no request starts after it, so the lease never needs to reach further. */
  deadline: Date;
  /** Covers bookkeeping after the deadline and clock skew between hosts. */
  marginMs: number;
  clock: () => Date;
}

/** As the lock answered: a refusal names the holder (and, for a group lock, whether the run lock refused). */
type LeaseStart = LockAttempt;

class RunLease {
  private until = 0;
  private lost: LeaseLostError | undefined;
  private renewing: Promise<void> | undefined;
  /** Renewals made, for tests and logs. */
  renewals = 0;

  constructor(
    private readonly lock: LockStore,
    private readonly options: LeaseOptions,
  ) {}

  async acquire(): Promise<LeaseStart> {
    const now = this.options.clock();
    const until = this.target(now.getTime());
    const attempt = await this.lock.acquireLock(this.options.owner, new Date(until), now);
    if (attempt.acquired) this.until = until;
    return attempt;
  }

  /** Before every request: renews when due; throws LeaseLostError when the lease cannot be kept. */
  async keep(): Promise<void> {
    if (this.lost !== undefined) throw this.lost;
    const now = this.options.clock().getTime();
    const target = this.target(now);
    // Past the deadline plus its margin the lease cannot be extended: the run must stop sending.
    if (target <= now) {
      this.lost = new LeaseLostError(
        `the lease ended at ${new Date(this.until).toISOString()} and cannot be extended past the run's deadline; nothing more is sent`,
      );
      throw this.lost;
    }
    if (this.until - now >= this.options.periodMs / 2 || target <= this.until) {
      if (now < this.until) return;
    }
    // Concurrent requests share one renewal.
    this.renewing ??= this.renew(target).finally(() => {
      this.renewing = undefined;
    });
    await this.renewing;
  }

  /** Releases the lock; from then on `keep()` refuses, so nothing of this run can send after it. */
  async release(): Promise<void> {
    this.lost ??= new LeaseLostError('the run has ended and released its lock; nothing more is sent');
    await this.lock.releaseLock(this.options.owner);
  }

  private async renew(until: number): Promise<void> {
    const renewed = await this.lock.renewLock(this.options.owner, new Date(until)).catch(() => false);
    if (!renewed) {
      this.lost = new LeaseLostError(
        `the run lock could not be renewed (it expired at ${new Date(this.until).toISOString()} or another run holds it); nothing more is sent`,
      );
      throw this.lost;
    }
    this.until = until;
    this.renewals += 1;
  }

  private target(now: number): number {
    return Math.min(now + this.options.periodMs, this.options.deadline.getTime() + this.options.marginMs);
  }
}

export { RunLease, LeaseLostError };
export type { LeaseOptions, LeaseStart };
