/**
 * The tenants file: the AI Core instances a platform team's deploy looks after, one service key
 * each. Every key is strict (an unknown key is an error with its path), types come from the schema,
 * and the committed JSON Schema (schema/tenants.schema.json) is generated from it.
 */
import * as z from 'zod';
import { Rates } from '../resources.js';

/** A tenant name doubles as a Step Functions Map item and a log field: short and plain. */
const TENANT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

const Limits = z
  .strictObject({
    groupConcurrency: z.int().min(1).max(40).default(4).meta({
      description:
        "Resource groups of this tenant planned and applied at once (the Map's MaxConcurrency): AI Core's rate limits are per tenant.",
    }),
    maxActionsPerRun: z
      .int()
      .min(0)
      .optional()
      .meta({ description: "Tightens the policy's caps.maxActionsPerRun for this tenant (never loosens it)." }),
    maxActionsPerDay: z
      .int()
      .min(0)
      .optional()
      .meta({ description: "Tightens the policy's caps.maxActionsPerDay for this tenant (never loosens it)." }),
  })
  .meta({ description: 'Per-tenant bounds; they only ever make a run do less.' });
type Limits = z.infer<typeof Limits>;

const Tenant = z
  .strictObject({
    name: z
      .string()
      .regex(TENANT_NAME, { error: 'a tenant name is 1-64 letters, digits, `_`, `.` or `-`, starting with a letter or digit' }),
    secretId: z
      .string()
      .min(1)
      .meta({ description: "Secrets Manager id (name or ARN) of the secret holding this tenant's AI Core service key JSON." }),
    serviceKeyFile: z
      .string()
      .min(1)
      .optional()
      .meta({ description: 'Local runs only (the CLI): a service-key JSON file used instead of Secrets Manager.' }),
    groups: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .meta({ description: 'Resource groups to look at; default: every PROVISIONED group.' }),
    policy: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "Policy file for this tenant; default: the deploy's policy (JANITOR_POLICY_FILE)." }),
    limits: Limits.prefault({}),
    rates: Rates.optional().meta({
      description: "This tenant's rates for savings estimates (its own contract); replaces the policy's `rates:` for this tenant.",
    }),
  })
  .meta({ description: 'One AI Core instance (one service key).' });
type Tenant = z.infer<typeof Tenant>;
type TenantInput = z.input<typeof Tenant>;

const TenantsFile = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(1).meta({ description: 'Format version of this file.' }),
    tenants: z
      .array(Tenant)
      .min(1, { error: 'list at least one tenant' })
      .max(200, { error: "at most 200 tenants per file (the state machine keeps every tenant's summary in one state)" }),
  })
  .superRefine((file, ctx) => {
    const names = new Map<string, number>();
    const secrets = new Map<string, number>();
    file.tenants.forEach((t, i) => {
      const lower = t.name.toLowerCase();
      if (names.has(lower))
        ctx.addIssue({
          code: 'custom',
          path: ['tenants', i, 'name'],
          message: `duplicate tenant name '${t.name}' (names are compared without case)`,
        });
      names.set(lower, i);
      // Two names for one key would run one tenant twice, against one ledger namespace.
      if (secrets.has(t.secretId))
        ctx.addIssue({
          code: 'custom',
          path: ['tenants', i, 'secretId'],
          message: `secret '${t.secretId}' is already used by tenant '${file.tenants[secrets.get(t.secretId) ?? 0]?.name ?? '?'}'`,
        });
      secrets.set(t.secretId, i);
      const groups = new Set<string>();
      (t.groups ?? []).forEach((g, j) => {
        if (groups.has(g)) ctx.addIssue({ code: 'custom', path: ['tenants', i, 'groups', j], message: `duplicate resource group '${g}'` });
        groups.add(g);
      });
    });
  })
  .meta({ title: 'aicore-janitor tenants file', description: 'The AI Core tenants one deploy looks after.' });
type TenantsFile = z.infer<typeof TenantsFile>;

export { TenantsFile, Tenant, Limits, TENANT_NAME };
export type { TenantInput };
