/**
 * What the store keeps, one zod schema per record: types come from these, and both adapters parse
 * what they read back with them (a record that does not parse is ignored, never trusted).
 */
import * as z from 'zod';
import { RESOURCE_TYPES } from '../lifecycle.js';

/**
 * Per-item ledger states. `submitting` is written *before* the request; `submitted` (AI Core said
 * 202) and `unknown` (sent, answer lost) await confirmation by a listing; `confirmed`, `failed` and
 * `not-attempted` (the deadline or a lost lease came first) are final for that entry.
 */
const ITEM_STATES = ['submitting', 'submitted', 'unknown', 'confirmed', 'failed', 'not-attempted'] as const;
const ItemState = z.enum(ITEM_STATES);
type ItemState = z.infer<typeof ItemState>;

const LedgerItem = z.object({
  id: z.string(),
  targetStatus: z.enum(['STOPPED', 'DELETED']),
  state: ItemState,
  /** How often this item has been sent, over all runs (a re-send after the guard counts up). */
  attempt: z.number().int().positive(),
  /** When this entry's request was (or was about to be) sent. */
  sentAt: z.string(),
  /** When the entry last changed. */
  updatedAt: z.string(),
  message: z.string().nullable(),
});
type LedgerItem = z.infer<typeof LedgerItem>;

/**
 * One bulk request's worth of ledger (≤ 100 items of one type in one group), written before the
 * request is sent. Per-item truth lives inside it, so the ledger costs what the API costs.
 */
const LedgerChunk = z.object({
  chunkId: z.string(),
  group: z.string(),
  type: z.enum(RESOURCE_TYPES),
  runId: z.string(),
  planHash: z.string(),
  createdAt: z.string(),
  /** Optimistic concurrency: every write checks the version it read. */
  version: z.number().int().nonnegative(),
  items: z.array(LedgerItem).min(1).max(100),
});
type LedgerChunk = z.infer<typeof LedgerChunk>;

const RunRecord = z.object({
  runId: z.string(),
  trigger: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  dryRun: z.boolean(),
  planHash: z.string(),
  summary: z.string(),
});
type RunRecord = z.infer<typeof RunRecord>;

const TRIGGER_STATES = ['running', 'done', 'failed'] as const;

/** What a trigger id (EventBridge event id, chat retry, …) left behind the first time it was seen. */
const TriggerRecord = z.object({
  triggerId: z.string(),
  runId: z.string(),
  state: z.enum(TRIGGER_STATES),
  startedAt: z.string(),
  /** While `running`: when the run's lease ends; a record still running after it is a run that died. */
  leaseUntil: z.string(),
  /** One line about the result, returned to duplicate deliveries. */
  summary: z.string().nullable(),
});
type TriggerRecord = z.infer<typeof TriggerRecord>;

/**
 * What a duplicate delivery is told about the first one (the CLI, the schedule and chat say the same).
 *
 * @example
 * describeFirst(record); // "still running (run r1, started …; it is considered dead after …)"
 */
function describeFirst(first: TriggerRecord): string {
  if (first.state === 'running')
    return `still running (run ${first.runId}, started ${first.startedAt}; it is considered dead after ${first.leaseUntil})`;
  return first.summary ?? `${first.state} (run ${first.runId})`;
}

const LockRecord = z.object({ owner: z.string(), leaseUntil: z.number(), acquiredAt: z.string().optional() });
type LockRecord = z.infer<typeof LockRecord>;

/**
 * The run lock's owner while the state machine's group runs hold it (lib/store groupLock): no run
 * id ever has this form, so a tenant-wide run never mistakes the mark for its own lease.
 */
const GROUP_RUNS_OWNER = '(group runs of the state machine)';

const PlanRecord = z.object({
  hash: z.string(),
  /** User id of whoever asked for the plan. */
  requester: z.string(),
  createdAt: z.string(),
  /** When the approval window closes (ISO-8601). */
  expiresAt: z.string(),
  /** The dry run that produced it. */
  runId: z.string(),
  approvedBy: z.string().nullable().default(null),
  approvedAt: z.string().nullable().default(null),
});
type PlanRecord = z.infer<typeof PlanRecord>;

export {
  ITEM_STATES,
  ItemState,
  LedgerItem,
  LedgerChunk,
  RunRecord,
  TriggerRecord,
  LockRecord,
  PlanRecord,
  describeFirst,
  GROUP_RUNS_OWNER,
};
