/**
 * The tenant's verdict, between its two phases (the barrier the state machine's plan Map gives):
 * the run-wide caps over every group plan (lib/policy's own applyRunCaps, with the tenant's limits
 * tightening the policy's caps), the plan hash (lib/policy's planHash: the same decisions give the
 * same hash as an in-process run), and whether to act: both the policy's `mode: apply` and the
 * trigger's consent, no cap abort, and — for a chat approval — an unchanged hash.
 */
import { applyRunCaps, type Candidate } from '../../policy/caps.js';
// lib/policy's own ordering and totals, so a capped item lands where an in-process run puts it.
import { compareText, planHash, sortSkipped, totalsOf } from '../../policy/evaluate.js';
import { digestOf } from '../../policy/hash.js';
import { EMPTY_SAVINGS, totalSavings } from '../../policy/savings.js';
import type { GroupPlan } from '../../policy/plan.js';
import { tenantCaps, type TenantRun, type TenantRunContext } from './context.js';
import { readStaged, STAGED, StagedGroupPlan, StagedVerdict, writeStaged } from './staged.js';

interface VerdictSummary {
  planHash: string;
  dryRun: boolean;
  notApplied: string | null;
  planned: number;
  /** The groups to apply (every listed group when acting: each settles what earlier runs left open). */
  apply: Array<{ group: string; planName: string }>;
}

/** A group whose plan step failed for good: nothing in it acts, and the run is incomplete. */
function unplanned(group: string): StagedGroupPlan {
  return {
    plan: {
      group,
      actions: [],
      skipped: [],
      aborted: null,
      listingError: 'the group could not be planned (its step failed; see the execution history)',
      totals: { listed: 0, stop: 0, delete: 0, skipped: 0, protected: 0 },
      savings: EMPTY_SAVINGS,
      comingUp: [],
      notices: { record: [], drop: [] },
    },
    sortMs: [],
    labels: {},
  };
}

/**
 * @example
 * const verdict = await tenantVerdict(ctx, run, ['default', 'team-a']);
 * if (verdict.notApplied !== null) console.log(verdict.notApplied);
 */
async function tenantVerdict(ctx: TenantRunContext, run: TenantRun, groups: readonly string[]): Promise<VerdictSummary> {
  const now = new Date(run.startedAt);
  const staged = await Promise.all(
    [...groups]
      .sort(compareText)
      .map(async (group) => (await readStaged(ctx.store, run.runId, STAGED.plan(group), StagedGroupPlan)) ?? unplanned(group)),
  );
  const observations = await ctx.store.observations([], now);
  const caps = tenantCaps(ctx.policy, ctx.tenant);

  const candidates = new Map<StagedGroupPlan, Candidate[]>(
    staged.map((s) => [s, s.plan.actions.map((action, i) => ({ action, sortMs: s.sortMs[i] ?? now.getTime() }))]),
  );
  const runCandidates = staged.filter((s) => s.plan.aborted === null).flatMap((s) => candidates.get(s) ?? []);
  const runCaps = applyRunCaps(runCandidates, caps, observations.actionsToday);
  const keptByRun = new Set(runCaps.kept.map((c) => c.action));
  const cappedByRun = new Map(runCaps.capped.map(({ candidate, reason }) => [candidate.action, reason]));

  const finals: Array<{ plan: GroupPlan; changed: boolean; labels: Record<string, string>; sortMs: number[] }> = staged.map((s) => {
    const actions = [];
    const sortMs = [];
    const skipped = [...s.plan.skipped];
    for (const c of candidates.get(s) ?? []) {
      const reason = cappedByRun.get(c.action);
      if (reason !== undefined) {
        const a = c.action;
        skipped.push({
          group: a.group,
          type: a.type,
          id: a.id,
          status: a.status,
          kind: 'capped',
          reason,
          ruleId: a.ruleId,
          ageSeconds: a.ageSeconds,
        });
      } else if (s.plan.aborted !== null || keptByRun.has(c.action)) {
        actions.push(c.action);
        sortMs.push(c.sortMs);
      }
    }
    const changed = actions.length !== s.plan.actions.length;
    const plan = changed
      ? {
          ...s.plan,
          actions,
          skipped: sortSkipped(skipped),
          totals: totalsOf({ actions, skipped }, s.plan.totals.listed),
          savings: totalSavings(
            actions.map((a) => a.savings),
            ctx.policy.rates,
          ),
        }
      : s.plan;
    return { plan, changed, labels: s.labels, sortMs };
  });

  const policyDigest = digestOf(ctx.policy);
  const hash = planHash(
    policyDigest,
    finals.map((f) => f.plan),
    runCaps.aborted,
  );
  const notApplied = !run.consent
    ? 'dry run: the trigger did not ask to apply'
    : ctx.policy.mode !== 'apply'
      ? 'dry run: the policy says mode: dry-run'
      : runCaps.aborted !== null
        ? `aborted before acting: ${runCaps.aborted.reason}`
        : run.requirePlanHash !== null && run.requirePlanHash !== hash
          ? `not applied: the plan changed since it was approved (approved ${run.requirePlanHash.slice(0, 12)}, now ${hash.slice(0, 12)})`
          : null;

  const written = ctx.clock();
  for (const f of finals.filter((x) => x.changed)) {
    await writeStaged(
      ctx.store,
      run.runId,
      STAGED.final(f.plan.group),
      StagedGroupPlan,
      { plan: f.plan, sortMs: f.sortMs, labels: f.labels },
      written,
    );
  }
  const named = finals.map((f) => ({ group: f.plan.group, planName: f.changed ? STAGED.final(f.plan.group) : STAGED.plan(f.plan.group) }));
  await writeStaged(
    ctx.store,
    run.runId,
    STAGED.verdict,
    StagedVerdict,
    {
      planHash: hash,
      policyDigest,
      mode: ctx.policy.mode,
      evaluatedAt: now.toISOString(),
      dryRun: notApplied !== null,
      notApplied,
      aborted: runCaps.aborted,
      groups: named,
    },
    written,
  );
  const listed = new Set(finals.filter((f) => f.plan.listingError === null).map((f) => f.plan.group));
  return {
    planHash: hash,
    dryRun: notApplied !== null,
    notApplied,
    planned: finals.reduce((n, f) => n + f.plan.actions.length, 0),
    apply: notApplied === null ? named.filter((n) => listed.has(n.group)) : [],
  };
}

export { tenantVerdict };
export type { VerdictSummary };
