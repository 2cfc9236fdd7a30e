/**
 * What evaluate() needs of the store before planning, the same for a whole run (run.ts) and one
 * group of a tenant run (tenant/plan-group.ts): the observations of the listed groups (notices
 * only when the policy gives any), and which items are seen STOPPED for the first time now.
 */
import { policyGivesNotices } from '../policy/notices.js';
import { observationKey, type Observations } from '../policy/observations.js';
import type { Plan } from '../policy/plan.js';
import type { Policy } from '../policy/schema.js';
import type { GroupFleet } from '../resources.js';
import type { ObservationStore } from '../store/ports.js';

interface StoppedItem {
  group: string;
  type: GroupFleet['resources'][number]['type'];
  id: string;
}

interface Observed {
  observations: Observations;
  /** Whether the policy gives notices (and the observations hold the recorded ones). */
  withNotices: boolean;
  /**
   * Items seen STOPPED with no record yet (evaluate() reads only what was observed before). The
   * caller records them before anything is acted on, but may leave out those it is about to delete
   * (splitByPlan).
   */
  newlyStopped: StoppedItem[];
}

async function observeListed(store: ObservationStore, listed: readonly GroupFleet[], policy: Policy, now: Date): Promise<Observed> {
  const withNotices = policyGivesNotices(policy);
  const observations = await store.observations(
    listed.map((g) => g.group),
    now,
    withNotices ? { notices: true } : {},
  );
  const newlyStopped = listed.flatMap((g) =>
    g.resources
      .filter((r) => r.item.status === 'STOPPED' && observations.firstSeenStopped[observationKey(r.group, r.type, r.item.id)] === undefined)
      .map((r) => ({ group: r.group, type: r.type, id: r.item.id })),
  );
  return { observations, withNotices, newlyStopped };
}

/**
 * The newly STOPPED items split by whether the plan acts on them. A record of when an item was
 * first seen STOPPED only matters while the item exists: one that this run deletes needs none,
 * unless the run does not act after all. (A missing record can only start a grace period later.)
 */
function splitByPlan(newlyStopped: readonly StoppedItem[], plan: Plan): { acted: StoppedItem[]; kept: StoppedItem[] } {
  const planned = new Set(
    plan.groups.flatMap((g) => (g.aborted === null ? g.actions.map((a) => observationKey(a.group, a.type, a.id)) : [])),
  );
  const acted: StoppedItem[] = [];
  const kept: StoppedItem[] = [];
  for (const item of newlyStopped) (planned.has(observationKey(item.group, item.type, item.id)) ? acted : kept).push(item);
  return { acted, kept };
}

export { observeListed, splitByPlan };
export type { Observed, StoppedItem };
