/**
 * The policy file's schema, in Cloud Custodian's shape: a policy holds ordered rules; a rule has a
 * `match` built from conditions and one action. Each condition kind is a small strict object with
 * exactly one key, kept in one registry (`CONDITIONS`) the way Custodian keeps its filter registry,
 * so that the parser can name the valid kinds and suggest the nearest one for a typo.
 *
 * Everything is `z.strictObject`: an unknown key is an error, never silently ignored. Types are
 * derived from these schemas (`Policy` is the parsed output, defaults filled in).
 */
import * as z from 'zod';
import { RESOURCE_TYPES, STATUSES } from '../lifecycle.js';
import { DURATION_HINT, DURATION_PATTERN } from './duration.js';

/** Timestamps an `olderThan` condition may read (both resource types carry all five). */
const TIMESTAMP_FIELDS = ['createdAt', 'modifiedAt', 'submissionTime', 'startTime', 'completionTime'] as const;
type TimestampField = (typeof TIMESTAMP_FIELDS)[number];

/** Rule actions. `stop-then-delete` stops running items now and deletes them on a later run. */
const RULE_ACTIONS = ['stop', 'delete', 'stop-then-delete'] as const;
type RuleAction = (typeof RULE_ACTIONS)[number];

/** Scenarios of generative-AI deployments: billed by tokens, so stopping them saves nothing and breaks callers. */
const GENERATIVE_AI_SCENARIOS = ['foundation-models', 'orchestration'] as const;

const Duration = z
  .string({ error: `expected ${DURATION_HINT}` })
  .regex(DURATION_PATTERN, { error: `expected ${DURATION_HINT}` })
  .meta({ description: `A duration: ${DURATION_HINT}.`, examples: ['30m', '36h', '7d', '2w'] });

const Glob = z
  .string({ error: 'expected a text value or glob' })
  .min(1, { error: 'a glob must not be empty' })
  .meta({ description: 'An exact value or a picomatch glob (`*`, `?`, `[abc]`, `{a,b}`); `*` does not cross `/`.' });

const GlobList = z.union([Glob, z.array(Glob).min(1, { error: 'the list must not be empty' })], {
  error: 'expected a glob or a non-empty list of globs',
});

const Presence = z.enum(['present', 'absent'], { error: 'expected `present` or `absent`' });

const Instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()], {
  error: 'expected an ISO-8601 date (2026-12-01) or date-time with a zone (2026-12-01T00:00:00Z)',
});

// ---- conditions: one strict object per kind, one key each ----------------------------------------

const StatusCondition = z
  .strictObject({ status: z.array(z.enum(STATUSES)).min(1, { error: 'list at least one status' }) })
  .meta({ description: 'The status is one of these (documented statuses only).' });

const OlderThanCondition = z
  .strictObject({
    olderThan: z.strictObject({
      field: z.enum(TIMESTAMP_FIELDS),
      age: Duration,
    }),
  })
  .meta({ description: 'The chosen timestamp is more than `age` before now. A missing timestamp is unknown.' });

const ScenarioCondition = z.strictObject({ scenario: GlobList }).meta({ description: 'scenarioId matches.' });
const ExecutableCondition = z.strictObject({ executable: GlobList }).meta({ description: 'executableId matches.' });
const ConfigurationCondition = z.strictObject({ configuration: GlobList }).meta({ description: 'configurationId matches.' });
const ConfigurationNameCondition = z.strictObject({ configurationName: GlobList }).meta({ description: 'configurationName matches.' });
const ResourceGroupCondition = z.strictObject({ resourceGroup: GlobList }).meta({ description: 'The resource group id matches.' });
const ResourceGroupLabelsCondition = z
  .strictObject({
    // An empty map would hold for every group ("all of nothing"): require at least one label.
    resourceGroupLabels: z
      .record(z.string().min(1), GlobList)
      .refine((labels) => Object.keys(labels).length > 0, { error: 'list at least one label' }),
  })
  .meta({ description: 'Every listed resource-group label exists and matches (key → value or glob).' });
const ExecutionScheduleCondition = z
  .strictObject({ executionSchedule: Presence })
  .meta({ description: 'executions only: executionScheduleId is present or absent.' });
const TtlCondition = z.strictObject({ ttl: Presence }).meta({ description: 'deployments only: ttl is present or absent.' });

const AllCondition = z
  .strictObject({
    get all(): z.ZodArray<typeof Condition> {
      return z.array(Condition).min(1, { error: 'all: needs at least one condition' });
    },
  })
  .meta({ description: 'Every condition holds (unknown if none is false and one is unknown).' });

const AnyCondition = z
  .strictObject({
    get any(): z.ZodArray<typeof Condition> {
      return z.array(Condition).min(1, { error: 'any: needs at least one condition' });
    },
  })
  .meta({ description: 'At least one condition holds (unknown if none is true and one is unknown).' });

const NotCondition = z
  .strictObject({
    get not(): typeof Condition {
      return Condition;
    },
  })
  .meta({ description: 'The condition does not hold. not(unknown) is unknown.' });

const Condition = z
  .union([
    StatusCondition,
    OlderThanCondition,
    ScenarioCondition,
    ExecutableCondition,
    ConfigurationCondition,
    ConfigurationNameCondition,
    ResourceGroupCondition,
    ResourceGroupLabelsCondition,
    ExecutionScheduleCondition,
    TtlCondition,
    AllCondition,
    AnyCondition,
    NotCondition,
  ])
  .meta({ id: 'Condition', description: 'One condition: an object with exactly one key naming its kind.' });
type Condition = z.infer<typeof Condition>;

/** The condition registry: key → schema. The parser dispatches on the single key for precise errors. */
const CONDITIONS = {
  status: StatusCondition,
  olderThan: OlderThanCondition,
  scenario: ScenarioCondition,
  executable: ExecutableCondition,
  configuration: ConfigurationCondition,
  configurationName: ConfigurationNameCondition,
  resourceGroup: ResourceGroupCondition,
  resourceGroupLabels: ResourceGroupLabelsCondition,
  executionSchedule: ExecutionScheduleCondition,
  ttl: TtlCondition,
  all: AllCondition,
  any: AnyCondition,
  not: NotCondition,
} as const satisfies Record<string, z.ZodType>;
type ConditionKind = keyof typeof CONDITIONS;

/** Condition kinds that read a field only one resource type has. */
const CONDITION_RESOURCE: Partial<Record<ConditionKind, (typeof RESOURCE_TYPES)[number]>> = {
  executionSchedule: 'executions',
  ttl: 'deployments',
};

// ---- rules and the policy -------------------------------------------------------------------------

const Rule = z.strictObject({
  id: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { error: 'a rule id is letters, digits, `-`, `_` or `.`' })
    .meta({ description: 'Unique rule id; plans and reasons quote it.' }),
  description: z.string().optional(),
  resource: z.enum(RESOURCE_TYPES),
  match: Condition,
  action: z.enum(RULE_ACTIONS),
  gracePeriod: Duration.optional().meta({
    description: 'delete / stop-then-delete: delete a STOPPED item only once it was first seen STOPPED at least this long ago.',
  }),
  notice: Duration.optional().meta({
    description:
      "Heads-up before acting: the first run that selects an item records a notice and skips it; it acts once the notice has passed and the item still matches. Overrides the policy's `notice`; `0m` switches it off for this rule.",
  }),
});
type Rule = z.infer<typeof Rule>;

const Caps = z.strictObject({
  maxActionsPerRun: z.int().min(0).default(200),
  maxActionsPerGroup: z.int().min(0).default(100),
  maxActionsPerDay: z.int().min(0).default(500),
  maxPercentOfGroup: z
    .number()
    .min(0)
    .max(100)
    .default(100)
    .meta({ description: "Largest share of a group's listed items one run may act on; 100 switches it off." }),
  onCapExceeded: z.enum(['abort', 'oldest-first']).default('abort'),
});
type Caps = z.infer<typeof Caps>;

const Snooze = z.strictObject({ id: z.string().min(1), until: Instant, reason: z.string().optional() });

const Protect = z.strictObject({
  ids: z.array(z.string().min(1)).default([]),
  scenarios: z.array(Glob).default([]),
  executables: z.array(Glob).default([]),
  configurations: z.array(Glob).default([]).meta({ description: 'Compared with both configurationId and configurationName.' }),
  resourceGroups: z.array(Glob).default([]),
  resourceGroupLabels: z
    .record(z.string().min(1), GlobList)
    .default({})
    .meta({ description: 'Protects every item of a group that has any of these labels (key → value or glob).' }),
  snoozes: z.array(Snooze).default([]),
});
type Protect = z.infer<typeof Protect>;

const BuiltInProtection = z.strictObject({
  generativeAi: z
    .boolean()
    .default(true)
    .meta({ description: `Protect deployments of ${GENERATIVE_AI_SCENARIOS.join(', ')}. false opts out for both.` }),
  allowScenarios: z
    .array(z.enum(GENERATIVE_AI_SCENARIOS))
    .default([])
    .meta({ description: 'Opt out of the generative-AI protection for these scenarios only.' }),
});

const Approval = z
  .strictObject({
    required: z
      .boolean()
      .default(false)
      .meta({ description: 'Chat ops: a plan must be approved by someone other than the person who asked for it.' }),
    expiresAfter: Duration.default('1h').meta({
      description: 'How long a plan shown in chat can be approved (`apply <hash>` or its button).',
    }),
  })
  .meta({ description: 'How chat-ops approvals of a plan hash work. Optional; default: anyone may approve, within 1h.' });
type Approval = z.infer<typeof Approval>;

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

const Policy = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(1, { error: 'expected version: 1' }),
    description: z.string().optional(),
    mode: z
      .enum(['dry-run', 'apply'])
      .default('dry-run')
      .meta({ description: "The policy's permission to act; the trigger must consent as well." }),
    minimumAge: Duration.default('1h').meta({ description: 'Nothing created less than this long ago is acted on.' }),
    notice: Duration.optional().meta({
      description: 'Default heads-up notice for every rule (a rule may set its own). Unset: rules act as soon as they select an item.',
    }),
    caps: Caps.prefault({}),
    protect: Protect.prefault({}),
    builtInProtection: BuiltInProtection.prefault({}),
    approval: Approval.prefault({}),
    rates: Rates.optional(),
    rules: z.array(Rule),
  })
  .meta({ title: 'aicore-janitor policy', description: 'Which SAP AI Core executions and deployments to stop or delete.' });
type Policy = z.output<typeof Policy>;
type PolicyInput = z.input<typeof Policy>;

export {
  Policy,
  Rule,
  Caps,
  Protect,
  Approval,
  Rates,
  Condition,
  CONDITIONS,
  CONDITION_RESOURCE,
  TIMESTAMP_FIELDS,
  RULE_ACTIONS,
  GENERATIVE_AI_SCENARIOS,
};
export type { PolicyInput, ConditionKind, TimestampField, RuleAction };
