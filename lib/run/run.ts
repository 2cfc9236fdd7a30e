/**
 * The coordinator: list and plan every group (phase one), check the run-wide verdict, then let
 * each group apply its own plan (phase two) and merge the results into one report. Acting needs
 * both the policy's `mode: apply` and the trigger's consent; everything else is a dry run.
 */
import type { AiCoreClient } from '../aicore/client.js';
import { mapLimited } from '../aicore/limiter.js';
import { evaluate, type Policy } from '../policy/index.js';
import { observationKey } from '../policy/observations.js';
import type { Plan } from '../policy/plan.js';
import type { JanitorStore } from '../store/store.js';
import { applyGroup } from './apply-group.js';
import { confirmEarlierEntries } from './confirm-earlier.js';
import { listFleet } from './list-fleet.js';
import { REPORT_VERSION, totalsOf, type ItemOutcome, type RunReport } from './report.js';

interface RunConfig {
  client: AiCoreClient;
  store: JanitorStore;
  policy: Policy;
  /** Who started the run, e.g. `schedule`, `cli`, `slack:U123`. */
  trigger: string;
  /** The trigger's consent to act; the policy must also say `mode: apply`. */
  consent: boolean;
  runId: string;
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
  requirePlanHash?: string;
  /** How long a submitted-but-unconfirmed action is trusted before a later run sends it again. */
  resubmitAfterMs?: number;
}

const DEFAULT_RESUBMIT_AFTER_MS = 15 * 60_000;

async function runJanitor(config: RunConfig): Promise<RunReport> {
  const clock = config.clock ?? (() => new Date());
  const progress = config.onProgress ?? (() => undefined);
  const started = clock();
  const { client, store } = config;

  const capabilities = await client.capabilities();
  const fleet = await listFleet(client, { groups: config.groups, concurrency: config.groupConcurrency ?? 4, onProgress: progress });

  const observations = await store.observations(fleet.map((g) => g.group), started);
  const newlyStopped = fleet.flatMap((g) =>
    g.resources.filter((r) => r.item.status === 'STOPPED' && observations.firstSeenStopped[observationKey(r.group, r.type, r.item.id)] === undefined).map((r) => ({ group: r.group, type: r.type, id: r.item.id })),
  );
  await store.recordStopped(newlyStopped, started);

  const plan = evaluate({ fleet, policy: config.policy, now: started, observations });
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
  if (notApplied === null && actionable && config.approve !== undefined && !(await config.approve(plan))) notApplied = 'not applied: declined at the prompt';

  let outcomes: ItemOutcome[] = [];
  if (notApplied === null) {
    const confirm = { attempts: config.confirm?.attempts ?? 3, delayMs: config.confirm?.delayMs ?? 2000, sleep: config.confirm?.sleep ?? sleep };
    // Every group finishes (or fails) on its own before the run reports a failure: a group must never
    // keep writing to the ledger after its run has already been declared over.
    const perGroup = await mapLimited(plan.groups, config.groupConcurrency ?? 4, async (groupPlan): Promise<PromiseSettledResult<ItemOutcome[]>> => {
      const groupFleet = fleet.find((g) => g.group === groupPlan.group);
      if (groupFleet === undefined || groupPlan.aborted !== null || groupPlan.actions.length === 0) return { status: 'fulfilled', value: [] };
      progress(`applying ${groupPlan.actions.length} action(s) in ${groupPlan.group}`);
      const applied = applyGroup(groupPlan, groupFleet, {
        client,
        store,
        bulkUpdates: capabilities.bulkUpdates,
        planHash: plan.hash,
        runId: config.runId,
        clock,
        confirm,
        resubmitAfterMs: config.resubmitAfterMs ?? DEFAULT_RESUBMIT_AFTER_MS,
      });
      return applied.then(
        (value) => ({ status: 'fulfilled', value }),
        (reason: unknown) => ({ status: 'rejected', reason }),
      );
    });
    const failure = perGroup.find((r) => r.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
    outcomes = perGroup.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    const earlier = await mapLimited(fleet, config.groupConcurrency ?? 4, (g) =>
      confirmEarlierEntries(store, g, plan.groups.find((p) => p.group === g.group), clock()),
    );
    const confirmedEarlier = earlier.reduce((n, c) => n + c, 0);
    if (confirmedEarlier > 0) progress(`confirmed ${confirmedEarlier} action(s) submitted by earlier runs`);
  }

  const planned = plan.groups.reduce((n, g) => n + g.actions.length, 0);
  const report: RunReport = {
    version: REPORT_VERSION,
    runId: config.runId,
    trigger: config.trigger,
    startedAt: started.toISOString(),
    finishedAt: clock().toISOString(),
    dryRun: notApplied !== null,
    notApplied,
    plan,
    outcomes,
    totals: totalsOf(planned, outcomes),
    apiCalls: client.transport.calls,
  };
  await store.recordRun({
    runId: report.runId,
    trigger: report.trigger,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    dryRun: report.dryRun,
    planHash: plan.hash,
    summary: `${planned} planned, ${report.totals.submitted} submitted, ${report.totals.confirmed} confirmed, ${report.totals.failed} failed`,
  });
  return report;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { runJanitor };
export type { RunConfig };
