/**
 * The tenant's digest: one report per tenant run, merged from the verdict, every group's final plan
 * and every group run's results, recorded as the tenant's run record (one digest per run, never
 * one message per resource). The full report is staged (`report`); the state carries a summary.
 */
import { PLAN_VERSION, type GroupTotals, type Plan } from '../../policy/plan.js';
import { totalSavings } from '../../policy/savings.js';
import { outcomeOf, REPORT_VERSION, summaryLine, totalsOf, type ItemOutcome, type RunReport, type RunTotals } from '../report.js';
import type { TenantRun, TenantRunContext } from './context.js';
import { readStaged, requireStaged, STAGED, StagedGroupPlan, StagedGroupResult, StagedTotals, StagedVerdict } from './staged.js';
import * as z from 'zod';

/** What the state machine keeps per tenant: small, whatever the tenant's size. */
const TenantSummary = z.object({
  tenant: z.string(),
  runId: z.string(),
  /** ok: everything seen and done; incomplete: a group could not be listed or planned; failed: a group run failed. */
  status: z.enum(['ok', 'incomplete', 'failed']),
  planHash: z.string(),
  dryRun: z.boolean(),
  notApplied: z.string().nullable(),
  groups: z.number().int().nonnegative(),
  /** The first few groups that could not be listed (the staged report names them all). */
  listingFailures: z.array(z.object({ group: z.string(), error: z.string() })),
  listingFailureCount: z.number().int().nonnegative(),
  failedGroups: z.array(z.object({ group: z.string(), error: z.string() })),
  totals: StagedTotals,
  /** The digest line: what a person reads first. */
  digest: z.string(),
});
type TenantSummary = z.infer<typeof TenantSummary>;

/** At most this many groups are named per list in a summary (the state limit is 256 KB). */
const MAX_NAMED = 5;

function sumTotals(a: GroupTotals, b: GroupTotals): GroupTotals {
  return {
    listed: a.listed + b.listed,
    stop: a.stop + b.stop,
    delete: a.delete + b.delete,
    skipped: a.skipped + b.skipped,
    protected: a.protected + b.protected,
  };
}

/**
 * @example
 * const summary = await tenantDigest(ctx, run);
 * console.log(summary.digest); // "acme: plan 1a2b3c4d5e6f, dry run (…); 3 planned, 0 sent, …"
 */
async function tenantDigest(ctx: TenantRunContext, run: TenantRun): Promise<TenantSummary> {
  const { store } = ctx;
  const verdict = await requireStaged(store, run.runId, STAGED.verdict, StagedVerdict);
  // Standing cost for the report: never acted on, and a failed read is only `unknown`.
  const warming = ctx.client.warmNodes();
  const groups = await Promise.all(
    verdict.groups.map(async ({ group, planName }) => ({
      plan: (await requireStaged(store, run.runId, planName, StagedGroupPlan)).plan,
      result: verdict.notApplied === null ? await readStaged(store, run.runId, STAGED.result(group), StagedGroupResult) : undefined,
    })),
  );
  const outcomes: ItemOutcome[] = [];
  const failedGroups: Array<{ group: string; error: string }> = [];
  let stopped: string | null = null;
  for (const { plan, result } of groups) {
    if (verdict.notApplied !== null || plan.listingError !== null) continue;
    if (result === undefined) {
      // The group's step failed for good (its Catch): nothing is known to have been sent by it.
      const why = 'the group run failed before it recorded a result (see the execution history); the next run reconciles the ledger';
      failedGroups.push({ group: plan.group, error: why });
      if (plan.aborted === null) for (const a of plan.actions) outcomes.push(outcomeOf(a, 'not-attempted', false, `not sent: ${why}`));
      continue;
    }
    outcomes.push(...result.outcomes);
    stopped ??= result.stopped;
    if (result.error !== null) failedGroups.push({ group: plan.group, error: result.error });
  }
  const finalPlan: Plan = {
    version: PLAN_VERSION,
    hash: verdict.planHash,
    policyDigest: verdict.policyDigest,
    mode: verdict.mode,
    evaluatedAt: verdict.evaluatedAt,
    groups: groups.map((g) => g.plan),
    aborted: verdict.aborted,
    totals: groups.reduce<GroupTotals>((sum, g) => sumTotals(sum, g.plan.totals), {
      listed: 0,
      stop: 0,
      delete: 0,
      skipped: 0,
      protected: 0,
    }),
    savings: totalSavings(
      groups.flatMap((g) => g.plan.actions.map((a) => a.savings)),
      ctx.policy.rates,
    ),
  };
  const listingFailures = groups.flatMap((g) =>
    g.plan.listingError === null ? [] : [{ group: g.plan.group, error: g.plan.listingError }],
  );
  const planned = finalPlan.groups.reduce((n, g) => n + g.actions.length, 0);
  const totals: RunTotals = totalsOf(planned, outcomes);
  const finishedAt = ctx.clock().toISOString();
  const report: RunReport = {
    version: REPORT_VERSION,
    runId: run.runId,
    trigger: run.trigger,
    startedAt: run.startedAt,
    finishedAt,
    deadline: finishedAt,
    dryRun: verdict.dryRun,
    notApplied: verdict.notApplied,
    stopped,
    listingFailures,
    complete: listingFailures.length === 0,
    plan: finalPlan,
    outcomes,
    totals,
    warmNodes: await warming,
    apiCalls: 0,
    storeRequests: 0,
  };
  const line = `${ctx.tenant.name}: plan ${verdict.planHash.slice(0, 12)}, ${verdict.dryRun ? `dry run (${verdict.notApplied ?? ''})` : 'applied'}; ${summaryLine(report)}${failedGroups.length > 0 ? `, ${failedGroups.length} group run(s) failed` : ''}`;
  await store.recordRun({
    runId: run.runId,
    trigger: run.trigger,
    startedAt: run.startedAt,
    finishedAt,
    dryRun: report.dryRun,
    planHash: verdict.planHash,
    summary: line,
  });
  await store.putStaged(run.runId, STAGED.report, JSON.stringify(report), ctx.clock());
  return {
    tenant: ctx.tenant.name,
    runId: run.runId,
    status: failedGroups.length > 0 ? 'failed' : listingFailures.length > 0 ? 'incomplete' : 'ok',
    planHash: verdict.planHash,
    dryRun: verdict.dryRun,
    notApplied: verdict.notApplied,
    groups: groups.length,
    listingFailures: listingFailures.slice(0, MAX_NAMED).map((f) => ({ group: f.group, error: f.error.slice(0, 200) })),
    listingFailureCount: listingFailures.length,
    failedGroups: failedGroups.slice(0, MAX_NAMED).map((f) => ({ group: f.group, error: f.error.slice(0, 200) })),
    totals,
    digest: line,
  };
}

export { tenantDigest, TenantSummary };
