/**
 * Confirmation "in the next run": entries an earlier run left `submitting`/`submitted` whose items
 * this run's plan no longer names (a STOP now shows STOPPING, a DELETE's item is gone) are confirmed
 * from this run's fresh listing, so the ledger never keeps an open entry for a finished change.
 */
import { LedgerConflictError, type JanitorStore } from '../store/store.js';
import type { GroupPlan } from '../policy/plan.js';
import type { GroupFleet } from '../resources.js';
import { isConfirmed } from './confirm.js';

async function confirmEarlierEntries(store: JanitorStore, fleet: GroupFleet, plan: GroupPlan | undefined, now: Date): Promise<number> {
  if (fleet.listingError !== null) return 0;
  const planned = new Set((plan?.actions ?? []).map((a) => `${a.type}#${a.id}#${a.targetStatus}`));
  const live = new Map(fleet.resources.map((r) => [`${r.type}#${r.item.id}`, r]));
  let confirmed = 0;
  for (const entry of await store.openEntries(fleet.group)) {
    if (planned.has(`${entry.type}#${entry.id}#${entry.targetStatus}`)) continue; // the group run settles those
    if (!isConfirmed(entry.targetStatus, live.get(`${entry.type}#${entry.id}`))) continue;
    try {
      await store.transition(entry, [entry.state], 'confirmed', { now });
      confirmed += 1;
    } catch (error) {
      if (!(error instanceof LedgerConflictError)) throw error;
    }
  }
  return confirmed;
}

export { confirmEarlierEntries };
