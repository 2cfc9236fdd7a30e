/**
 * Phase one of a tenant run, one step per piece: list the tenant's groups (with its capabilities),
 * then plan each group on its own — listed, observed, evaluated with the group caps only — and
 * stage the group plan in the store. The run-wide caps are the verdict's (verdict.ts).
 */
import { MissingGroupPlanError } from '../errors.js';
import { selectGroups } from '../list-fleet.js';
import type { Capabilities } from '../../aicore/client.js';
import { evaluate } from '../../policy/evaluate.js';
import { assess } from '../../policy/decide.js';
import { givesNotices } from '../notices.js';
import { observeListed } from '../observe.js';
import type { Policy } from '../../policy/schema.js';
import type { GroupRef, TenantRun, TenantRunContext } from './context.js';
import { STAGED, StagedGroupPlan, writeStaged } from './staged.js';

interface TenantGroups {
  groups: GroupRef[];
  bulkUpdates: Capabilities['bulkUpdates'];
  /** The tenant's bound on groups at once (the plan and apply Maps' MaxConcurrency). */
  groupConcurrency: number;
}

/**
 * @example
 * const { groups } = await listTenantGroups(ctx); // [{ id: 'default', labels: {} }, …]
 */
async function listTenantGroups(ctx: TenantRunContext): Promise<TenantGroups> {
  const [capabilities, groups] = await Promise.all([ctx.client.capabilities(), selectGroups(ctx.client, ctx.tenant.groups)]);
  return {
    groups: groups.map((g) => ({ id: g.id, labels: g.labels })),
    bulkUpdates: capabilities.bulkUpdates,
    groupConcurrency: ctx.tenant.limits.groupConcurrency,
  };
}

interface GroupPlanSummary {
  group: string;
  actions: number;
  listingError: string | null;
  aborted: string | null;
}

/** The policy without run-wide caps: a group's plan must not be cut by a cap over the whole tenant. */
function groupOnly(policy: Policy): Policy {
  return { ...policy, caps: { ...policy.caps, maxActionsPerRun: Number.MAX_SAFE_INTEGER, maxActionsPerDay: Number.MAX_SAFE_INTEGER } };
}

/**
 * Lists and plans one group and stages its plan (`plan:{group}`); returns a few counts for the
 * state machine's history. A failed listing is a plan too (nothing in it acts, the digest says so).
 */
async function planTenantGroup(ctx: TenantRunContext, run: TenantRun, group: GroupRef): Promise<GroupPlanSummary> {
  const now = new Date(run.startedAt);
  const fleet = await ctx.client.listGroup(group);
  const { observations, withNotices, newlyStopped } = await observeListed(
    ctx.store,
    fleet.listingError === null ? [fleet] : [],
    ctx.policy,
    now,
  );
  const policy = groupOnly(ctx.policy);
  const plan = evaluate({ fleet: [fleet], policy, now, observations });
  // All of them: whether the apply step acts is decided later, in another task.
  await ctx.store.recordStopped(newlyStopped, now);
  const groupPlan = plan.groups[0];
  if (groupPlan === undefined) throw new MissingGroupPlanError(group.id);
  // Before the verdict can approve anything: an item noticed now is never acted on by this run.
  if (withNotices && givesNotices(run)) await ctx.store.writeNotices(groupPlan.notices);
  // The instant oldest-first sorts by, per action: the verdict applies the run caps across groups.
  const byKey = new Map(fleet.resources.map((r) => [`${r.type}#${r.item.id}`, r]));
  const sortMs = groupPlan.actions.map((a) => {
    const resource = byKey.get(`${a.type}#${a.id}`);
    if (resource === undefined) return now.getTime();
    const { outcome } = assess({ resource, labels: fleet.labels, policy, observations, nowMs: now.getTime() });
    return outcome.kind === 'action' ? outcome.sortMs : now.getTime();
  });
  await writeStaged(
    ctx.store,
    run.runId,
    STAGED.plan(group.id),
    StagedGroupPlan,
    { plan: groupPlan, sortMs, labels: fleet.labels },
    ctx.clock(),
  );
  return {
    group: group.id,
    actions: groupPlan.actions.length,
    listingError: groupPlan.listingError,
    aborted: groupPlan.aborted?.reason ?? null,
  };
}

export { listTenantGroups, planTenantGroup };
export type { TenantGroups, GroupPlanSummary };
