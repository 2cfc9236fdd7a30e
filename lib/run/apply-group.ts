/**
 * Phase two for one resource group ("group run"): settle what earlier runs left open, then send the
 * plan's actions in chunks of at most 100 — each chunk's ledger record written *before* its request
 * and updated once with AI Core's answers — and re-list until the changes show. Store requests
 * scale with chunks, not items. A group run needs nothing from other groups.
 */
import type { AiCoreClient, ResourceGroupInfo, UpdateResult } from '../aicore/client.js';
import { IllegalTransitionError, InvalidIdError } from '../aicore/errors.js';
import { mapLimited } from '../util/concurrency.js';
import type { ResourceType } from '../lifecycle.js';
import type { GroupPlan, PlannedAction } from '../policy/plan.js';
import type { GroupFleet, Resource } from '../resources.js';
import type { LedgerStore } from '../store/ports.js';
import type { ItemState, LedgerChunk, LedgerItem } from '../store/records.js';
import { isAwaiting } from '../store/rules.js';
import { isConfirmed } from './confirm.js';
import { judgeEarlier } from './earlier-entries.js';
import { outcomeOf, type ItemOutcome } from './report.js';
import { errorMessage } from '../util/errors.js';

/** Chunks of one group in flight at once (the client's per-host limit bounds the total). */
const CHUNK_CONCURRENCY = 4;

/** Decides, before each chunk, whether the run may still send; throws with the reason if not. */
type SendGate = () => Promise<void>;

interface GroupRunContext {
  client: AiCoreClient;
  ledger: LedgerStore;
  bulkUpdates: Record<ResourceType, boolean>;
  planHash: string;
  runId: string;
  clock: () => Date;
  gate: SendGate;
  confirm: { attempts: number; delayMs: number; sleep: (ms: number) => Promise<void> };
  /** How long an entry without visible effect is trusted before the item is sent again. */
  resubmitAfterMs: number;
}

interface GroupResult {
  outcomes: ItemOutcome[];
  /** Items this run sent (accepted, outcome unknown, or confirmed at once): what the daily cap counts. */
  sent: number;
  /** Why sending stopped early (deadline, lost lease), if it did. */
  stopped: string | null;
  /** A failure (the store, a bug) that stopped the group; reported once everything in flight is done. */
  error: unknown;
}

/** A chunk as read (or created) and as it is now; written when they differ. */
interface Working {
  previous: LedgerChunk | undefined;
  next: LedgerChunk;
}

const itemKey = (type: ResourceType, id: string): string => `${type}#${id}`;

function liveIndex(fleet: GroupFleet): Map<string, Resource> {
  return new Map(fleet.resources.map((r) => [itemKey(r.type, r.item.id), r]));
}

function move(item: LedgerItem, state: ItemState, message: string | null, now: Date): void {
  item.state = state;
  item.message = message;
  item.updatedAt = now.toISOString();
}

function changed(work: Working): boolean {
  return work.previous === undefined || JSON.stringify(work.previous.items) !== JSON.stringify(work.next.items);
}

async function applyGroup(plan: GroupPlan | undefined, fleet: GroupFleet, ctx: GroupRunContext): Promise<GroupResult> {
  const outcomes = new Map<string, ItemOutcome>();
  const actions = plan?.aborted === null ? plan.actions : [];
  const result = (stopped: string | null, sent: number, error: unknown): GroupResult => ({
    outcomes: actions.flatMap((a) => outcomes.get(itemKey(a.type, a.id)) ?? []),
    sent,
    stopped,
    error,
  });
  const notAttempted = (batch: readonly PlannedAction[], why: string): void => {
    for (const a of batch)
      if (!outcomes.has(itemKey(a.type, a.id)))
        outcomes.set(itemKey(a.type, a.id), outcomeOf(a, 'not-attempted', false, `not sent: ${why}`));
  };

  // A run that may no longer send (deadline, lost lease) leaves the ledger alone as well.
  try {
    await ctx.gate();
  } catch (error) {
    notAttempted(actions, errorMessage(error));
    return result(errorMessage(error), 0, undefined);
  }

  let resend: Map<string, number>;
  try {
    resend = await settleEarlier(fleet, actions, outcomes, ctx);
  } catch (error) {
    notAttempted(actions, `the ledger could not be read or written (${errorMessage(error)})`);
    return result(null, 0, error);
  }

  // 2. New entries, one chunk record per request of at most `chunkSize` items. The first failure
  // stops the chunks after it, and the group finishes what is in flight before it reports it.
  const toSend = actions.filter((a) => !outcomes.has(itemKey(a.type, a.id)));
  const chunks = chunkActions(toSend, ctx.client.chunkSize);
  let stopped: string | null = null;
  let failure: unknown;
  const mine: Working[] = [];
  await mapLimited(chunks, CHUNK_CONCURRENCY, async (batch, seq) => {
    const first = batch[0];
    if (first === undefined) return;
    if (failure !== undefined) return notAttempted(batch, `an earlier request of this group failed (${errorMessage(failure)})`);
    try {
      await ctx.gate();
    } catch (error) {
      stopped ??= errorMessage(error);
      return notAttempted(batch, errorMessage(error));
    }
    const sentAt = ctx.clock().toISOString();
    const created: LedgerChunk = {
      chunkId: `${ctx.runId}:${fleet.group}:${first.type}:${seq}`,
      group: fleet.group,
      type: first.type,
      runId: ctx.runId,
      planHash: ctx.planHash,
      createdAt: sentAt,
      version: 0,
      items: batch.map((a) => ({
        id: a.id,
        targetStatus: a.targetStatus,
        state: 'submitting',
        attempt: (resend.get(itemKey(a.type, a.id)) ?? 0) + 1,
        sentAt,
        updatedAt: sentAt,
        message: null,
      })),
    };
    try {
      // Written before the request: a run that dies while sending leaves evidence, never a blind spot.
      await ctx.ledger.writeChunks([{ previous: undefined, next: created }]);
    } catch (error) {
      failure ??= error;
      return notAttempted(batch, `its ledger record could not be written (${errorMessage(error)})`);
    }
    const work: Working = { previous: created, next: structuredClone(created) };
    mine.push(work);
    let results: UpdateResult[];
    try {
      results = await ctx.client.update(
        fleet.group,
        first.type,
        batch.map((a) => ({ id: a.id, status: a.status, action: a.action })),
        ctx.bulkUpdates[first.type],
      );
    } catch (error) {
      failure ??= error;
      // The client refuses a wrong plan (an illegal transition, a bad id) before sending anything.
      const unsent = error instanceof IllegalTransitionError || error instanceof InvalidIdError;
      for (const [i, a] of batch.entries()) {
        const item = work.next.items[i];
        if (item !== undefined) move(item, unsent ? 'not-attempted' : 'unknown', errorMessage(error), ctx.clock());
        outcomes.set(
          itemKey(a.type, a.id),
          unsent
            ? outcomeOf(a, 'not-attempted', false, `not sent: ${errorMessage(error)}`)
            : outcomeOf(a, 'awaiting-confirmation', true, `outcome unknown (${errorMessage(error)}); the listing decides`),
        );
      }
      return;
    }
    recordAnswers(work.next, batch, results, ctx.clock(), outcomes);
    if (stopped === null) stopped = results.find((r) => r.outcome === 'not-sent')?.message ?? null;
    try {
      await ctx.ledger.writeChunks([work]);
      work.previous = { ...structuredClone(work.next), version: 1 };
    } catch (error) {
      // The record still says `submitting`: the next run reconciles it from its listing.
      failure ??= error;
    }
  });

  // 3. Confirm by re-listing what this run sent; unconfirmed items stay for the next run.
  const sent = mine.reduce(
    (n, w) => n + w.next.items.filter((i) => i.state === 'submitted' || i.state === 'unknown' || i.state === 'confirmed').length,
    0,
  );
  if (failure === undefined) {
    try {
      await confirmSent(fleet, mine, outcomes, ctx);
      await ctx.ledger.writeChunks(mine.filter(changed));
    } catch (error) {
      failure = error;
    }
  }
  return result(stopped, sent, failure);
}

/**
 * Step 1: what earlier runs left open in this group, judged against this run's listing. Confirms
 * what shows, keeps waiting within the guard, fails the rest; a planned action is linked to an
 * earlier entry only for the same change (an earlier stop says nothing about a delete now).
 * Returns, per item to send again after the guard, how often it was sent before.
 */
async function settleEarlier(
  fleet: GroupFleet,
  actions: readonly PlannedAction[],
  outcomes: Map<string, ItemOutcome>,
  ctx: GroupRunContext,
): Promise<Map<string, number>> {
  const live = liveIndex(fleet);
  const planned = new Map(actions.map((a) => [itemKey(a.type, a.id), a]));
  const earlier = (await ctx.ledger.openChunks(fleet.group)).map((chunk): Working => ({ previous: chunk, next: structuredClone(chunk) }));
  const resend = new Map<string, number>();
  const now = ctx.clock();
  for (const work of earlier) {
    for (const item of work.next.items) {
      if (!isAwaiting(item.state)) continue;
      const key = itemKey(work.next.type, item.id);
      const verdict = judgeEarlier(item, work.next.runId, live.get(key), now, ctx.resubmitAfterMs);
      const candidate = planned.get(key);
      const action = candidate !== undefined && candidate.targetStatus === item.targetStatus ? candidate : undefined;
      if (verdict.kind === 'confirmed') {
        move(item, 'confirmed', verdict.message, now);
        if (action !== undefined) outcomes.set(key, outcomeOf(action, 'confirmed', false, verdict.message));
      } else if (verdict.kind === 'waiting') {
        // Nothing else is sent for an item while an earlier change of it may still be in flight.
        if (candidate !== undefined) outcomes.set(key, outcomeOf(candidate, 'awaiting-confirmation', false, verdict.message));
      } else {
        move(item, 'failed', verdict.message, now);
        if (action !== undefined) resend.set(key, Math.max(resend.get(key) ?? 0, item.attempt));
      }
    }
  }
  await ctx.ledger.writeChunks(earlier.filter(changed));
  return resend;
}

/** Groups actions by type into requests of at most `size` items. */
function chunkActions(actions: readonly PlannedAction[], size: number): PlannedAction[][] {
  const chunks: PlannedAction[][] = [];
  for (const type of ['executions', 'deployments'] as const) {
    const ofType = actions.filter((a) => a.type === type);
    for (let i = 0; i < ofType.length; i += size) chunks.push(ofType.slice(i, i + size));
  }
  return chunks;
}

/** AI Core's answer per item → the ledger item's state and this run's outcome. */
function recordAnswers(
  chunk: LedgerChunk,
  batch: readonly PlannedAction[],
  results: readonly UpdateResult[],
  now: Date,
  outcomes: Map<string, ItemOutcome>,
): void {
  const byId = new Map(results.map((r) => [r.id, r]));
  for (const [i, action] of batch.entries()) {
    const item = chunk.items[i];
    if (item === undefined) continue;
    const key = itemKey(action.type, action.id);
    const result = byId.get(action.id) ?? { id: action.id, action: action.action, outcome: 'unknown', message: 'no answer for this item' };
    switch (result.outcome) {
      case 'accepted':
        move(item, 'submitted', result.message, now);
        outcomes.set(
          key,
          outcomeOf(
            action,
            'awaiting-confirmation',
            true,
            `accepted by AI Core (${result.message}); not visible yet, the next run confirms it`,
          ),
        );
        break;
      case 'rejected':
        if (result.notFound) {
          // What is already gone is deleted, and has nothing left to stop: what was asked holds.
          const message = action.action === 'delete' ? 'already gone' : 'no longer exists: nothing left to stop';
          move(item, 'confirmed', message, now);
          outcomes.set(key, outcomeOf(action, 'confirmed', true, message));
        } else {
          move(item, 'failed', result.message, now);
          outcomes.set(key, outcomeOf(action, 'failed', true, result.message));
        }
        break;
      case 'unknown':
        move(item, 'unknown', result.message, now);
        outcomes.set(
          key,
          outcomeOf(action, 'awaiting-confirmation', true, `outcome unknown (${result.message}); not sent again: the listing decides`),
        );
        break;
      case 'not-sent':
        move(item, 'not-attempted', result.message, now);
        outcomes.set(key, outcomeOf(action, 'not-attempted', false, `not sent: ${result.message}`));
        break;
    }
  }
}

/** Re-lists the group until everything this run sent shows its effect or the attempts run out. */
async function confirmSent(
  fleet: GroupFleet,
  mine: readonly Working[],
  outcomes: Map<string, ItemOutcome>,
  ctx: GroupRunContext,
): Promise<void> {
  const labels: ResourceGroupInfo['labels'] = fleet.labels;
  const pending = (): Array<{ chunk: LedgerChunk; item: LedgerItem }> =>
    mine.flatMap((w) =>
      w.next.items.filter((i) => i.state === 'submitted' || i.state === 'unknown').map((item) => ({ chunk: w.next, item })),
    );
  for (let attempt = 0; attempt < ctx.confirm.attempts && pending().length > 0; attempt += 1) {
    // AI Core sets targetStatus at once, so the first look needs no wait; later looks back off.
    if (attempt > 0) await ctx.confirm.sleep(ctx.confirm.delayMs);
    const listed = await ctx.client.listGroup({ id: fleet.group, labels });
    if (listed.listingError !== null) continue;
    const live = liveIndex(listed);
    const now = ctx.clock();
    for (const { chunk, item } of pending()) {
      const key = itemKey(chunk.type, item.id);
      if (!isConfirmed(item.targetStatus, live.get(key))) continue;
      move(item, 'confirmed', 'confirmed by re-listing', now);
      const was = outcomes.get(key);
      if (was !== undefined) outcomes.set(key, { ...was, state: 'confirmed', message: 'confirmed by re-listing' });
    }
  }
}

export { applyGroup };
export type { GroupRunContext, GroupResult, SendGate };
