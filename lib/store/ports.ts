/**
 * What a run remembers between runs, as small ports: the ledger, observations the policy needs,
 * run records, the run lock and trigger records; chat ops apart. One base (base.ts) implements them
 * all over a handful of storage primitives; DynamoDB (dynamo.ts) and memory (memory.ts) provide those.
 */
import type { ResourceType } from '../lifecycle.js';
import type { Notice, NoticeChanges } from '../policy/notices.js';
import type { Observations } from '../policy/observations.js';
import type { LedgerChunk, LockRecord, PlanRecord, RunRecord, TriggerRecord } from './records.js';

/** One chunk write: `previous` is what was read (undefined for a new chunk), `next` what to store. */
interface ChunkChange {
  previous: LedgerChunk | undefined;
  next: LedgerChunk;
}

interface LedgerStore {
  /** Chunks of a group with an item that still awaits AI Core (strongly consistent). */
  openChunks(group: string): Promise<LedgerChunk[]>;
  /**
   * Writes chunk changes: a chunk that is still open is written conditionally on the version it was
   * read at (a new one on not existing yet); a settled chunk moves from the open set to the history,
   * in batches. Throws LedgerConflictError if an open chunk changed since it was read.
   */
  writeChunks(changes: readonly ChunkChange[]): Promise<void>;
  /** Every chunk of a group, open and settled, oldest first; without a group, of every group. */
  ledger(group?: string): Promise<LedgerChunk[]>;
}

interface ObservationStore {
  /**
   * Observations for these groups as of `now` (snoozes that expired are dropped); with
   * `notices: true` also the tenant's heads-up notices (one more request, only when the policy has any).
   */
  observations(groups: readonly string[], now: Date, options?: { notices?: boolean }): Promise<Observations>;
  /** Records items first seen STOPPED now; pass only items `observations()` did not know. */
  recordStopped(items: ReadonlyArray<{ group: string; type: ResourceType; id: string }>, now: Date): Promise<void>;
  /** Adds to today's (UTC) submitted-actions counter. */
  countActions(n: number, now: Date): Promise<void>;
}

/**
 * Heads-up notices, per tenant (read back by `observations().notices`). A run that may record
 * notices writes what evaluate() returned; `plan` never calls it.
 */
interface NoticeStore {
  /** Records new notices (replacing one of the same item) and drops the others named, in batches. */
  writeNotices(changes: NoticeChanges): Promise<void>;
  /**
   * Moves the notices of `id` (any group or type) to act no earlier than `until`, recording who and
   * why; returns the notices as they now stand (none: the item has no notice).
   */
  snoozeNotices(id: string, until: Date, by: string, reason?: string): Promise<Notice[]>;
}

interface RunStore {
  recordRun(run: RunRecord): Promise<void>;
  /** The most recent run records, newest first. */
  recentRuns(limit: number): Promise<RunRecord[]>;
}

type LockAttempt =
  | { acquired: true }
  /** `by: 'run-lock'`: a group lock refused because a tenant-wide run holds the tenant's run lock. */
  | { acquired: false; holder: LockRecord | undefined; by?: 'run-lock' };

interface LockStore {
  /** Takes the run lock for `owner` until `until`, unless another owner holds an unexpired lease. */
  acquireLock(owner: string, until: Date, now: Date): Promise<LockAttempt>;
  /** Extends `owner`'s lease; false when the lock is gone or another owner holds it. */
  renewLock(owner: string, until: Date): Promise<boolean>;
  /** Releases the lock if `owner` still holds it. */
  releaseLock(owner: string): Promise<void>;
}

/**
 * `new`: first delivery. `retry`: an earlier delivery failed or died (its lease passed while it was
 * still `running`), so this one runs. `duplicate`: done, or still running within its lease.
 */
type TriggerBegin = { kind: 'new' } | { kind: 'retry'; earlier: TriggerRecord } | { kind: 'duplicate'; earlier: TriggerRecord };

interface TriggerStore {
  beginTrigger(triggerId: string, runId: string, now: Date, leaseUntil: Date): Promise<TriggerBegin>;
  /** Records the result, unless a later delivery has taken the trigger over since. */
  finishTrigger(triggerId: string, runId: string, state: 'done' | 'failed', summary: string): Promise<void>;
}

/** Everything a run needs. `requests` counts store requests sent, for the report and the bench. */
interface JanitorStore extends LedgerStore, ObservationStore, NoticeStore, RunStore, LockStore, TriggerStore {
  readonly requests: number;
}

/**
 * What chat ops adds: snoozes and the plans shown in chat, with their approvals. Kept apart so that
 * runs (and their test doubles) need nothing of it.
 */
interface ChatOpsStore {
  /** Protects `id` until `until` (read back by `observations().snoozes`); a later snooze replaces it. */
  snooze(id: string, until: Date, by: string, reason?: string): Promise<void>;
  /** Records a shown plan; showing the same plan again starts a fresh request (and window). */
  recordPlan(plan: Omit<PlanRecord, 'approvedBy' | 'approvedAt'>): Promise<void>;
  /** Recorded plans whose hash starts with `hashPrefix` (at most `limit`, to detect ambiguity). */
  findPlans(hashPrefix: string, limit: number): Promise<PlanRecord[]>;
  /** Marks the plan approved by `approver`, once (conditional: two clicks cannot both approve). */
  claimApproval(hash: string, approver: string, now: Date): Promise<boolean>;
}

/**
 * What one step of a tenant run hands the next (Step Functions states pass names, not plans): text
 * per (run, name), compressed and split into parts by the base. Kept 7 days.
 */
interface StagingStore {
  putStaged(runId: string, name: string, text: string, now: Date): Promise<void>;
  /** The text last written under `name`, or undefined when nothing was. */
  getStaged(runId: string, name: string): Promise<string | undefined>;
}

/** One lock per resource group of the tenant, for group runs that apply in parallel. */
interface GroupLockStore {
  groupLock(group: string): LockStore;
}

export type { StagingStore, GroupLockStore };
export type {
  ChunkChange,
  LedgerStore,
  ObservationStore,
  NoticeStore,
  RunStore,
  LockAttempt,
  LockStore,
  TriggerBegin,
  TriggerStore,
  JanitorStore,
  ChatOpsStore,
};
