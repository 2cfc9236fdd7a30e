/**
 * Every port of the store, implemented once over a few storage primitives (get, put, update,
 * delete, query, scan, batch write, add), as Powertools' idempotency keeps its logic in a base
 * persistence layer and leaves `_put/_get/_update/_delete` to the adapters. Keys, the tenant
 * namespace, retention, the ledger's transition table and record parsing all live here.
 *
 * | record               | pk                     | sk                       | kept            |
 * |----------------------|------------------------|--------------------------|-----------------|
 * | ledger chunk (open)  | {ns}#OPEN#{group}      | {chunkId}                | until settled (at most 90 days) |
 * | ledger chunk (done)  | {ns}#LEDGER#{group}    | {createdAt}#{chunkId}    | 90 days         |
 * | first seen STOPPED   | {ns}#OBS#{group}       | {type}#{id}              | 30 days         |
 * | daily action counter | {ns}#COUNT#{yyyy-mm-dd}| ACTIONS                  | 3 days          |
 * | run record           | {ns}#RUN               | {startedAt}#{runId}      | 30 days         |
 * | run lock             | {ns}#LOCK              | RUN                      | lease end       |
 * | trigger record       | {ns}#TRIGGER#{id}      | TRIGGER                  | 7 days          |
 * | snooze (chat)        | SNOOZE                 | {id}                     | at its end      |
 * | chat plan (approval) | PLAN                   | {plan hash}              | window + 7 days |
 */
import type { ResourceType } from '../lifecycle.js';
import type { Observations } from '../policy/observations.js';
import { IllegalLedgerMoveError, LedgerConflictError, UnreadableLedgerError } from './errors.js';
import type { ChatOpsStore, ChunkChange, JanitorStore, LockAttempt, TriggerBegin } from './ports.js';
import { LedgerChunk, LockRecord, PlanRecord, RunRecord, TriggerRecord } from './records.js';
import { expiresAt, isLegalMove, isOpenChunk, RETENTION_DAYS } from './rules.js';
import * as z from 'zod';

type StoredValue = string | number | boolean | null | StoredValue[] | { [key: string]: StoredValue };
type Stored = { pk: string; sk: string } & { [key: string]: StoredValue };
interface Key {
  pk: string;
  sk: string;
}

/** Conditions on the record a write finds (absent = no record with that key). */
type Condition =
  | { op: 'absent' }
  | { op: 'missing'; field: string }
  | { op: 'eq'; field: string; value: string | number }
  | { op: 'lt'; field: string; value: number }
  | { op: 'gt'; field: string; value: number }
  | { op: 'or'; of: Condition[] }
  | { op: 'and'; of: Condition[] };

type BatchOp = { put: Stored } | { delete: Key };

/** BatchWriteItem's limit. */
const BATCH_LIMIT = 25;

const StoredObservation = z.object({ sk: z.string(), firstSeenStopped: z.string() });
const StoredSnooze = z.object({ sk: z.string(), until: z.string() });
const StoredCounter = z.object({ n: z.number() });
/** A plan as stored: the hash is the sort key, the window has its own name (`expiresAt` is the TTL). */
const StoredPlan = PlanRecord.omit({ hash: true, expiresAt: true }).extend({ sk: z.string(), approvalExpiresAt: z.string() });

abstract class StoreBase implements JanitorStore, ChatOpsStore {
  /** Store requests sent so far (every primitive reports what it cost). */
  requests = 0;

  /** @param namespace the tenant namespace every key of a run carries (see lib/aicore tenantNamespace). */
  constructor(readonly namespace: string) {}

  protected abstract _get(key: Key): Promise<Record<string, unknown> | undefined>;
  /** False when the condition did not hold. `old` is the record replaced, if any. */
  protected abstract _put(item: Stored, condition?: Condition): Promise<{ written: boolean; old: Record<string, unknown> | undefined }>;
  /** Sets fields of an existing record; false when it is missing or the condition did not hold. */
  protected abstract _update(key: Key, fields: Record<string, StoredValue>, condition?: Condition): Promise<boolean>;
  protected abstract _delete(key: Key, condition?: Condition): Promise<boolean>;
  /** Every record of a partition (all pages), optionally with an sk prefix, newest first, or the first `limit`. */
  protected abstract _query(pk: string, options?: { prefix?: string; descending?: boolean; limit?: number }): Promise<Record<string, unknown>[]>;
  /** Every record whose pk starts with `pkPrefix` (operator commands only: a scan costs what the table holds). */
  protected abstract _scan(pkPrefix: string): Promise<Record<string, unknown>[]>;
  /** At most BATCH_LIMIT unconditional puts and deletes; unprocessed ones are retried until done. */
  protected abstract _batch(ops: readonly BatchOp[]): Promise<void>;
  /** Atomically adds `n` to a numeric field, creating the record if needed. */
  protected abstract _add(key: Key, field: string, n: number, fields: Record<string, StoredValue>): Promise<void>;

  // ── ledger ────────────────────────────────────────────────────────────────────────────────────

  async openChunks(group: string): Promise<LedgerChunk[]> {
    const records = await this._query(this.key('OPEN', group));
    const chunks = parseAll(LedgerChunk, records);
    // An open chunk that cannot be read hides items that may be in flight: acting on the group
    // without it could send them again, so the group is refused instead.
    if (chunks.length !== records.length) throw new UnreadableLedgerError(group, records.length - chunks.length);
    return chunks;
  }

  async writeChunks(changes: readonly ChunkChange[]): Promise<void> {
    const moves: BatchOp[] = [];
    for (const { previous, next } of changes) {
      assertLegal(previous, next);
      const stored = { ...next, version: (previous?.version ?? -1) + 1 };
      if (isOpenChunk(stored)) {
        const condition: Condition = previous === undefined ? { op: 'absent' } : { op: 'eq', field: 'version', value: previous.version };
        const { written } = await this._put(this.openItem(stored), condition);
        if (!written) throw new LedgerConflictError(next.chunkId);
        continue;
      }
      // Settled: into the history, out of the open set, in batches. Unconditional, so this relies
      // on the run lock: only the lease holder writes the ledger, and it checks its lease first. A
      // crash between the put and the delete leaves the chunk open, and the next run settles it
      // again onto the same history key.
      moves.push({ put: this.historyItem(stored) });
      if (previous !== undefined) moves.push({ delete: { pk: this.key('OPEN', next.group), sk: next.chunkId } });
    }
    for (let i = 0; i < moves.length; i += BATCH_LIMIT) await this._batch(moves.slice(i, i + BATCH_LIMIT));
  }

  async ledger(group?: string): Promise<LedgerChunk[]> {
    const records =
      group === undefined
        ? [...(await this._scan(this.key('OPEN', ''))), ...(await this._scan(this.key('LEDGER', '')))]
        : [...(await this._query(this.key('OPEN', group))), ...(await this._query(this.key('LEDGER', group)))];
    return parseAll(LedgerChunk, records).sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.chunkId.localeCompare(b.chunkId));
  }

  // ── observations ──────────────────────────────────────────────────────────────────────────────

  async observations(groups: readonly string[], now: Date): Promise<Observations> {
    const firstSeenStopped: Record<string, string> = {};
    for (const group of groups) {
      // sk is `{type}#{id}`, so group + sk is the policy's observationKey.
      for (const obs of parseAll(StoredObservation, await this._query(this.key('OBS', group)))) firstSeenStopped[`${group}#${obs.sk}`] = obs.firstSeenStopped;
    }
    const snoozes: Record<string, string> = {};
    for (const snooze of parseAll(StoredSnooze, await this._query('SNOOZE'))) {
      if (Date.parse(snooze.until) > now.getTime()) snoozes[snooze.sk] = snooze.until;
    }
    const counter = StoredCounter.safeParse(await this._get({ pk: this.key('COUNT', utcDay(now)), sk: 'ACTIONS' }));
    return { firstSeenStopped, snoozes, actionsToday: counter.success ? counter.data.n : 0 };
  }

  async recordStopped(items: ReadonlyArray<{ group: string; type: ResourceType; id: string }>, now: Date): Promise<void> {
    // Batched and unconditional: the caller passes only items it read as unobserved, and a racing
    // dry run can at worst move a first-seen instant later, which only lengthens a grace period.
    const unique = [...new Map(items.map((item) => [`${item.group}#${item.type}#${item.id}`, item])).values()];
    const puts: BatchOp[] = unique.map((item) => ({
      put: { pk: this.key('OBS', item.group), sk: `${item.type}#${item.id}`, firstSeenStopped: now.toISOString(), expiresAt: expiresAt(now, RETENTION_DAYS.observation) },
    }));
    for (let i = 0; i < puts.length; i += BATCH_LIMIT) await this._batch(puts.slice(i, i + BATCH_LIMIT));
  }

  async countActions(n: number, now: Date): Promise<void> {
    if (n <= 0) return;
    await this._add({ pk: this.key('COUNT', utcDay(now)), sk: 'ACTIONS' }, 'n', n, { expiresAt: expiresAt(now, RETENTION_DAYS.counter) });
  }

  // ── runs, lock, triggers ──────────────────────────────────────────────────────────────────────

  async recordRun(run: RunRecord): Promise<void> {
    await this._put({ pk: this.key('RUN'), sk: `${run.startedAt}#${run.runId}`, ...run, expiresAt: expiresAt(new Date(run.startedAt), RETENTION_DAYS.run) });
  }

  async recentRuns(limit: number): Promise<RunRecord[]> {
    if (limit <= 0) return [];
    return parseAll(RunRecord, await this._query(this.key('RUN'), { descending: true, limit }));
  }

  async acquireLock(owner: string, until: Date, now: Date): Promise<LockAttempt> {
    const key = { pk: this.key('LOCK'), sk: 'RUN' };
    const { written } = await this._put(
      { ...key, owner, leaseUntil: until.getTime(), acquiredAt: now.toISOString(), expiresAt: expiresAt(until, 1) },
      // No TTL sweeper is trusted (dynalite has none, DynamoDB's is lazy): expiry is compared here.
      { op: 'or', of: [{ op: 'absent' }, { op: 'lt', field: 'leaseUntil', value: now.getTime() }, { op: 'eq', field: 'owner', value: owner }] },
    );
    if (written) return { acquired: true };
    const holder = LockRecord.safeParse(await this._get(key));
    return { acquired: false, holder: holder.success ? holder.data : undefined };
  }

  async renewLock(owner: string, until: Date): Promise<boolean> {
    // Only the owner's own record can be extended: a lock another run took, or one that was
    // released in between, is gone for good.
    return this._update({ pk: this.key('LOCK'), sk: 'RUN' }, { leaseUntil: until.getTime(), expiresAt: expiresAt(until, 1) }, { op: 'eq', field: 'owner', value: owner });
  }

  async releaseLock(owner: string): Promise<void> {
    await this._delete({ pk: this.key('LOCK'), sk: 'RUN' }, { op: 'eq', field: 'owner', value: owner });
  }

  async beginTrigger(triggerId: string, runId: string, now: Date, leaseUntil: Date): Promise<TriggerBegin> {
    const key = { pk: this.key('TRIGGER', triggerId), sk: 'TRIGGER' };
    const record: TriggerRecord = { triggerId, runId, state: 'running', startedAt: now.toISOString(), leaseUntil: leaseUntil.toISOString(), summary: null };
    const { written, old } = await this._put(
      { ...key, ...record, leaseUntilMs: leaseUntil.getTime(), expiresAt: expiresAt(now, RETENTION_DAYS.trigger) },
      // A failed run may be retried; so may one that died while running (its lease has passed).
      { op: 'or', of: [{ op: 'absent' }, { op: 'eq', field: 'state', value: 'failed' }, { op: 'and', of: [{ op: 'eq', field: 'state', value: 'running' }, { op: 'lt', field: 'leaseUntilMs', value: now.getTime() }] }] },
    );
    if (written) {
      const earlier = TriggerRecord.safeParse(old);
      return earlier.success ? { kind: 'retry', earlier: earlier.data } : { kind: 'new' };
    }
    const existing = TriggerRecord.safeParse(await this._get(key));
    // A record that cannot be read is still a record: never run twice because of it.
    const earlier: TriggerRecord = existing.success ? existing.data : { ...record, runId: 'unknown', summary: 'unreadable trigger record' };
    return { kind: 'duplicate', earlier };
  }

  async finishTrigger(triggerId: string, runId: string, state: 'done' | 'failed', summary: string): Promise<void> {
    await this._update({ pk: this.key('TRIGGER', triggerId), sk: 'TRIGGER' }, { state, summary }, { op: 'eq', field: 'runId', value: runId });
  }

  // ── chat ops (not namespaced yet: shared by every tenant of the table) ───────────────────────

  async snooze(id: string, until: Date, by: string, reason?: string): Promise<void> {
    await this._put({ pk: 'SNOOZE', sk: id, until: until.toISOString(), by, reason: reason ?? null, expiresAt: expiresAt(until, 0) });
  }

  async recordPlan(plan: Omit<PlanRecord, 'approvedBy' | 'approvedAt'>): Promise<void> {
    const closes = new Date(plan.expiresAt);
    // `expiresAt` is the table's TTL attribute (epoch seconds), so the window has its own names; the
    // record outlives the window by a week for the audit trail.
    await this._put({
      pk: 'PLAN',
      sk: plan.hash,
      requester: plan.requester,
      createdAt: plan.createdAt,
      runId: plan.runId,
      approvalExpiresAt: plan.expiresAt,
      approvalExpiresAtMs: closes.getTime(),
      expiresAt: expiresAt(closes, RETENTION_DAYS.planAfterWindow),
    });
  }

  async findPlans(hashPrefix: string, limit: number): Promise<PlanRecord[]> {
    if (limit <= 0) return [];
    return parseAll(StoredPlan, await this._query('PLAN', { prefix: hashPrefix, limit })).map(({ sk, approvalExpiresAt, ...rest }) => ({ hash: sk, expiresAt: approvalExpiresAt, ...rest }));
  }

  async claimApproval(hash: string, approver: string, now: Date): Promise<boolean> {
    return this._update(
      { pk: 'PLAN', sk: hash },
      { approvedBy: approver, approvedAt: now.toISOString() },
      { op: 'and', of: [{ op: 'missing', field: 'approvedBy' }, { op: 'gt', field: 'approvalExpiresAtMs', value: now.getTime() }] },
    );
  }

  // ── keys ──────────────────────────────────────────────────────────────────────────────────────

  private key(kind: 'OPEN' | 'LEDGER' | 'OBS' | 'COUNT' | 'RUN' | 'LOCK' | 'TRIGGER', suffix?: string): string {
    return suffix === undefined ? `${this.namespace}#${kind}` : `${this.namespace}#${kind}#${suffix}`;
  }

  private openItem(chunk: LedgerChunk): Stored {
    // Open chunks are settled by the next run that lists their group; the TTL only clears those of
    // a group that is never listed again.
    return { pk: this.key('OPEN', chunk.group), sk: chunk.chunkId, ...chunk, expiresAt: expiresAt(new Date(chunk.createdAt), RETENTION_DAYS.ledger) };
  }

  private historyItem(chunk: LedgerChunk): Stored {
    return { pk: this.key('LEDGER', chunk.group), sk: `${chunk.createdAt}#${chunk.chunkId}`, ...chunk, expiresAt: expiresAt(new Date(chunk.createdAt), RETENTION_DAYS.ledger) };
  }
}

/** Every item move must be in the transition table, and a chunk never changes what it holds. */
function assertLegal(previous: LedgerChunk | undefined, next: LedgerChunk): void {
  if (previous === undefined) {
    for (const item of next.items) if (item.state !== 'submitting' && item.state !== 'not-attempted') throw new IllegalLedgerMoveError(next, item.id, 'submitting', item.state);
    return;
  }
  const before = new Map(previous.items.map((item) => [`${item.id}#${item.targetStatus}`, item]));
  if (before.size !== next.items.length) throw new LedgerConflictError(next.chunkId);
  for (const item of next.items) {
    const was = before.get(`${item.id}#${item.targetStatus}`);
    if (was === undefined) throw new LedgerConflictError(next.chunkId);
    if (!isLegalMove(was.state, item.state)) throw new IllegalLedgerMoveError(next, item.id, was.state, item.state);
  }
}

function parseAll<T>(schema: z.ZodType<T>, records: readonly unknown[]): T[] {
  return records.flatMap((raw) => {
    const parsed = schema.safeParse(raw);
    return parsed.success ? [parsed.data] : [];
  });
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export { StoreBase, BATCH_LIMIT };
export type { Stored, StoredValue, Key, Condition, BatchOp };
