/**
 * The edge for every step of the state machine: which tenant a state names, its service key
 * (Secrets Manager, cached per container), its store on the function's table (namespaced by the
 * key), its policy and an AI Core client whose requests stop at the step's deadline. Everything is
 * injectable (`StepDeps`), so tests run the very handlers against simulators and dynalite.
 */
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { TokenCache } from '../../lib/aicore/token.js';
import { AiCoreClient } from '../../lib/aicore/client.js';
import { parseServiceKey } from '../../lib/aicore/credentials.js';
import { tenantNamespace } from '../../lib/aicore/tenant.js';
import { Transport } from '../../lib/aicore/transport.js';
import type { ServiceKey } from '../../lib/aicore/wire.js';
import type { Policy } from '../../lib/policy/schema.js';
import { TenantRun, tenantPolicy, type TenantRunContext, type TenantStore } from '../../lib/run/tenant/context.js';
import { createStore } from '../../lib/store/factory.js';
import { findTenant } from '../../lib/tenants/load.js';
import type { Tenant, TenantsFile } from '../../lib/tenants/schema.js';
import { CONFIG_DEFAULTS, readEnv } from '../adapters/config.js';
import { tenantPolicyFromEnv } from '../adapters/run-from-env.js';
import { tenantsFileLoader } from '../adapters/tenants-file.js';
import { containerSecrets } from '../adapters/container-secrets.js';
import { FunctionError } from '../adapters/errors.js';

/** A step invoked without a Lambda context (tests, the local interpreter) gets this long. */
const LOCAL_STEP_MS = 10 * 60_000;

/** What every tenant state carries: the tenant's name and secret id (items of the Map), and the run. */
const TenantStep = z.object({ tenant: z.string().min(1), secretId: z.string().min(1), run: TenantRun });
type TenantStep = z.infer<typeof TenantStep>;

interface StepDeps {
  tenants: () => Promise<TenantsFile>;
  serviceKey: (tenant: Tenant) => Promise<ServiceKey>;
  store: (key: ServiceKey) => TenantStore;
  policy: (tenant: Tenant) => Promise<Policy>;
  client: (key: ServiceKey, deadline: Date, tenant: Tenant) => AiCoreClient;
  clock: () => Date;
}

/** A state names a tenant whose secret differs from the deployed tenants file: refused, never guessed. */
class TenantMismatchError extends FunctionError {
  override name = 'TenantMismatchError';
}

function stepDeadline(deps: Pick<StepDeps, 'clock'>, context: Context | undefined): Date {
  const remaining = context === undefined ? LOCAL_STEP_MS : context.getRemainingTimeInMillis();
  return new Date(deps.clock().getTime() + remaining - CONFIG_DEFAULTS.deadlineMarginMs);
}

async function tenantContext(deps: StepDeps, step: Pick<TenantStep, 'tenant' | 'secretId'>, deadline: Date): Promise<TenantRunContext> {
  const tenant = findTenant(await deps.tenants(), step.tenant);
  if (tenant.secretId !== step.secretId)
    throw new TenantMismatchError(`tenant ${tenant.name}: the state names secret ${step.secretId}, the tenants file ${tenant.secretId}`);
  const [key, policy] = await Promise.all([deps.serviceKey(tenant), deps.policy(tenant)]);
  return {
    tenant,
    client: deps.client(key, deadline, tenant),
    store: deps.store(key),
    policy: tenantPolicy(policy, tenant),
    clock: deps.clock,
  };
}

/** The deployed wiring: JANITOR_TENANTS_FILE, Secrets Manager, the function's table. */
function deployedStepDeps(env: NodeJS.ProcessEnv = process.env): StepDeps {
  const config = readEnv(env);
  const secrets = containerSecrets();
  // Every task builds its own client; a warm container reuses its tenants' tokens.
  const tokens = new TokenCache();
  return {
    tenants: tenantsFileLoader(() => config.JANITOR_TENANTS_FILE),
    serviceKey: async (tenant) =>
      parseServiceKey((await secrets({ value: undefined, secretId: tenant.secretId })) ?? '', `secret ${tenant.secretId}`),
    store: (key) =>
      createStore({ table: config.JANITOR_TABLE, region: config.AWS_REGION, endpoint: config.DYNAMODB_ENDPOINT }, tenantNamespace(key)),
    policy: async (tenant) => (await tenantPolicyFromEnv(tenant, config)).policy,
    client: (key, deadline) => new AiCoreClient(key, { transport: new Transport({ deadline: () => deadline.getTime() }), tokens }),
    clock: () => new Date(),
  };
}

let deployed: StepDeps | undefined;

/** The deployed wiring, built once per container (its caches live as long as the container). */
function deployedDeps(): StepDeps {
  deployed ??= deployedStepDeps();
  return deployed;
}

export { TenantStep, TenantMismatchError, tenantContext, stepDeadline, deployedStepDeps, deployedDeps };
export type { StepDeps };
