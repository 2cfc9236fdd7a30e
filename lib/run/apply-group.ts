/**
 * Phase two for one resource group ("group run"): settle what earlier runs left open, then send the
 * plan's actions in chunks of at most 100 — each chunk's ledger record written *before* its request
 * and updated once with AI Core's answers — and re-list until the changes show. Store requests
 * scale with chunks, not items. A group run needs nothing from other groups.
 */
import type { AiCoreClient, ResourceGroupInfo, UpdateResult } from '../aicore/client.js';
import { mapLimited } from '../aicore/limiter.js';
import type { ResourceType } from '../lifecycle.js';
import type { GroupPlan, PlannedAction } from '../policy/plan.js';
import type { GroupFleet, Resource } from '../resources.js';
import type { LedgerStore } from '../store/ports.js';
import type { ItemState, LedgerChunk, LedgerItem } from '../store/records.js';
import { isAwaiting } from '../store/rules.js';
import { isConfirmed } from './confirm.js';
import { judgeEarlier } from './earlier-entries.js';
import type { ItemOutcome, OutcomeState } from './report.js';

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
  /** Items this run sent (accepted or outcome unknown): what the daily cap counts. */
  sent: number;
  /** Why sending stopped early, if it did. */
  stopped: string | null;
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

function outcome(action: PlannedAction, state: OutcomeState, sent: boolean, message: string): ItemOutcome {
  return { group: action.group, type: action.type, id: action.id, action: action.action, state, sent, message };
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
  const live = liveIndex(fleet);
  const outcomes = new Map<string, ItemOutcome>();
  const actions = plan?.aborted === null ? plan.actions : [];
  const planned = new Map(actions.map((a) => [itemKey(a.type, a.id), a]));

  // 1. Earlier entries: confirm what the listing shows, keep waiting within the guard, fail the rest.
  const earlier = (await ctx.ledger.openChunks(fleet.group)).map((chunk): Working => ({ previous: chunk, next: structuredClone(chunk) }));
  const resend = new Map<string, number>(); // item → attempts so far, for items sent again after the guard
  const now = ctx.clock();
  for (const work of earlier) {
    for (const item of work.next.items) {
      if (!isAwaiting(item.state)) continue;
      const key = itemKey(work.next.type, item.id);
      const verdict = judgeEarlier(item, work.next.runId, live.get(key), now, ctx.resubmitAfterMs);
      const action = planned.get(key);
      if (verdict.kind === 'confirmed') {
        move(item, 'confirmed', verdict.message, now);
        if (action !== undefined) outcomes.set(key, outcome(action, 'confirmed', false, verdict.message));
      } else if (verdict.kind === 'waiting') {
        if (action !== undefined) outcomes.set(key, outcome(action, 'awaiting-confirmation', false, verdict.message));
      } else {
        move(item, 'failed', verdict.message, now);
        if (action !== undefined) resend.set(key, Math.max(resend.get(key) ?? 0, item.attempt));
      }
    }
  }
  await ctx.ledger.writeChunks(earlier.filter(changed));

  // 2. New entries, one chunk record per request of at most `chunkSize` items.
  const toSend = actions.filter((a) => !outcomes.has(itemKey(a.type, a.id)));
  const chunks = chunkActions(toSend, ctx.client.chunkSize);
  let stopped: string | null = null;
  const mine: Working[] = [];
  await mapLimited(chunks, CHUNK_CONCURRENCY, async (batch, seq) => {
    const first = batch[0];
    if (first === undefined) return;
    try {
      await ctx.gate();
    } catch (error) {
      stopped ??= reasonOf(error);
      for (const a of batch) outcomes.set(itemKey(a.type, a.id), outcome(a, 'not-attempted', false, `not sent: ${reasonOf(error)}`));
      return;
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
      items: batch.map((a) => ({ id: a.id, targetStatus: a.targetStatus, state: 'submitting', attempt: (resend.get(itemKey(a.type, a.id)) ?? 0) + 1, sentAt, updatedAt: sentAt, message: null })),
    };
    // Written before the request: a run that dies while sending leaves evidence, never a blind spot.
    await ctx.ledger.writeChunks([{ previous: undefined, next: created }]);
    const results = await ctx.client.update(fleet.group, first.type, batch.map((a) => ({ id: a.id, status: a.status, action: a.action })), ctx.bulkUpdates[first.type]);
    const work: Working = { previous: { ...created, version: 0 }, next: structuredClone(created) };
    recordAnswers(work.next, batch, results, ctx.clock(), outcomes);
    if (stopped === null) stopped = results.find((r) => r.outcome === 'not-sent')?.message ?? null;
    await ctx.ledger.writeChunks([work]);
    work.previous = { ...structuredClone(work.next), version: 1 };
    mine.push(work);
  });

  // 3. Confirm by re-listing what this run sent; unconfirmed items stay for the next run.
  await confirmSent(fleet, mine, outcomes, ctx);
  await ctx.ledger.writeChunks(mine.filter(changed));

  const sent = mine.reduce((n, w) => n + w.next.items.filter((i) => i.state !== 'not-attempted' && i.state !== 'failed').length, 0);
  return { outcomes: actions.flatMap((a) => outcomes.get(itemKey(a.type, a.id)) ?? []), sent, stopped };
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
function recordAnswers(chunk: LedgerChunk, batch: readonly PlannedAction[], results: readonly UpdateResult[], now: Date, outcomes: Map<string, ItemOutcome>): void {
  const byId = new Map(results.map((r) => [r.id, r]));
  for (const [i, action] of batch.entries()) {
    const item = chunk.items[i];
    if (item === undefined) continue;
    const key = itemKey(action.type, action.id);
    const result = byId.get(action.id) ?? { id: action.id, action: action.action, outcome: 'unknown', message: 'no answer for this item' };
    switch (result.outcome) {
      case 'accepted':
        move(item, 'submitted', result.message, now);
        outcomes.set(key, outcome(action, 'awaiting-confirmation', true, `accepted by AI Core (${result.message}); not visible yet, the next run confirms it`));
        break;
      case 'rejected':
        if (action.action === 'delete' && result.notFound) {
          // Deleting what is already gone achieved what was asked.
          move(item, 'confirmed', 'already gone', now);
          outcomes.set(key, outcome(action, 'confirmed', true, 'already gone'));
        } else {
          move(item, 'failed', result.message, now);
          outcomes.set(key, outcome(action, 'failed', true, result.message));
        }
        break;
      case 'unknown':
        move(item, 'unknown', result.message, now);
        outcomes.set(key, outcome(action, 'awaiting-confirmation', true, `outcome unknown (${result.message}); not sent again: the listing decides`));
        break;
      case 'not-sent':
        move(item, 'not-attempted', result.message, now);
        outcomes.set(key, outcome(action, 'not-attempted', false, `not sent: ${result.message}`));
        break;
    }
  }
}

/** Re-lists the group until everything this run sent shows its effect or the attempts run out. */
async function confirmSent(fleet: GroupFleet, mine: readonly Working[], outcomes: Map<string, ItemOutcome>, ctx: GroupRunContext): Promise<void> {
  const labels: ResourceGroupInfo['labels'] = fleet.labels;
  const pending = (): Array<{ chunk: LedgerChunk; item: LedgerItem }> =>
    mine.flatMap((w) => w.next.items.filter((i) => i.state === 'submitted' || i.state === 'unknown').map((item) => ({ chunk: w.next, item })));
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

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export { applyGroup };
export type { GroupRunContext, GroupResult, SendGate };
