/**
 * What evaluate() needs of the store before planning, the same for a whole run (run.ts) and one
 * group of a tenant run (tenant/plan-group.ts): the observations of the listed groups (notices
 * only when the policy gives any), and the items first seen STOPPED now recorded meanwhile.
 */
import { policyGivesNotices } from '../policy/notices.js';
import { observationKey, type Observations } from '../policy/observations.js';
import type { Policy } from '../policy/schema.js';
import type { GroupFleet } from '../resources.js';
import type { ObservationStore } from '../store/ports.js';

interface Observed {
  observations: Observations;
  /** Whether the policy gives notices (and the observations hold the recorded ones). */
  withNotices: boolean;
  /** The STOPPED records being written: awaited before anything is acted on (evaluate() reads only what was observed before). */
  recording: Promise<void>;
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
  return { observations, withNotices, recording: store.recordStopped(newlyStopped, now) };
}

export { observeListed };
export type { Observed };
