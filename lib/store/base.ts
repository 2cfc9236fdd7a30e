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
 * | heads-up notice      | {ns}#NOTICE            | {group}#{type}#{id}      | 14 days past its end |
 * | daily action counter | {ns}#COUNT#{yyyy-mm-dd}| ACTIONS                  | 3 days          |
 * | run record           | {ns}#RUN               | {startedAt}#{runId}      | 30 days         |
 * | run lock             | {ns}#LOCK              | RUN                      | lease end       |
 * | trigger record       | {ns}#TRIGGER#{id}      | TRIGGER                  | 7 days          |
 * | snooze (chat)        | SNOOZE                 | {id}#{ns}                | at its end      |
 * | chat plan (approval) | PLAN                   | {plan hash}#{ns}         | window + 7 days |
 * | group lock (tenant run) | {ns}#LOCK           | GROUP#{group}            | lease end       |
 *
 * The run lock record is held by one tenant-wide run (its run id) or by the tenant's group runs
 * (GROUP_RUNS_OWNER, until the last of them released its lock or its lease ended): the two
 * engines never act at once.
 * | staged run data      | {ns}#STAGE#{runId}     | {name}|{part}            | 7 days          |
 *
 * Snoozes and chat plans were once shared by every tenant of a table (sk `{id}` / `{plan hash}`):
 * those legacy records are still read (the tenant's own win) until their TTL clears them; new ones
 * carry the namespace in the sort key, so one query still reads both and costs what it did.
 *
 * Staged run data is what one step of a tenant run (Step Functions) hands the next: a group plan,
 * a verdict, a group's results. States pass its names; the text is gzipped and split into parts of
 * at most STAGE_PART_CHARS, so a group of thousands of items costs one or two records.
 */
import type { ResourceType } from '../lifecycle.js';
import { Notice, type NoticeChanges } from '../policy/notices.js';
import { observationKey, type Observations } from '../policy/observations.js';
import { IllegalLedgerMoveError, LedgerConflictError, UnreadableLedgerError, UnreadableStagedDataError } from './errors.js';
import { gunzipSync, gzipSync } from 'node:zlib';
import { mapLimited } from '../util/concurrency.js';
import { randomUUID } from 'node:crypto';
import type {
  ChatOpsStore,
  ChunkChange,
  GroupLockStore,
  JanitorStore,
  LockAttempt,
  LockStore,
  StagingStore,
  TriggerBegin,
} from './ports.js';
import { GROUP_RUNS_OWNER, LedgerChunk, LockRecord, PlanRecord, RunRecord, TriggerRecord } from './records.js';
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
/**
 * Batches of independent writes in flight at once: a first run records thousands of STOPPED items
 * before it acts, and one batch after another would put each round trip on that path.
 */
const BATCH_CONCURRENCY = 4;

/** Characters of base64 per staged part: far below DynamoDB's 400 KB item limit. */
const STAGE_PART_CHARS = 300_000;
/** Staged run data outlives any run (Step Functions standard executions last up to a year; ours minutes). */
const STAGE_RETENTION_DAYS = 7;

const StoredStagePart = z.object({ sk: z.string(), data: z.string(), parts: z.number().int().positive(), writeId: z.string() });

/** The chat-ops partitions, shared by the table's tenants; the namespace is in the sort key. */
const LEGACY = { snooze: 'SNOOZE', plan: 'PLAN' } as const;

/** The run lock record while group runs hold it (groupLock). */
const StoredMark = z.object({ owner: z.string(), leaseUntil: z.number(), markId: z.string() });
const StoredObservation = z.object({ sk: z.string(), firstSeenStopped: z.string() });
const StoredNotice = Notice.extend({ sk: z.string(), expiresAt: z.number() });
const StoredSnooze = z.object({ sk: z.string(), until: z.string() });
const StoredCounter = z.object({ n: z.number() });
/** A plan as stored: the hash is the sort key, the window has its own name (`expiresAt` is the TTL). */
const StoredPlan = PlanRecord.omit({ hash: true, expiresAt: true }).extend({ sk: z.string(), approvalExpiresAt: z.string() });

abstract class StoreBase implements JanitorStore, ChatOpsStore, StagingStore, GroupLockStore {
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
  protected abstract _query(
    pk: string,
    options?: { prefix?: string; descending?: boolean; limit?: number },
  ): Promise<Record<string, unknown>[]>;
  /** Every record whose pk starts with `pkPrefix` (operator commands only: a scan costs what the table holds). */
  protected abstract _scan(pkPrefix: string): Promise<Record<string, unknown>[]>;
  /** At most BATCH_LIMIT unconditional puts and deletes; unprocessed ones are retried until done. */
  protected abstract _batch(ops: readonly BatchOp[]): Promise<void>;
  /** Atomically adds `n` to a numeric field, creating the record if needed. */
  protected abstract _add(key: Key, field: string, n: number, fields: Record<string, StoredValue>): Promise<void>;

  /**
   * Writes that do not depend on each other's order, {@link BATCH_CONCURRENCY} batches at a time.
   * The first failure stops further batches and is thrown once those in flight have settled, so no
   * write of this call lands after it has failed.
   */
  private async batchIndependent(ops: readonly BatchOp[]): Promise<void> {
    const batches: BatchOp[][] = [];
    for (let i = 0; i < ops.length; i += BATCH_LIMIT) batches.push(ops.slice(i, i + BATCH_LIMIT));
    let failure: { error: unknown } | undefined;
    await mapLimited(batches, BATCH_CONCURRENCY, async (batch) => {
      if (failure !== undefined) return;
      try {
        await this._batch(batch);
      } catch (error) {
        failure ??= { error };
      }
    });
    if (failure !== undefined) throw failure.error;
  }

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
    // In order: a chunk's put into the history may sit in the batch before its delete from the open set.
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

  /** @param options.notices read the tenant's notices too (one query); only a policy with `notice:` needs them. */
  async observations(groups: readonly string[], now: Date, options: { notices?: boolean } = {}): Promise<Observations> {
    const firstSeenStopped: Record<string, string> = {};
    for (const group of groups) {
      // sk is `{type}#{id}`, so group + sk is the policy's observationKey.
      for (const obs of parseAll(StoredObservation, await this._query(this.key('OBS', group))))
        firstSeenStopped[`${group}#${obs.sk}`] = obs.firstSeenStopped;
    }
    const snoozes: Record<string, string> = {};
    // One query reads the tenant's own snoozes and the legacy shared ones; the tenant's own win.
    const own: Record<string, string> = {};
    for (const snooze of parseAll(StoredSnooze, await this._query(LEGACY.snooze))) {
      const { id, scope } = this.chatScope(snooze.sk);
      if (scope === 'other') continue;
      if (scope === 'own') own[id] = snooze.until;
      else if (Date.parse(snooze.until) > now.getTime()) snoozes[id] = snooze.until;
    }
    for (const [id, until] of Object.entries(own)) {
      if (Date.parse(until) > now.getTime()) snoozes[id] = until;
      else delete snoozes[id];
    }
    const counter = StoredCounter.safeParse(await this._get({ pk: this.key('COUNT', utcDay(now)), sk: 'ACTIONS' }));
    const observed = { firstSeenStopped, snoozes, actionsToday: counter.success ? counter.data.n : 0 };
    return options.notices === true ? { ...observed, notices: await this.notices(now) } : observed;
  }

  // ── heads-up notices ──────────────────────────────────────────────────────────────────────────

  /** The tenant's notices that have not expired, by observation key (the sort key). */
  private async notices(now: Date): Promise<Record<string, Notice>> {
    const notices: Record<string, Notice> = {};
    const nowSeconds = Math.floor(now.getTime() / 1000);
    for (const { sk, expiresAt: expiry, ...notice } of parseAll(StoredNotice, await this._query(this.key('NOTICE'))))
      if (expiry > nowSeconds) notices[sk] = notice;
    return notices;
  }

  async writeNotices(changes: NoticeChanges): Promise<void> {
    // Unconditional and batched, like first-seen-STOPPED: a racing run can at worst give a notice
    // again (moving its end later), which only delays an action.
    const recorded = new Set(changes.record.map((n) => noticeSk(n)));
    const ops: BatchOp[] = [
      ...changes.record.map((n): BatchOp => ({ put: this.noticeItem(n) })),
      ...changes.drop
        .filter((n) => !recorded.has(noticeSk(n)))
        .map((n): BatchOp => ({ delete: { pk: this.key('NOTICE'), sk: noticeSk(n) } })),
    ];
    await this.batchIndependent(ops);
  }

  async snoozeNotices(id: string, until: Date, by: string, reason?: string): Promise<Notice[]> {
    const all = parseAll(StoredNotice, await this._query(this.key('NOTICE')));
    const snoozed: Notice[] = [];
    for (const { sk: _sk, expiresAt: _expiry, ...notice } of all.filter((n) => n.id === id)) {
      // A snooze only ever moves the end later.
      const actAfter = Date.parse(notice.actAfter) >= until.getTime() ? notice.actAfter : until.toISOString();
      const next: Notice = { ...notice, actAfter, snoozedBy: by, snoozeReason: reason ?? null };
      await this._put(this.noticeItem(next));
      snoozed.push(next);
    }
    return snoozed;
  }

  private noticeItem(notice: Notice): Stored {
    const end = Date.parse(notice.actAfter);
    return {
      pk: this.key('NOTICE'),
      sk: noticeSk(notice),
      ...notice,
      expiresAt: expiresAt(Number.isNaN(end) ? new Date(notice.noticedAt) : new Date(end), RETENTION_DAYS.noticeAfterEnd),
    };
  }

  async recordStopped(items: ReadonlyArray<{ group: string; type: ResourceType; id: string }>, now: Date): Promise<void> {
    // Batched and unconditional: the caller passes only items it read as unobserved, and a racing
    // dry run can at worst move a first-seen instant later, which only lengthens a grace period.
    const unique = [...new Map(items.map((item) => [`${item.group}#${item.type}#${item.id}`, item])).values()];
    const puts: BatchOp[] = unique.map((item) => ({
      put: {
        pk: this.key('OBS', item.group),
        sk: `${item.type}#${item.id}`,
        firstSeenStopped: now.toISOString(),
        expiresAt: expiresAt(now, RETENTION_DAYS.observation),
      },
    }));
    await this.batchIndependent(puts);
  }

  async countActions(n: number, now: Date): Promise<void> {
    if (n <= 0) return;
    await this._add({ pk: this.key('COUNT', utcDay(now)), sk: 'ACTIONS' }, 'n', n, { expiresAt: expiresAt(now, RETENTION_DAYS.counter) });
  }

  // ── runs, lock, triggers ──────────────────────────────────────────────────────────────────────

  async recordRun(run: RunRecord): Promise<void> {
    await this._put({
      pk: this.key('RUN'),
      sk: `${run.startedAt}#${run.runId}`,
      ...run,
      expiresAt: expiresAt(new Date(run.startedAt), RETENTION_DAYS.run),
    });
  }

  async recentRuns(limit: number): Promise<RunRecord[]> {
    if (limit <= 0) return [];
    return parseAll(RunRecord, await this._query(this.key('RUN'), { descending: true, limit }));
  }

  async acquireLock(owner: string, until: Date, now: Date): Promise<LockAttempt> {
    return this.acquireLockAt('RUN', owner, until, now);
  }

  async renewLock(owner: string, until: Date): Promise<boolean> {
    return this.renewLockAt('RUN', owner, until);
  }

  async releaseLock(owner: string): Promise<void> {
    await this.releaseLockAt('RUN', owner);
  }

  /**
   * The lock of one (tenant, group): a group run of the state machine holds it while it applies, so
   * a retried or overlapping step never sends for the same group twice at once. The two engines
   * exclude each other on the tenant's run lock record: a group run also marks that record as held
   * by group runs (GROUP_RUNS_OWNER) until its own lease ends — refused while a tenant-wide run holds
   * it — and a tenant-wide run can take the record only once the last group lease marked there has
   * ended or been released. Each side is a conditional write on that one record, so no interleaving
   * lets both act.
   *
   * @example
   * const lease = new RunLease(store.groupLock('g1'), { owner: `${runId}:g1`, ... });
   */
  groupLock(group: string): LockStore {
    const sk = `GROUP#${group}`;
    return {
      acquireLock: async (owner, until, now) => {
        const attempt = await this.acquireLockAt(sk, owner, until, now);
        if (!attempt.acquired || !this.enginesExclude) return attempt;
        const marked = await this.markGroupRuns(until, now);
        if (marked.acquired) return marked;
        await this.releaseLockAt(sk, owner);
        return marked;
      },
      renewLock: async (owner, until) =>
        (await this.renewLockAt(sk, owner, until)) && (!this.enginesExclude || (await this.markGroupRuns(until, undefined)).acquired),
      releaseLock: async (owner) => {
        await this.releaseLockAt(sk, owner);
        if (this.enginesExclude) await this.shortenGroupRunsMark();
      },
    };
  }

  /**
   * Switched off only by a test subclass, to show that the engines overlap without it (a group run
   * then never marks the tenant's run lock record).
   */
  protected readonly enginesExclude: boolean = true;

  /**
   * Marks the tenant's run lock record as held by group runs until at least `until`. With `now`
   * (an acquisition) a tenant-wide lease that has ended is taken over; without it (a renewal) only
   * a record that group runs hold already, or none, is: a tenant-wide run that took the record in
   * between makes the renewal fail, and the group run stops.
   */
  private async markGroupRuns(until: Date, now: Date | undefined): Promise<LockAttempt> {
    const key = { pk: this.key('LOCK'), sk: 'RUN' };
    const ours: Condition = { op: 'eq', field: 'owner', value: GROUP_RUNS_OWNER };
    const free: Condition[] =
      now === undefined ? [{ op: 'absent' }] : [{ op: 'absent' }, { op: 'lt', field: 'leaseUntil', value: now.getTime() }];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      // Every write of the mark gets a new markId: shortenGroupRunsMark changes only the mark it read.
      const record = { ...key, owner: GROUP_RUNS_OWNER, leaseUntil: until.getTime(), markId: randomUUID(), expiresAt: expiresAt(until, 1) };
      // Extends the mark to `until`, or takes a free record.
      const { written } = await this._put(record, {
        op: 'or',
        of: [...free, { op: 'and', of: [ours, { op: 'lt', field: 'leaseUntil', value: until.getTime() }] }],
      });
      if (written) return { acquired: true };
      // Marked by group runs already, for longer than `until`: the record need not change.
      if (await this._update(key, { owner: GROUP_RUNS_OWNER, markId: randomUUID() }, ours)) return { acquired: true };
      const found = await this._get(key);
      // Gone in between (a tenant-wide run released it): take it again.
      if (found === undefined) continue;
      const holder = LockRecord.safeParse(found);
      // A tenant-wide run holds it (or it cannot be read): refused. Else it changed in between: again.
      if (!holder.success) return { acquired: false, holder: undefined, by: 'run-lock' };
      if (holder.data.owner !== GROUP_RUNS_OWNER && (now === undefined || holder.data.leaseUntil >= now.getTime()))
        return { acquired: false, holder: holder.data, by: 'run-lock' };
    }
    return { acquired: false, holder: undefined, by: 'run-lock' };
  }

  /**
   * After a group run released its lock: the mark shrinks to the longest group lease still recorded
   * (or goes, when none is), so a tenant-wide run waits for no lease nobody holds. It changes only
   * the mark it read (same markId): a group run that marked it since — whose lock, written before
   * its mark, the query may have missed — changed the markId, and the mark is left as it is.
   */
  private async shortenGroupRunsMark(): Promise<void> {
    const key = { pk: this.key('LOCK'), sk: 'RUN' };
    const mark = StoredMark.safeParse(await this._get(key));
    if (!mark.success || mark.data.owner !== GROUP_RUNS_OWNER) return;
    const held = parseAll(LockRecord, await this._query(this.key('LOCK'), { prefix: 'GROUP#' }));
    const unchanged: Condition = {
      op: 'and',
      of: [
        { op: 'eq', field: 'owner', value: GROUP_RUNS_OWNER },
        { op: 'eq', field: 'markId', value: mark.data.markId },
      ],
    };
    if (held.length === 0) {
      await this._delete(key, unchanged);
      return;
    }
    const longest = Math.max(...held.map((lock) => lock.leaseUntil));
    if (longest < mark.data.leaseUntil) await this._update(key, { leaseUntil: longest, markId: randomUUID() }, unchanged);
  }

  private async acquireLockAt(sk: string, owner: string, until: Date, now: Date): Promise<LockAttempt> {
    const key = { pk: this.key('LOCK'), sk };
    const { written } = await this._put(
      { ...key, owner, leaseUntil: until.getTime(), acquiredAt: now.toISOString(), expiresAt: expiresAt(until, 1) },
      // No TTL sweeper is trusted (dynalite has none, DynamoDB's is lazy): expiry is compared here.
      {
        op: 'or',
        of: [{ op: 'absent' }, { op: 'lt', field: 'leaseUntil', value: now.getTime() }, { op: 'eq', field: 'owner', value: owner }],
      },
    );
    if (written) return { acquired: true };
    const holder = LockRecord.safeParse(await this._get(key));
    return { acquired: false, holder: holder.success ? holder.data : undefined };
  }

  private renewLockAt(sk: string, owner: string, until: Date): Promise<boolean> {
    // Only the owner's own record can be extended: a lock another run took, or one that was
    // released in between, is gone for good.
    return this._update(
      { pk: this.key('LOCK'), sk },
      { leaseUntil: until.getTime(), expiresAt: expiresAt(until, 1) },
      { op: 'eq', field: 'owner', value: owner },
    );
  }

  private async releaseLockAt(sk: string, owner: string): Promise<void> {
    await this._delete({ pk: this.key('LOCK'), sk }, { op: 'eq', field: 'owner', value: owner });
  }

  async beginTrigger(triggerId: string, runId: string, now: Date, leaseUntil: Date): Promise<TriggerBegin> {
    const key = { pk: this.key('TRIGGER', triggerId), sk: 'TRIGGER' };
    const record: TriggerRecord = {
      triggerId,
      runId,
      state: 'running',
      startedAt: now.toISOString(),
      leaseUntil: leaseUntil.toISOString(),
      summary: null,
    };
    const { written, old } = await this._put(
      { ...key, ...record, leaseUntilMs: leaseUntil.getTime(), expiresAt: expiresAt(now, RETENTION_DAYS.trigger) },
      // A failed run may be retried; so may one that died while running (its lease has passed).
      {
        op: 'or',
        of: [
          { op: 'absent' },
          { op: 'eq', field: 'state', value: 'failed' },
          {
            op: 'and',
            of: [
              { op: 'eq', field: 'state', value: 'running' },
              { op: 'lt', field: 'leaseUntilMs', value: now.getTime() },
            ],
          },
        ],
      },
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
    await this._update(
      { pk: this.key('TRIGGER', triggerId), sk: 'TRIGGER' },
      { state, summary },
      { op: 'eq', field: 'runId', value: runId },
    );
  }

  // ── staged run data (tenant runs on Step Functions) ──────────────────────────────────────────

  async putStaged(runId: string, name: string, text: string, now: Date): Promise<void> {
    const data = gzipSync(Buffer.from(text, 'utf8')).toString('base64');
    const parts = Math.max(1, Math.ceil(data.length / STAGE_PART_CHARS));
    // A rewrite (a retried step) gets a new writeId: a reader never mixes parts of two writes.
    const writeId = randomUUID();
    const pk = this.key('STAGE', runId);
    const ops: BatchOp[] = Array.from({ length: parts }, (_, i) => ({
      put: {
        pk,
        sk: stageSk(name, i),
        data: data.slice(i * STAGE_PART_CHARS, (i + 1) * STAGE_PART_CHARS),
        parts,
        writeId,
        expiresAt: expiresAt(now, STAGE_RETENTION_DAYS),
      },
    }));
    // The first part names the write: it goes last, so a reader sees a whole write or the previous one.
    const [first, ...rest] = ops;
    await this.batchIndependent(rest);
    if (first !== undefined && 'put' in first) await this._put(first.put);
  }

  async getStaged(runId: string, name: string): Promise<string | undefined> {
    const records = parseAll(StoredStagePart, await this._query(this.key('STAGE', runId), { prefix: `${encodeURIComponent(name)}|` }));
    const head = records.find((r) => r.sk === stageSk(name, 0));
    if (head === undefined) return undefined;
    const parts = Array.from({ length: head.parts }, (_, i) =>
      records.find((r) => r.sk === stageSk(name, i) && r.writeId === head.writeId),
    );
    if (parts.some((p) => p === undefined)) throw new UnreadableStagedDataError(runId, name);
    return gunzipSync(Buffer.from(parts.map((p) => p?.data ?? '').join(''), 'base64')).toString('utf8');
  }

  // ── chat ops (namespaced; legacy shared records still read) ──────────────────────────────────

  async snooze(id: string, until: Date, by: string, reason?: string): Promise<void> {
    await this._put({
      pk: LEGACY.snooze,
      sk: this.chatSk(id),
      until: until.toISOString(),
      by,
      reason: reason ?? null,
      expiresAt: expiresAt(until, 0),
    });
  }

  async recordPlan(plan: Omit<PlanRecord, 'approvedBy' | 'approvedAt'>): Promise<void> {
    const closes = new Date(plan.expiresAt);
    // `expiresAt` is the table's TTL attribute (epoch seconds), so the window has its own names; the
    // record outlives the window by a week for the audit trail.
    await this._put({
      pk: LEGACY.plan,
      sk: this.chatSk(plan.hash),
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
    // One query by hash prefix finds this tenant's plans ({hash}#{ns}), legacy ones ({hash}) and
    // other tenants' (dropped): hashes are sha256, so a prefix matches few records.
    const found = parseAll(StoredPlan, await this._query(LEGACY.plan, { prefix: hashPrefix })).flatMap((p) => {
      const { id, scope } = this.chatScope(p.sk);
      return scope === 'other' ? [] : [{ ...p, sk: id, own: scope === 'own' }];
    });
    const plans = found.filter((p) => p.own || !found.some((o) => o.own && o.sk === p.sk));
    return plans
      .sort((a, b) => byBytes(a.sk, b.sk))
      .slice(0, limit)
      .map(({ sk, approvalExpiresAt, own: _own, ...rest }) => ({ hash: sk, expiresAt: approvalExpiresAt, ...rest }));
  }

  async claimApproval(hash: string, approver: string, now: Date): Promise<boolean> {
    const fields = { approvedBy: approver, approvedAt: now.toISOString() };
    const condition: Condition = {
      op: 'and',
      of: [
        { op: 'missing', field: 'approvedBy' },
        { op: 'gt', field: 'approvalExpiresAtMs', value: now.getTime() },
      ],
    };
    if (await this._update({ pk: LEGACY.plan, sk: this.chatSk(hash) }, fields, condition)) return true;
    // A legacy plan is claimed only when the tenant has no record of that hash: never twice.
    if ((await this._get({ pk: LEGACY.plan, sk: this.chatSk(hash) })) !== undefined) return false;
    return this._update({ pk: LEGACY.plan, sk: hash }, fields, condition);
  }

  // ── keys ──────────────────────────────────────────────────────────────────────────────────────

  /** A chat record's sort key: the id (an AI Core id or a plan hash: neither contains `#`) and the tenant. */
  private chatSk(id: string): string {
    return `${id}#${this.namespace}`;
  }

  /** Whose a chat record is: this tenant's, a legacy shared one (no namespace), or another tenant's. */
  private chatScope(sk: string): { id: string; scope: 'own' | 'legacy' | 'other' } {
    const at = sk.indexOf('#');
    if (at < 0) return { id: sk, scope: 'legacy' };
    return { id: sk.slice(0, at), scope: sk.slice(at + 1) === this.namespace ? 'own' : 'other' };
  }

  private key(kind: 'OPEN' | 'LEDGER' | 'OBS' | 'NOTICE' | 'COUNT' | 'RUN' | 'LOCK' | 'TRIGGER' | 'STAGE', suffix?: string): string {
    return suffix === undefined ? `${this.namespace}#${kind}` : `${this.namespace}#${kind}#${suffix}`;
  }

  private openItem(chunk: LedgerChunk): Stored {
    // Open chunks are settled by the next run that lists their group; the TTL only clears those of
    // a group that is never listed again.
    return {
      pk: this.key('OPEN', chunk.group),
      sk: chunk.chunkId,
      ...chunk,
      expiresAt: expiresAt(new Date(chunk.createdAt), RETENTION_DAYS.ledger),
    };
  }

  private historyItem(chunk: LedgerChunk): Stored {
    return {
      pk: this.key('LEDGER', chunk.group),
      sk: `${chunk.createdAt}#${chunk.chunkId}`,
      ...chunk,
      expiresAt: expiresAt(new Date(chunk.createdAt), RETENTION_DAYS.ledger),
    };
  }
}

/** Every item move must be in the transition table, and a chunk never changes what it holds. */
function assertLegal(previous: LedgerChunk | undefined, next: LedgerChunk): void {
  if (previous === undefined) {
    for (const item of next.items)
      if (item.state !== 'submitting' && item.state !== 'not-attempted')
        throw new IllegalLedgerMoveError(next, item.id, 'submitting', item.state);
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

/** DynamoDB's sort-key order (UTF-8 bytes). */
function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** A notice's sort key: the policy's observationKey, so the records read back keyed as evaluate() wants. */
function noticeSk(n: Pick<Notice, 'group' | 'type' | 'id'>): string {
  return observationKey(n.group, n.type, n.id);
}

function stageSk(name: string, part: number): string {
  return `${encodeURIComponent(name)}|${String(part).padStart(4, '0')}`;
}

function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export { StoreBase, BATCH_LIMIT, STAGE_PART_CHARS };
export type { Stored, StoredValue, Key, Condition, BatchOp };
