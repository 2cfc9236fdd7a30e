/**
 * A scheduled janitor is retried, delivered twice, overlaps with itself and gets killed mid-run.
 * This wrapper makes each of those harmless: a trigger id runs at most once while its first run is
 * alive (a duplicate gets what the first did; a run that died is retried once its lease passes),
 * and a renewed lease keeps two acting runs of one tenant apart.
 */
import { GROUP_RUNS_OWNER, type LockRecord, type TriggerRecord } from '../store/records.js';
import { RunLease } from './lease.js';
import type { RunReport } from './report.js';
import { summaryLine } from './report.js';
import { RUN_DEFAULTS } from './defaults.js';
import { runJanitor, type RunConfig } from './run.js';
import { errorMessage } from '../util/errors.js';

type GuardedResult =
  | { status: 'done'; report: RunReport /** An earlier delivery that failed or died, which this one replaced. */; retried?: TriggerRecord }
  | { status: 'duplicate'; first: TriggerRecord }
  | { status: 'locked'; message: string; holder: LockRecord | undefined };

interface GuardOptions {
  /** Unique per delivery source: the EventBridge event id, a Slack retry's original id, … */
  triggerId: string;
  /** One lease period: how long a run that dies keeps others out (default 15 min). */
  leasePeriodMs?: number;
  /** How far the lease reaches past the run's deadline (default 30 s). */
  leaseMarginMs?: number;
}

const LEASE_DEFAULTS = { periodMs: 15 * 60_000, marginMs: 30_000 } as const;

function summarise(report: RunReport): string {
  return `run ${report.runId}: plan ${report.plan.hash.slice(0, 12)}, ${report.dryRun ? 'dry run' : 'applied'}; ${summaryLine(report)}`;
}

async function runGuarded(config: RunConfig, guard: GuardOptions): Promise<GuardedResult> {
  const { store } = config;
  const clock = config.clock ?? (() => new Date());
  const now = clock();
  const before = store.requests;
  const deadline = config.deadline ?? new Date(now.getTime() + RUN_DEFAULTS.deadlineMs);
  const marginMs = guard.leaseMarginMs ?? LEASE_DEFAULTS.marginMs;
  const periodMs = guard.leasePeriodMs ?? LEASE_DEFAULTS.periodMs;

  // The trigger's in-progress record lives as long as the run can: past it, the run has died.
  const begin = await store.beginTrigger(guard.triggerId, config.runId, now, new Date(deadline.getTime() + marginMs));
  if (begin.kind === 'duplicate') return { status: 'duplicate', first: begin.earlier };

  // Only a run that may act needs to exclude others; a dry run changes nothing but observations.
  const lease = config.consent ? new RunLease(store, { owner: config.runId, periodMs, deadline, marginMs, clock }) : undefined;
  if (lease !== undefined) {
    const attempt = await lease.acquire();
    if (!attempt.acquired) {
      const holder = attempt.holder;
      const who =
        holder === undefined
          ? 'another run'
          : holder.owner === GROUP_RUNS_OWNER
            ? "the state machine's group runs"
            : `run ${holder.owner}${holder.acquiredAt === undefined ? '' : ` (started ${holder.acquiredAt})`}`;
      const until = holder === undefined ? '' : ` until ${new Date(holder.leaseUntil).toISOString()}`;
      const holds = holder?.owner === GROUP_RUNS_OWNER ? 'hold' : 'holds';
      const message = `${who} ${holds} the run lock${until}; this trigger was skipped`;
      await store.finishTrigger(guard.triggerId, config.runId, 'done', message);
      return { status: 'locked', message, holder };
    }
  }
  try {
    const report = await runJanitor({ ...config, deadline }, lease);
    await store.finishTrigger(guard.triggerId, config.runId, 'done', summarise(report));
    if (lease !== undefined) await lease.release();
    report.storeRequests = store.requests - before;
    return { status: 'done', report, ...(begin.kind === 'retry' ? { retried: begin.earlier } : {}) };
  } catch (error) {
    // A failed run may be retried by the same trigger (Lambda's async retries): let it.
    await store.finishTrigger(guard.triggerId, config.runId, 'failed', errorMessage(error));
    if (lease !== undefined) await lease.release();
    throw error;
  }
}

export { runGuarded, summarise, LEASE_DEFAULTS };
export type { GuardedResult, GuardOptions };
