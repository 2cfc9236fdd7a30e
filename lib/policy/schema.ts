/**
 * The policy file's schema, in Cloud Custodian's shape: a policy holds ordered rules; a rule has a
 * `match` built from conditions and one action. Each condition kind is a small strict object with
 * exactly one key, defined once in the condition registry (conditions/registry.ts) the way
 * Custodian keeps its filter registry; this file only assembles rules and the policy around them.
 *
 * Everything is `z.strictObject`: an unknown key is an error, never silently ignored. Types are
 * derived from these schemas (`Policy` is the parsed output, defaults filled in).
 */
import * as z from 'zod';
// Rates are shared vocabulary (the tenants file takes them too), so they live beside the items they price.
import { Rates } from '../resources.js';
import { RESOURCE_TYPES } from '../lifecycle.js';
import { CONDITIONS, Condition, type ConditionKind } from './conditions/registry.js';
import { Duration, Glob, GlobList, Instant, TIMESTAMP_FIELDS, type TimestampField } from './primitives.js';

/** Rule actions. `stop-then-delete` stops running items now and deletes them on a later run. */
const RULE_ACTIONS = ['stop', 'delete', 'stop-then-delete'] as const;
type RuleAction = (typeof RULE_ACTIONS)[number];

/** Scenarios of generative-AI deployments: billed by tokens, so stopping them saves nothing and breaks callers. */
const GENERATIVE_AI_SCENARIOS = ['foundation-models', 'orchestration'] as const;

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

export { Policy, Rule, Caps, Protect, Approval, Rates, Condition, CONDITIONS, TIMESTAMP_FIELDS, RULE_ACTIONS, GENERATIVE_AI_SCENARIOS };
export type { PolicyInput, ConditionKind, TimestampField, RuleAction };
