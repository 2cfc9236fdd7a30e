/**
 * The tenant's run report as its digest step stages it (`report`): what a front door that started
 * a tenant run on the state machine (the chat worker) reads back to answer with one digest. Parsed
 * on read like every staged record: a report that does not parse is an error, never a digest.
 */
import * as z from 'zod';
import { PLAN_VERSION, type Plan } from '../../policy/plan.js';
import { REPORT_VERSION, type RunReport } from '../report.js';
import { GroupPlanSchema, StagedGroupResult, StagedTotals } from './staged.js';

const PlanSchema = z.object({
  version: z.literal(PLAN_VERSION),
  hash: z.string(),
  policyDigest: z.string(),
  mode: z.enum(['dry-run', 'apply']),
  evaluatedAt: z.string(),
  groups: z.array(GroupPlanSchema),
  aborted: GroupPlanSchema.shape.aborted,
  totals: GroupPlanSchema.shape.totals,
  savings: GroupPlanSchema.shape.savings,
});
const _planMatches: z.ZodType<Plan, z.input<typeof PlanSchema>> = PlanSchema;
void _planMatches;

const StagedReport = z.object({
  version: z.literal(REPORT_VERSION),
  runId: z.string(),
  trigger: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
  deadline: z.string(),
  dryRun: z.boolean(),
  notApplied: z.string().nullable(),
  stopped: z.string().nullable(),
  listingFailures: z.array(z.object({ group: z.string(), error: z.string() })),
  complete: z.boolean(),
  plan: PlanSchema,
  outcomes: StagedGroupResult.shape.outcomes,
  totals: StagedTotals,
  warmNodes: z
    .discriminatedUnion('kind', [
      z.object({
        kind: z.literal('known'),
        plans: z.array(z.object({ resourcePlan: z.string(), provisioned: z.number(), requested: z.number() })),
      }),
      z.object({ kind: z.literal('unknown'), reason: z.string() }),
    ])
    .nullable(),
  apiCalls: z.number(),
  storeRequests: z.number(),
});
// The staged shape is exactly lib/run's RunReport: a drift fails the type check here.
const _reportMatches: z.ZodType<RunReport, z.input<typeof StagedReport>> = StagedReport;
void _reportMatches;

export { StagedReport };
