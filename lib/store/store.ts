/**
 * What a run remembers between runs, behind one interface: the per-item ledger (so nothing is
 * submitted twice), observations the policy needs (first seen STOPPED, snoozes, the day's count) and
 * run records. DynamoDB implements it (dynamo.ts); tests and the local stack use dynalite.
 */
import type { ResourceType, TargetStatus } from '../lifecycle.js';
import type { Observations } from '../policy/observations.js';

/**
 * Ledger states. `submitting` is written *before* the PATCH, so a run that dies mid-request leaves
 * evidence; the next run then checks the live state instead of resubmitting.
 */
const LEDGER_STATES = { planned: 'planned', submitting: 'submitting', submitted: 'submitted', confirmed: 'confirmed', failed: 'failed' } as const;
type LedgerState = (typeof LEDGER_STATES)[keyof typeof LEDGER_STATES];

interface LedgerKey {
  group: string;
  type: ResourceType;
  id: string;
  targetStatus: TargetStatus;
}

interface LedgerEntry extends LedgerKey {
  state: LedgerState;
  planHash: string;
  runId: string;
  attempts: number;
  updatedAt: string;
  lastError: string | null;
}

interface RunRecord {
  runId: string;
  trigger: string;
  startedAt: string;
  finishedAt: string;
  dryRun: boolean;
  planHash: string;
  summary: string;
}

/** What a trigger id (EventBridge event id, Slack retry, …) left behind the first time it was seen. */
interface TriggerRecord {
  triggerId: string;
  runId: string;
  state: 'running' | 'done' | 'failed';
  startedAt: string;
  /** One line about the first run's result, returned to duplicate deliveries. */
  summary: string | null;
}

/** Thrown when a conditional write finds the entry in a state that forbids the move. */
class LedgerConflictError extends Error {
  override name = 'LedgerConflictError';
  constructor(
    readonly key: LedgerKey,
    readonly existing: LedgerEntry | undefined,
  ) {
    super(`ledger entry ${ledgerKeyString(key)} is ${existing?.state ?? 'missing'}; refusing the transition`);
  }
}

interface JanitorStore {
  /** Observations for these groups as of `now` (snoozes that expired are dropped). */
  observations(groups: readonly string[], now: Date): Promise<Observations>;
  /** Records items seen STOPPED; an existing first-seen instant is never moved. */
  recordStopped(items: ReadonlyArray<{ group: string; type: ResourceType; id: string }>, now: Date): Promise<void>;
  /** Entries of a group that are still `submitting` or `submitted` (awaiting confirmation). */
  openEntries(group: string): Promise<LedgerEntry[]>;
  getEntry(key: LedgerKey): Promise<LedgerEntry | undefined>;
  /**
   * Claims an item for submission: creates the entry as `submitting`, or moves a `failed` one back.
   * Throws LedgerConflictError when it is already submitting, submitted or confirmed.
   */
  claim(key: LedgerKey, meta: { planHash: string; runId: string; now: Date }): Promise<LedgerEntry>;
  /**
   * Moves an entry from `from` to `to`; throws LedgerConflictError when it is not in `from` or, with
   * `owner`, when another run has claimed it since.
   */
  transition(key: LedgerKey, from: readonly LedgerState[], to: LedgerState, meta: { now: Date; error?: string; owner?: string }): Promise<void>;
  /** Adds to today's (UTC) submitted-actions counter. */
  countActions(n: number, now: Date): Promise<void>;
  recordRun(run: RunRecord): Promise<void>;
  /** The most recent run records, newest first. */
  recentRuns(limit: number): Promise<RunRecord[]>;
  /**
   * Takes the run lock for `owner` until `until`, unless another owner holds an unexpired lease.
   * A crashed run's lease simply expires.
   */
  acquireLock(owner: string, until: Date, now: Date): Promise<boolean>;
  /** Releases the lock if `owner` still holds it. */
  releaseLock(owner: string): Promise<void>;
  /**
   * Registers the first delivery of a trigger. Returns undefined when this is the first (or the
   * earlier attempt failed), else the earlier record: the caller must not run again.
   */
  beginTrigger(triggerId: string, runId: string, now: Date): Promise<TriggerRecord | undefined>;
  finishTrigger(triggerId: string, state: 'done' | 'failed', summary: string): Promise<void>;
}

/**
 * A plan that chat showed (`/janitor plan`): what `apply <hash>` checks before it acts — that the
 * plan was shown, by whom, and that its approval window is open and unused.
 */
interface PlanRecord {
  hash: string;
  /** User id of whoever asked for the plan. */
  requester: string;
  createdAt: string;
  /** When the approval window closes (ISO-8601). */
  expiresAt: string;
  /** The dry run that produced it. */
  runId: string;
  approvedBy: string | null;
  approvedAt: string | null;
}

/**
 * What chat ops adds to the store. Kept apart from JanitorStore so that runs (and their test
 * doubles) need nothing of it; DynamoStore implements both on the same table.
 */
interface ChatOpsStore {
  /** Protects `id` until `until` (read back by `observations().snoozes`); a later snooze replaces it. */
  snooze(id: string, until: Date, by: string, reason?: string): Promise<void>;
  /** Records a shown plan; showing the same plan again starts a fresh request (and window). */
  recordPlan(plan: Omit<PlanRecord, 'approvedBy' | 'approvedAt'>): Promise<void>;
  /** Recorded plans whose hash starts with `hashPrefix` (at most `limit`, to detect ambiguity). */
  findPlans(hashPrefix: string, limit: number): Promise<PlanRecord[]>;
  /**
   * Marks the plan approved by `approver`, once: false when it is missing, already approved or its
   * window has closed (a conditional write, so two clicks cannot both approve).
   */
  claimApproval(hash: string, approver: string, now: Date): Promise<boolean>;
}

function ledgerKeyString(key: LedgerKey): string {
  return `${key.group}#${key.type}#${key.id}#${key.targetStatus}`;
}

export { LEDGER_STATES, LedgerConflictError, ledgerKeyString };
export type { LedgerState, LedgerKey, LedgerEntry, RunRecord, TriggerRecord, JanitorStore, PlanRecord, ChatOpsStore };
