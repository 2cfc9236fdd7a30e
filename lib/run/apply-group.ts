/**
 * Phase two for one resource group: claim each planned action in the ledger, submit what was
 * claimed, record the answers, then re-list until the changes show (or the attempts run out).
 * A group run needs nothing from other groups, so it can later move to its own Lambda unchanged.
 */
import { TARGET_STATUS, type ResourceType } from '../lifecycle.js';
import type { AiCoreClient, ResourceGroupInfo, UpdateResult } from '../aicore/client.js';
import { AiCoreError } from '../aicore/errors.js';
import { mapLimited } from '../aicore/limiter.js';
import type { GroupPlan, PlannedAction } from '../policy/plan.js';
import type { GroupFleet, Resource } from '../resources.js';
import { LedgerConflictError, type JanitorStore, type LedgerEntry, type LedgerKey, type LedgerState } from '../store/store.js';
import { isConfirmed } from './confirm.js';
import type { ItemOutcome } from './report.js';

/** Ledger writes in flight at once per group. */
const LEDGER_CONCURRENCY = 16;

interface GroupRunContext {
  client: AiCoreClient;
  store: JanitorStore;
  bulkUpdates: Record<ResourceType, boolean>;
  planHash: string;
  runId: string;
  clock: () => Date;
  confirm: { attempts: number; delayMs: number; sleep: (ms: number) => Promise<void> };
  /** How long an earlier run's entry without visible effect is trusted before it is sent again. */
  resubmitAfterMs: number;
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

  // Ledger writes are independent per item: a few in flight at once keep large groups fast.
  const claims = await mapLimited(plan.actions, LEDGER_CONCURRENCY, async (action) => {
    const key = `${action.type}#${action.id}`;
    try {
      await ctx.store.claim(keyOf(action), { planHash: ctx.planHash, runId: ctx.runId, now: ctx.clock() });
      return 'resubmit' as const;
    } catch (error) {
      if (!(error instanceof LedgerConflictError)) throw error;
      return settleEarlierEntry(action, error.existing, live.get(key), ctx);
    }
  });
  plan.actions.forEach((action, i) => {
    const claim = claims[i];
    if (claim === 'resubmit') claimed.push(action);
    else if (claim !== undefined) outcomes.set(`${action.type}#${action.id}`, claim);
  });

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
    const recorded = await mapLimited(results, LEDGER_CONCURRENCY, (result) => recordResult(result, byId.get(result.id), ctx));
    for (const entry of recorded) {
      if (entry === undefined) continue;
      if (entry.submitted) submitted.push(entry.action);
      outcomes.set(`${entry.action.type}#${entry.action.id}`, entry.outcome);
    }
  }

  await ctx.store.countActions(submitted.length, ctx.clock());
  await confirmSubmitted(plan.group, fleet.labels, submitted, outcomes, ctx);
  return plan.actions.flatMap((a) => outcomes.get(`${a.type}#${a.id}`) ?? []);
}

/** Records AI Core's answer for one submitted item in the ledger (only if this run still owns it). */
async function recordResult(
  result: UpdateResult,
  action: PlannedAction | undefined,
  ctx: GroupRunContext,
): Promise<{ action: PlannedAction; outcome: ItemOutcome; submitted: boolean } | undefined> {
  if (action === undefined) return undefined;
  const [to, state, message]: [LedgerState, ItemOutcome['state'], string] = result.ok
    ? ['submitted', 'submitted', result.message]
    : action.action === 'delete' && result.notFound
      ? ['confirmed', 'confirmed', 'already gone'] // deleting what is already gone achieved what was asked
      : ['failed', 'failed', result.message];
  try {
    await ctx.store.transition(keyOf(action), ['submitting'], to, { now: ctx.clock(), owner: ctx.runId, ...(to === 'failed' ? { error: message } : {}) });
  } catch (error) {
    if (!(error instanceof LedgerConflictError)) throw error;
    return { action, outcome: outcome(action, 'already-submitted', `sent, but another run took over the ledger entry (${error.existing?.runId ?? 'unknown'})`), submitted: false };
  }
  return { action, outcome: outcome(action, state, message), submitted: to === 'submitted' };
}

/**
 * An earlier run (or an earlier delivery of this trigger) holds the ledger entry. Never resubmit
 * blindly: if the live listing shows the change, confirm it. If it shows nothing, the request never
 * took effect — a `submitting` entry means the run died before or while sending, a `submitted` one
 * that AI Core lost it — so the entry is failed and claimed again, but only once it is older than
 * `resubmitAfterMs` (its run may still be sending, or AI Core may simply be slow).
 */
async function settleEarlierEntry(
  action: PlannedAction,
  existing: LedgerEntry | undefined,
  live: Resource | undefined,
  ctx: GroupRunContext,
): Promise<ItemOutcome | 'resubmit'> {
  const key = keyOf(action);
  const earlierRun = existing?.runId ?? 'unknown';
  if (isConfirmed(action.targetStatus, live)) {
    if (existing !== undefined && existing.state !== 'confirmed') {
      await ctx.store.transition(key, [existing.state], 'confirmed', { now: ctx.clock() }).catch(ignoreConflict);
    }
    return outcome(action, 'confirmed', `submitted by run ${earlierRun}; confirmed by this listing`);
  }
  if (existing === undefined || existing.state === 'confirmed' || existing.state === 'failed') {
    return outcome(action, 'already-submitted', `ledger shows ${existing?.state ?? 'an entry'} from run ${earlierRun}; not resubmitted`);
  }
  // A fresh entry may belong to a run that is still sending or that AI Core has not caught up with.
  const age = ctx.clock().getTime() - Date.parse(existing.updatedAt);
  if (!(age >= ctx.resubmitAfterMs)) {
    return outcome(action, 'already-submitted', `${existing.state} by run ${earlierRun} at ${existing.updatedAt}; not resubmitted before ${Math.round(ctx.resubmitAfterMs / 60_000)} min without effect`);
  }
  try {
    await ctx.store.transition(key, [existing.state], 'failed', { now: ctx.clock(), error: `no effect seen after ${existing.state} by run ${earlierRun}` });
    await ctx.store.claim(key, { planHash: ctx.planHash, runId: ctx.runId, now: ctx.clock() });
    return 'resubmit';
  } catch (error) {
    if (!(error instanceof LedgerConflictError)) throw error;
    return outcome(action, 'already-submitted', `another run moved the ledger entry (${error.existing?.state ?? 'gone'}); not resubmitted`);
  }
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
    const done = new Set(pending.filter((a) => isConfirmed(TARGET_STATUS[a.action], live.get(`${a.type}#${a.id}`))));
    await mapLimited([...done], LEDGER_CONCURRENCY, async (action) => {
      await ctx.store.transition(keyOf(action), ['submitted'], 'confirmed', { now: ctx.clock(), owner: ctx.runId }).catch(ignoreConflict);
      outcomes.set(`${action.type}#${action.id}`, outcome(action, 'confirmed', 'confirmed by re-listing'));
    });
    pending = pending.filter((a) => !done.has(a));
  }
}

function ignoreConflict(error: unknown): void {
  if (!(error instanceof LedgerConflictError)) throw error;
}

export { applyGroup };
export type { GroupRunContext };
