/**
 * A scheduled janitor is retried, delivered twice, overlaps with itself and gets killed mid-run.
 * This wrapper makes each of those harmless: a trigger id runs at most once (a duplicate gets the
 * first run's summary), and a lease-based lock keeps two runs from acting at the same time.
 */
import type { TriggerRecord } from '../store/store.js';
import type { RunReport } from './report.js';
import { runJanitor, type RunConfig } from './run.js';

type GuardedResult =
  | { status: 'done'; report: RunReport }
  | { status: 'duplicate'; first: TriggerRecord }
  | { status: 'locked'; message: string };

interface GuardOptions {
  /** Unique per delivery source: the EventBridge event id, a Slack retry's original id, … */
  triggerId: string;
  /** When this invocation's lease ends (in Lambda: now + remaining time). */
  leaseUntil: Date;
}

function summarise(report: RunReport): string {
  const t = report.totals;
  return `run ${report.runId}: plan ${report.plan.hash.slice(0, 12)}, ${report.dryRun ? 'dry run' : 'applied'}; ${t.planned} planned, ${t.submitted} submitted, ${t.confirmed} confirmed, ${t.failed} failed`;
}

async function runGuarded(config: RunConfig, guard: GuardOptions): Promise<GuardedResult> {
  const { store } = config;
  const now = (config.clock ?? (() => new Date()))();
  const earlier = await store.beginTrigger(guard.triggerId, config.runId, now);
  if (earlier !== undefined) return { status: 'duplicate', first: earlier };

  // Only a run that may act needs to exclude others; a dry run changes nothing but observations.
  const locking = config.consent;
  if (locking && !(await store.acquireLock(config.runId, guard.leaseUntil, now))) {
    const message = 'another run holds the lock; this trigger was skipped';
    await store.finishTrigger(guard.triggerId, 'done', message);
    return { status: 'locked', message };
  }
  try {
    const report = await runJanitor(config);
    await store.finishTrigger(guard.triggerId, 'done', summarise(report));
    return { status: 'done', report };
  } catch (error) {
    // A failed run may be retried by the same trigger (Lambda's async retries): let it.
    await store.finishTrigger(guard.triggerId, 'failed', error instanceof Error ? error.message : String(error));
    throw error;
  } finally {
    if (locking) await store.releaseLock(config.runId);
  }
}

export { runGuarded, summarise };
export type { GuardedResult, GuardOptions };
