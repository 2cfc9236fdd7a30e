/**
 * Three tenants on three simulators and one dynalite table, wired into StepDeps as the deployed
 * handlers would be (secret id → service key, one store per tenant namespace on one table).
 */
import { AiCoreClient } from '../../lib/aicore/client.js';
import { AiCoreHttpError } from '../../lib/aicore/errors.js';
import { parseServiceKey } from '../../lib/aicore/credentials.js';
import { tenantNamespace } from '../../lib/aicore/tenant.js';
import { Transport, type HttpRequest, type HttpResponse } from '../../lib/aicore/transport.js';
import type { Policy } from '../../lib/policy/index.js';
import { FINISHED_AND_STALE_RULES, parseTestPolicy } from '../helpers/test-policies.js';
import { ensureTable } from '../../lib/store/dynamo.js';
import type { DynamoStore } from '../../lib/store/dynamo.js';
import { createStore, dynamoClient } from '../../lib/store/factory.js';
import { parseTenants } from '../../lib/tenants/load.js';
import type { TenantsFile } from '../../lib/tenants/schema.js';
import { startDynalite, type LocalDynamo } from '../../infra/local/dynamodb.js';
import { startSimulator, type RunningSimulator, type SimulatorFleet, type SimulatorOptions } from '../../infra/local/simulator/index.js';
import type { StepDeps } from '../../functions/steps/tenant-context.js';

const POLICY = `
version: 1
mode: apply
caps: { maxActionsPerRun: 1000, maxActionsPerGroup: 1000, maxActionsPerDay: 5000, maxPercentOfGroup: 100 }
rules:
${FINISHED_AND_STALE_RULES}`;

function policy(text = POLICY): Policy {
  return parseTestPolicy(text, 'estate-policy.yaml');
}

/** A listing of this group fails on the wire (503 after the transport's retries). */
class FailingGroupTransport extends Transport {
  constructor(private readonly broken: string) {
    super({ baseDelayMs: 1 });
  }

  override async send(request: HttpRequest): Promise<HttpResponse> {
    if (request.method === 'GET' && request.headers['ai-resource-group'] === this.broken) {
      throw new AiCoreHttpError({ ...request.context, status: 503, serverMessage: 'simulated: the group cannot be listed' });
    }
    return super.send(request);
  }
}

interface EstateTenant {
  name: string;
  fleet: SimulatorFleet;
  simulator?: Omit<SimulatorOptions, 'fleet'>;
  limits?: Record<string, number>;
  /** A group whose listing fails. */
  brokenGroup?: string;
}

interface Estate {
  tenants: TenantsFile;
  deps: StepDeps;
  simulators: Map<string, RunningSimulator>;
  storeOf: (tenant: string) => DynamoStore;
  /** The one table every tenant's store is on. */
  location: { table: string; region: string; endpoint: string };
  stop: () => Promise<void>;
}

async function startEstate(specs: readonly EstateTenant[], policyText?: string): Promise<Estate> {
  const simulators = new Map<string, RunningSimulator>();
  let dynamo: LocalDynamo | undefined;
  try {
    for (const spec of specs) simulators.set(spec.name, await startSimulator({ ...spec.simulator, fleet: spec.fleet }));
    dynamo = await startDynalite();
  } catch (error) {
    await Promise.allSettled([...simulators.values()].map((s) => s.stop()));
    throw error;
  }
  const location = { table: 'janitor-estate', region: 'us-east-1', endpoint: dynamo.endpoint };
  await ensureTable(dynamoClient(location), location.table);
  const tenants = parseTenants(
    JSON.stringify({
      version: 1,
      tenants: specs.map((s) => ({ name: s.name, secretId: `janitor/${s.name}`, ...(s.limits === undefined ? {} : { limits: s.limits }) })),
    }),
    'estate.json',
  );
  const secrets = new Map(specs.map((s) => [`janitor/${s.name}`, JSON.stringify(simulators.get(s.name)?.serviceKey)]));
  const shared = policy(policyText);
  const keyOf = (tenant: string) => parseServiceKey(secrets.get(`janitor/${tenant}`) ?? '', `secret of ${tenant}`);
  const deps: StepDeps = {
    tenants: () => Promise.resolve(tenants),
    serviceKey: (tenant) => Promise.resolve(parseServiceKey(secrets.get(tenant.secretId) ?? '', `secret ${tenant.secretId}`)),
    store: (key) => createStore(location, tenantNamespace(key)),
    policy: () => Promise.resolve(shared),
    client: (key, deadline, tenant) => {
      const broken = specs.find((s) => s.name === tenant.name)?.brokenGroup;
      const transport =
        broken === undefined ? new Transport({ baseDelayMs: 1, deadline: () => deadline.getTime() }) : new FailingGroupTransport(broken);
      return new AiCoreClient(key, { transport });
    },
    clock: () => new Date(),
  };
  return {
    tenants,
    deps,
    simulators,
    storeOf: (tenant) => createStore(location, tenantNamespace(keyOf(tenant))),
    location,
    stop: async () => {
      await Promise.allSettled([...[...simulators.values()].map((s) => s.stop()), dynamo?.stop()]);
    },
  };
}

export { startEstate, policy, POLICY };
export type { Estate, EstateTenant };
