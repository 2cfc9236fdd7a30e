/**
 * The coordinator: list and plan every group (phase one), check the run-wide verdict, then let
 * each group apply its own plan (phase two) and merge the results into one report. Acting needs
 * both the policy's `mode: apply` and the trigger's consent; everything else is a dry run.
 */
import type { AiCoreClient } from '../aicore/client.js';
import { evaluate, type Policy } from '../policy/index.js';
import type { Plan } from '../policy/plan.js';
import type { JanitorStore } from '../store/ports.js';
import { applyGroup, type GroupResult } from './apply-group.js';
import type { RunLease } from './lease.js';
import { listFleet } from './list-fleet.js';
import { observeListed, splitByPlan } from './observe.js';
import { givesNotices, noticeChanges, spentNotices } from './notices.js';
import { mapLimited } from '../util/concurrency.js';
import { sleep } from '../util/time.js';
import { RUN_DEFAULTS } from './defaults.js';
import { DeadlineReachedError } from './errors.js';
import { REPORT_VERSION, summaryLine, totalsOf, type ItemOutcome, type RunReport } from './report.js';

interface RunConfig {
  client: AiCoreClient;
  store: JanitorStore;
  policy: Policy;
  /** Who started the run, e.g. `schedule`, `cli`, `slack:U123`. */
  trigger: string;
  /** The trigger's consent to act; the policy must also say `mode: apply`. */
  consent: boolean;
  runId: string;
  /** No request starts after this (Lambda: remaining time minus a margin; CLI: --deadline). */
  deadline?: Date | undefined;
  /** Restrict the run to these groups; default: every PROVISIONED group. */
  groups?: readonly string[] | undefined;
  clock?: () => Date;
  groupConcurrency?: number;
  confirm?: { attempts?: number; delayMs?: number; sleep?: (ms: number) => Promise<void> };
  onProgress?: (message: string) => void;
  /** Asked once, after planning and before the first action (the CLI's confirmation prompt). */
  approve?: (plan: Plan) => Promise<boolean>;
  /**
   * Act only if the fresh plan has exactly this hash: a chat-ops approval covers the decisions the
   * approver saw, never a plan that changed since.
   */
  requirePlanHash?: string | undefined;
  /** How long a sent-but-unconfirmed action is trusted before a later run sends it again. */
  resubmitAfterMs?: number;
  /** Whether this run records heads-up notices; default: scheduled runs and applies do (notices.ts). */
  recordNotices?: boolean;
}

async function runJanitor(config: RunConfig, lease?: RunLease): Promise<RunReport> {
  const clock = config.clock ?? (() => new Date());
  const progress = config.onProgress ?? (() => undefined);
  const started = clock();
  const deadline = config.deadline ?? new Date(started.getTime() + RUN_DEFAULTS.deadlineMs);
  const concurrency = config.groupConcurrency ?? RUN_DEFAULTS.groupConcurrency;
  const { store } = config;
  const storeBefore = store.requests;
  const callsBefore = config.client.requestsSent;

  // Before every request attempt: the deadline, then the lease (renewed when due).
  const gate = async (): Promise<void> => {
    if (clock().getTime() >= deadline.getTime())
      throw new DeadlineReachedError(`the run's deadline (${deadline.toISOString()}) was reached`, deadline);
    await lease?.keep();
  };
  const client = config.client.withGate(gate);

  const [capabilities, fleet, warmNodes] = await Promise.all([
    client.capabilities(),
    listFleet(client, { groups: config.groups, concurrency, onProgress: progress }),
    // Standing cost for the report; never acted on, and a failed read is only `unknown`.
    client.warmNodes(),
  ]);
  const listed = fleet.filter((g) => g.listingError === null);
  const listingFailures = fleet.flatMap((g) => (g.listingError === null ? [] : [{ group: g.group, error: g.listingError }]));

  const { observations, withNotices, newlyStopped } = await observeListed(store, listed, config.policy, started);
  const plan = evaluate({ fleet, policy: config.policy, now: started, observations });
  // First seen STOPPED, recorded before anything acts; an item this run deletes only if it does not act after all.
  const stoppedNow = splitByPlan(newlyStopped, plan);
  await store.recordStopped(stoppedNow.kept, started);
  // Written before anything acts: an item noticed now is never acted on by this run.
  if (withNotices && givesNotices(config)) await store.writeNotices(noticeChanges(plan));
  let notApplied = !config.consent
    ? 'dry run: the trigger did not ask to apply'
    : plan.mode !== 'apply'
      ? 'dry run: the policy says mode: dry-run'
      : plan.aborted !== null
        ? `aborted before acting: ${plan.aborted.reason}`
        : config.requirePlanHash !== undefined && config.requirePlanHash !== plan.hash
          ? `not applied: the plan changed since it was approved (approved ${config.requirePlanHash.slice(0, 12)}, now ${plan.hash.slice(0, 12)})`
          : null;
  const actionable = plan.groups.some((g) => g.aborted === null && g.actions.length > 0);
  if (notApplied === null && actionable && config.approve !== undefined && !(await config.approve(plan)))
    notApplied = 'not applied: declined at the prompt';
  if (notApplied !== null) await store.recordStopped(stoppedNow.acted, started);

  let outcomes: ItemOutcome[] = [];
  let stopped: string | null = null;
  if (notApplied === null) {
    const confirm = {
      attempts: config.confirm?.attempts ?? RUN_DEFAULTS.confirmAttempts,
      delayMs: config.confirm?.delayMs ?? RUN_DEFAULTS.confirmDelayMs,
      sleep: config.confirm?.sleep ?? sleep,
    };
    const actions = plan.groups.reduce((n, g) => n + (g.aborted === null ? g.actions.length : 0), 0);
    if (actions > 0) progress(`applying ${actions} action(s)`);
    // Every listed group runs, also without actions: it settles what earlier runs left open. A
    // group that fails finishes what it has in flight first, so no request or ledger write of this
    // run happens after the run has been declared failed (and its lock released).
    const results = await mapLimited(
      listed,
      concurrency,
      (groupFleet): Promise<GroupResult> =>
        applyGroup(
          plan.groups.find((g) => g.group === groupFleet.group),
          groupFleet,
          {
            client,
            ledger: store,
            bulkUpdates: capabilities.bulkUpdates,
            planHash: plan.hash,
            runId: config.runId,
            clock,
            gate,
            confirm,
            resubmitAfterMs: config.resubmitAfterMs ?? RUN_DEFAULTS.resubmitAfterMs,
          },
        ),
    );
    outcomes = results.flatMap((r) => r.outcomes);
    const spent = spentNotices(outcomes, observations);
    if (spent.drop.length > 0) await store.writeNotices(spent);
    stopped = results.find((r) => r.stopped !== null)?.stopped ?? null;
    // Counted before any failure is reported: the daily cap must know what was sent regardless.
    await store.countActions(
      results.reduce((n, r) => n + r.sent, 0),
      clock(),
    );
    const failed = results.find((r) => r.error !== undefined);
    if (failed !== undefined) throw failed.error;
  }

  const planned = plan.groups.reduce((n, g) => n + g.actions.length, 0);
  const report: RunReport = {
    version: REPORT_VERSION,
    runId: config.runId,
    trigger: config.trigger,
    startedAt: started.toISOString(),
    finishedAt: clock().toISOString(),
    deadline: deadline.toISOString(),
    dryRun: notApplied !== null,
    notApplied,
    stopped,
    listingFailures,
    complete: listingFailures.length === 0,
    plan,
    outcomes,
    totals: totalsOf(planned, outcomes),
    warmNodes,
    apiCalls: 0,
    storeRequests: 0,
  };
  await store.recordRun({
    runId: report.runId,
    trigger: report.trigger,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    dryRun: report.dryRun,
    planHash: plan.hash,
    summary: summaryLine(report),
  });
  report.apiCalls = config.client.requestsSent - callsBefore;
  report.storeRequests = store.requests - storeBefore;
  return report;
}

export { runJanitor };
export type { RunConfig };
