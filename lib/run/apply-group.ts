/**
 * Phase two for one resource group: claim each planned action in the ledger, submit what was
 * claimed, record the answers, then re-list until the changes show (or the attempts run out).
 * A group run needs nothing from other groups, so it can later move to its own Lambda unchanged.
 */
import { TARGET_STATUS, type ResourceType } from '../lifecycle.js';
import type { AiCoreClient, ResourceGroupInfo, UpdateResult } from '../aicore/client.js';
import { AiCoreError } from '../aicore/errors.js';
import type { GroupPlan, PlannedAction } from '../policy/plan.js';
import type { GroupFleet, Resource } from '../resources.js';
import { LedgerConflictError, type JanitorStore, type LedgerKey } from '../store/store.js';
import { isConfirmed } from './confirm.js';
import type { ItemOutcome } from './report.js';

interface GroupRunContext {
  client: AiCoreClient;
  store: JanitorStore;
  bulkUpdates: Record<ResourceType, boolean>;
  planHash: string;
  runId: string;
  clock: () => Date;
  confirm: { attempts: number; delayMs: number; sleep: (ms: number) => Promise<void> };
}

function keyOf(action: PlannedAction): LedgerKey {
  return { group: action.group, type: action.type, id: action.id, targetStatus: action.targetStatus };
}

function liveIndex(fleet: GroupFleet): Map<string, Resource> {
  return new Map(fleet.resources.map((r) => [`${r.type}#${r.item.id}`, r]));
}

function outcome(action: PlannedAction, state: ItemOutcome['state'], message: string): ItemOutcome {
  return { group: action.group, type: action.type, id: action.id, action: action.action, state, message };
}

async function applyGroup(plan: GroupPlan, fleet: GroupFleet, ctx: GroupRunContext): Promise<ItemOutcome[]> {
  const outcomes = new Map<string, ItemOutcome>();
  const live = liveIndex(fleet);
  const claimed: PlannedAction[] = [];

  for (const action of plan.actions) {
    const key = `${action.type}#${action.id}`;
    try {
      await ctx.store.claim(keyOf(action), { planHash: ctx.planHash, runId: ctx.runId, now: ctx.clock() });
      claimed.push(action);
    } catch (error) {
      if (!(error instanceof LedgerConflictError)) throw error;
      // Another run (or an earlier delivery of this trigger) owns it: check, never resubmit.
      const existing = error.existing;
      if (existing?.state !== 'confirmed' && isConfirmed(action.targetStatus, live.get(key))) {
        await ctx.store.transition(keyOf(action), ['submitting', 'submitted'], 'confirmed', { now: ctx.clock() }).catch(ignoreConflict);
        outcomes.set(key, outcome(action, 'confirmed', `submitted by run ${existing?.runId ?? 'unknown'}; now confirmed`));
      } else {
        outcomes.set(key, outcome(action, 'already-submitted', `ledger shows ${existing?.state ?? 'an entry'} from run ${existing?.runId ?? 'unknown'}; not resubmitted`));
      }
    }
  }

  const submitted: PlannedAction[] = [];
  for (const type of ['executions', 'deployments'] as const) {
    const batch = claimed.filter((a) => a.type === type);
    if (batch.length === 0) continue;
    let results: UpdateResult[];
    try {
      results = await ctx.client.update(plan.group, type, batch.map((a) => ({ id: a.id, status: a.status, action: a.action })), ctx.bulkUpdates[type]);
    } catch (error) {
      if (!(error instanceof AiCoreError)) throw error;
      // Whether the server received it is unknown: the entries stay `submitting`, and the next
      // run checks the live state before doing anything with them.
      for (const a of batch) outcomes.set(`${a.type}#${a.id}`, outcome(a, 'failed', `${error.message}; left for the next run to check`));
      continue;
    }
    const byId = new Map(batch.map((a) => [a.id, a]));
    for (const result of results) {
      const action = byId.get(result.id);
      if (action === undefined) continue;
      const key = `${action.type}#${action.id}`;
      if (result.ok) {
        await ctx.store.transition(keyOf(action), ['submitting'], 'submitted', { now: ctx.clock() });
        submitted.push(action);
        outcomes.set(key, outcome(action, 'submitted', result.message));
      } else if (action.action === 'delete' && result.httpStatus === 404) {
        // Deleting something that is already gone achieved what was asked.
        await ctx.store.transition(keyOf(action), ['submitting'], 'confirmed', { now: ctx.clock() });
        outcomes.set(key, outcome(action, 'confirmed', 'already gone'));
      } else {
        await ctx.store.transition(keyOf(action), ['submitting'], 'failed', { now: ctx.clock(), error: result.message });
        outcomes.set(key, outcome(action, 'failed', result.message));
      }
    }
  }

  await ctx.store.countActions(submitted.length, ctx.clock());
  await confirmSubmitted(plan.group, fleet.labels, submitted, outcomes, ctx);
  return plan.actions.flatMap((a) => outcomes.get(`${a.type}#${a.id}`) ?? []);
}

/** Re-lists the group until every submitted action shows its effect or the attempts are used up. */
async function confirmSubmitted(
  group: string,
  labels: ResourceGroupInfo['labels'],
  submitted: PlannedAction[],
  outcomes: Map<string, ItemOutcome>,
  ctx: GroupRunContext,
): Promise<void> {
  let pending = submitted;
  for (let attempt = 0; attempt < ctx.confirm.attempts && pending.length > 0; attempt += 1) {
    // AI Core sets targetStatus at once, so the first look needs no wait; later looks back off.
    if (attempt > 0) await ctx.confirm.sleep(ctx.confirm.delayMs);
    const fleet = await ctx.client.listGroup({ id: group, labels });
    if (fleet.listingError !== null) continue;
    const live = liveIndex(fleet);
    const still: PlannedAction[] = [];
    for (const action of pending) {
      const key = `${action.type}#${action.id}`;
      if (isConfirmed(TARGET_STATUS[action.action], live.get(key))) {
        await ctx.store.transition(keyOf(action), ['submitted'], 'confirmed', { now: ctx.clock() });
        outcomes.set(key, outcome(action, 'confirmed', 'confirmed by re-listing'));
      } else {
        still.push(action);
      }
    }
    pending = still;
  }
}

function ignoreConflict(error: unknown): void {
  if (!(error instanceof LedgerConflictError)) throw error;
}

export { applyGroup };
export type { GroupRunContext };
