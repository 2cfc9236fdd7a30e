/**
 * The items AI Core lists, as every room sees them: the client parses list pages into these, the
 * policy engine evaluates them, the simulator serves them. Schemas are tolerant by direction
 * (server → us): unknown fields pass through, explicit nulls are accepted, and `status` is any string
 * so that a value outside the documented enum is *seen* (and then never acted on) rather than
 * turning the whole item into a parse failure.
 */
import * as z from 'zod';
import type { ResourceType } from './lifecycle.js';

const optionalText = z.string().nullish();

/**
 * The spec's id pattern (`AiExecutionId` and friends). An item whose id breaks it is unparseable:
 * reported, never acted on, and no id the client sends can break it.
 */
const ID_PATTERN = /^[\w.-]{4,64}$/;

/** Fields shared by executions and deployments (`AiExecution` / `AiDeployment` in the spec). */
const commonFields = {
  id: z.string().regex(ID_PATTERN, 'must match ^[\\w.-]{4,64}$'),
  status: z.string(),
  targetStatus: optionalText,
  statusMessage: optionalText,
  configurationId: optionalText,
  configurationName: optionalText,
  executableId: optionalText,
  scenarioId: optionalText,
  createdAt: optionalText,
  modifiedAt: optionalText,
  submissionTime: optionalText,
  startTime: optionalText,
  completionTime: optionalText,
};

const Execution = z.looseObject({
  ...commonFields,
  executionScheduleId: optionalText,
});
type Execution = z.infer<typeof Execution>;

const Deployment = z.looseObject({
  ...commonFields,
  deploymentUrl: optionalText,
  ttl: optionalText,
  lastOperation: z.unknown().optional(),
  latestRunningConfigurationId: optionalText,
  details: z.unknown().optional(),
});
type Deployment = z.infer<typeof Deployment>;

/** One listed item, tagged with where it lives. */
type Resource = { type: 'executions'; group: string; item: Execution } | { type: 'deployments'; group: string; item: Deployment };

/** A listed item that did not parse: reported, never acted on. */
interface UnparseableItem {
  type: ResourceType;
  group: string;
  id: string | null;
  reason: string;
}

/** Parses one listed item; a failure names the fields at fault so the report can say why. */
function parseResource(type: ResourceType, group: string, raw: unknown): Resource | UnparseableItem {
  const parsed = type === 'executions' ? Execution.safeParse(raw) : Deployment.safeParse(raw);
  if (parsed.success) {
    return type === 'executions' ? { type, group, item: parsed.data } : { type, group, item: parsed.data };
  }
  const id = typeof raw === 'object' && raw !== null && 'id' in raw && typeof raw.id === 'string' ? raw.id : null;
  const reason = parsed.error.issues.map((i) => `${i.path.join('.') || '(item)'}: ${i.message}`).join('; ');
  return { type, group, id, reason };
}

function isResource(value: Resource | UnparseableItem): value is Resource {
  return 'item' in value;
}

/**
 * Your rates per node hour by resource plan, for savings estimates (the policy's and a tenant's
 * `rates:`): strict, as input we own.
 */
const Rates = z
  .strictObject({
    unit: z
      .string()
      .regex(/^[A-Za-z]{1,8}$/, { error: 'a unit is a currency code (EUR, USD) or CU' })
      .meta({ description: 'What the rates are in: a currency code (EUR, USD) or CU (capacity units).', examples: ['CU', 'EUR'] }),
    perNodeHour: z
      .record(z.string().min(1), z.number().nonnegative({ error: 'a rate is a number ≥ 0' }))
      .refine((r) => Object.keys(r).length > 0, { error: 'list at least one resource plan' })
      .meta({
        description: 'Resource plan id (infer.s, basic, …) → rate per node hour, from your contract. Plans not listed are "rate unknown".',
      }),
  })
  .meta({ description: 'Your rates, for savings estimates. Optional; without it the report shows node hours only, never an amount.' });
type Rates = z.infer<typeof Rates>;

/** Everything known about one resource group after listing it. */
interface GroupFleet {
  group: string;
  /** Resource-group labels from the admin listing (`ext.ai.sap.com/...` → value). */
  labels: Readonly<Record<string, string>>;
  resources: Resource[];
  unparseable: UnparseableItem[];
  /** Set when listing the group failed: the whole group is then skipped. */
  listingError: string | null;
}

type Fleet = GroupFleet[];

/**
 * The tenant's warm (hot spare) nodes per resource plan (`GET /v2/admin/resources/nodes`): standing
 * cost the janitor reports and never acts on. `unknown` when the read failed or was not allowed.
 */
type WarmNodes =
  | { kind: 'known'; plans: Array<{ resourcePlan: string; provisioned: number; requested: number }> }
  | { kind: 'unknown'; reason: string };

export { Execution, Deployment, Rates, ID_PATTERN, parseResource, isResource };
export type { Resource, UnparseableItem, GroupFleet, Fleet, WarmNodes };
