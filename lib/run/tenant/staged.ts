/**
 * What the steps of one tenant run hand each other through the store (Step Functions states carry
 * only names): a group's plan, the tenant's verdict, a group's results. One zod schema per record,
 * parsed on every read: a record that does not parse fails the step (and its Retry), never acts.
 */
import * as z from 'zod';
import { ACTIONS, RESOURCE_TYPES } from '../../lifecycle.js';
import { Notice } from '../../policy/notices.js';
import { SKIP_KINDS, type GroupPlan } from '../../policy/plan.js';
import type { StagingStore } from '../../store/ports.js';
import { RunError, UnstageableDataError } from '../errors.js';
import { OUTCOME_STATES, type ItemOutcome, type RunTotals } from '../report.js';

const Abort = z.object({ cap: z.string(), limit: z.number(), selected: z.number(), reason: z.string() });

const Savings = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('compute'), resourcePlan: z.string(), nodes: z.number(), atLeast: z.boolean(), nodeHoursPerDay: z.number() }),
  z.object({ kind: z.literal('none'), reason: z.string(), freesQuota: z.boolean() }),
  z.object({ kind: z.literal('unknown'), reason: z.string(), resourcePlan: z.string().nullable() }),
]);

const Estimate = z.object({ perDay: z.number(), unit: z.string() });

const SavingsTotals = z.object({
  byPlan: z.array(
    z.object({
      resourcePlan: z.string(),
      actions: z.number(),
      nodes: z.number(),
      atLeast: z.boolean(),
      nodeHoursPerDay: z.number(),
      estimate: Estimate.nullable(),
    }),
  ),
  unknown: z.number(),
  none: z.number(),
  freesQuota: z.number(),
  estimate: z.object({ perDay: z.number(), unit: z.string(), complete: z.boolean() }).nullable(),
});

const PlannedAction = z.object({
  group: z.string(),
  type: z.enum(RESOURCE_TYPES),
  id: z.string(),
  action: z.enum(ACTIONS),
  targetStatus: z.enum(['STOPPED', 'DELETED']),
  status: z.string(),
  ruleId: z.string(),
  reason: z.string(),
  ageSeconds: z.number().nullable(),
  matched: z.array(z.object({ condition: z.string(), value: z.union([z.string(), z.number(), z.boolean(), z.null()]) })),
  savings: Savings,
});

const SkippedItem = z.object({
  group: z.string(),
  type: z.enum(RESOURCE_TYPES),
  id: z.string().nullable(),
  status: z.string().nullable(),
  kind: z.enum(SKIP_KINDS),
  reason: z.string(),
  ruleId: z.string().nullable(),
  ageSeconds: z.number().nullable(),
});

const ComingUp = z.object({
  group: z.string(),
  type: z.enum(RESOURCE_TYPES),
  id: z.string(),
  action: z.enum(ACTIONS),
  ruleId: z.string(),
  noticedAt: z.string(),
  actAfter: z.string(),
  recorded: z.boolean(),
  snoozedBy: z.string().nullable(),
  savings: Savings,
});

const GroupTotals = z.object({ listed: z.number(), stop: z.number(), delete: z.number(), skipped: z.number(), protected: z.number() });

const GroupPlanSchema = z.object({
  group: z.string(),
  actions: z.array(PlannedAction),
  skipped: z.array(SkippedItem),
  aborted: Abort.nullable(),
  listingError: z.string().nullable(),
  totals: GroupTotals,
  savings: SavingsTotals,
  comingUp: z.array(ComingUp),
  notices: z.object({
    record: z.array(Notice),
    drop: z.array(z.object({ group: z.string(), type: z.enum(RESOURCE_TYPES), id: z.string() })),
  }),
});
// The stored shape is exactly lib/policy's GroupPlan: a drift fails the type check here.
const _groupPlanMatches: z.ZodType<GroupPlan, z.input<typeof GroupPlanSchema>> = GroupPlanSchema;
void _groupPlanMatches;

/** One group's plan as phase one left it: group caps applied, run caps not yet (the verdict's job). */
const StagedGroupPlan = z.object({
  plan: GroupPlanSchema,
  /** Per action (same order as plan.actions): the instant oldest-first sorts by. */
  sortMs: z.array(z.number()),
  labels: z.record(z.string(), z.string()),
});
type StagedGroupPlan = z.infer<typeof StagedGroupPlan>;

/** The tenant's verdict over all its groups: what the digest and every group run read. */
const StagedVerdict = z.object({
  planHash: z.string(),
  policyDigest: z.string(),
  mode: z.enum(['dry-run', 'apply']),
  evaluatedAt: z.string(),
  dryRun: z.boolean(),
  notApplied: z.string().nullable(),
  aborted: Abort.nullable(),
  /** Every group looked at, with the staged name of its final plan. */
  groups: z.array(z.object({ group: z.string(), planName: z.string() })),
});
type StagedVerdict = z.infer<typeof StagedVerdict>;

const ItemOutcomeSchema = z.object({
  group: z.string(),
  type: z.enum(RESOURCE_TYPES),
  id: z.string(),
  action: z.enum(ACTIONS),
  state: z.enum(OUTCOME_STATES),
  sent: z.boolean(),
  message: z.string(),
});
const _outcomeMatches: z.ZodType<ItemOutcome> = ItemOutcomeSchema;
void _outcomeMatches;

/** A run's totals (report.ts's RunTotals) as staged, digested and summarised over the estate. */
const StagedTotals = z.object({
  planned: z.number(),
  sent: z.number(),
  confirmed: z.number(),
  awaitingConfirmation: z.number(),
  failed: z.number(),
  notAttempted: z.number(),
});
const _totalsMatch: z.ZodType<RunTotals> = StagedTotals;
void _totalsMatch;

/** What one group run did. */
const StagedGroupResult = z.object({
  group: z.string(),
  outcomes: z.array(ItemOutcomeSchema),
  sent: z.number().int().nonnegative(),
  stopped: z.string().nullable(),
  /** A failure that stopped the group (store, lock, listing), as text. */
  error: z.string().nullable(),
});
type StagedGroupResult = z.infer<typeof StagedGroupResult>;

/** Staged names: one per kind and group. */
const STAGED = {
  plan: (group: string) => `plan:${group}`,
  final: (group: string) => `final:${group}`,
  result: (group: string) => `result:${group}`,
  verdict: 'verdict',
  report: 'report',
} as const;

class MissingStagedDataError extends RunError {
  override name = 'MissingStagedDataError';
}

async function writeStaged<T>(store: StagingStore, runId: string, name: string, schema: z.ZodType<T>, value: T, now: Date): Promise<void> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new UnstageableDataError(runId, name, z.prettifyError(parsed.error));
  await store.putStaged(runId, name, JSON.stringify(parsed.data), now);
}

async function readStaged<T>(store: StagingStore, runId: string, name: string, schema: z.ZodType<T>): Promise<T | undefined> {
  const text = await store.getStaged(runId, name);
  if (text === undefined) return undefined;
  const parsed = schema.safeParse(JSON.parse(text));
  if (!parsed.success)
    throw new MissingStagedDataError(`staged '${name}' of run ${runId} does not parse:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

async function requireStaged<T>(store: StagingStore, runId: string, name: string, schema: z.ZodType<T>): Promise<T> {
  const value = await readStaged(store, runId, name, schema);
  if (value === undefined) throw new MissingStagedDataError(`run ${runId} has no staged '${name}' (did the step before it run?)`);
  return value;
}

export {
  StagedGroupPlan,
  StagedVerdict,
  StagedGroupResult,
  GroupPlanSchema,
  StagedTotals,
  STAGED,
  MissingStagedDataError,
  writeStaged,
  readStaged,
  requireStaged,
};
