/**
 * Wires one janitor run from the function environment: policy file, AI Core client with a deadline
 * taken from the Lambda's remaining time, and the DynamoDB store. Shared by every function.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { AiCoreClient } from '../../lib/aicore/client.js';
import { Transport } from '../../lib/aicore/transport.js';
import type { ServiceKey } from '../../lib/aicore/wire.js';
import type { LoadedPolicy } from '../../lib/run/policy-file.js';
import { runGuarded, type GuardedResult } from '../../lib/run/guarded-run.js';
import { createStore } from '../../lib/store/factory.js';
import type { DynamoStore } from '../../lib/store/dynamo.js';
import { tenantNamespace } from '../../lib/aicore/tenant.js';
import type { Tenant } from '../../lib/tenants/schema.js';
import { CONFIG_DEFAULTS, type JanitorEnv } from './config.js';
import { tagRun } from './log.js';
import { recordRun } from './metrics.js';
import { deployedConfig, DeployedConfigError, policyFromDocument } from './deployed-config.js';
import { loadPolicyText } from './policy-yaml.js';
import { errorMessage } from '../../lib/util/errors.js';

/** Per policy path, so a process that serves several configurations (tests) never mixes them. */
const policyCache = new Map<string, Promise<LoadedPolicy>>();

interface RunFromEnvOptions {
  env: JanitorEnv;
  serviceKey: ServiceKey;
  /** Who started it, e.g. `schedule`. */
  trigger: string;
  /** Deduplicates deliveries of the same trigger. */
  triggerId: string;
  consent: boolean;
  remainingMs: () => number;
  /** Act only if the fresh plan has exactly this hash (a chat-ops approval). */
  requirePlanHash?: string | undefined;
}

/**
 * The policy named by JANITOR_POLICY_FILE. In a bundle that is the policy compiled in at build time
 * (validated again here with the same schema); a `.json` file is read and validated the same way;
 * anything else is a YAML file, parsed only by unbundled code (tests, the CLI, `npm start`).
 */
async function loadDeployedPolicy(path: string): Promise<LoadedPolicy> {
  const compiled = deployedConfig();
  if (compiled !== undefined && compiled.policy.source === path)
    return policyFromDocument(compiled.policy.document, path, compiled.policy.digest);
  if (path.toLowerCase().endsWith('.json')) {
    let document: unknown;
    try {
      document = JSON.parse(await readFile(path, 'utf8'));
    } catch (error) {
      throw new DeployedConfigError(`cannot read policy file ${path}: ${errorMessage(error)}`);
    }
    return policyFromDocument(document, path);
  }
  return loadPolicyText(path);
}

/** The policy file named by the environment, loaded once per cold start (a failed load is retried). */
async function policyFromEnv(env: Pick<JanitorEnv, 'JANITOR_POLICY_FILE'>): Promise<LoadedPolicy> {
  const path = env.JANITOR_POLICY_FILE;
  let loading = policyCache.get(path);
  if (loading === undefined) {
    loading = loadDeployedPolicy(path);
    policyCache.set(path, loading);
  }
  return loading.catch((error: unknown) => {
    policyCache.delete(path);
    throw error;
  });
}

/** A tenant's policy: the tenants file's `policy` for it, else the stage's JANITOR_POLICY_FILE (cached as policyFromEnv). */
function tenantPolicyFromEnv(tenant: Pick<Tenant, 'policy'>, env: Pick<JanitorEnv, 'JANITOR_POLICY_FILE'>): Promise<LoadedPolicy> {
  return policyFromEnv({ JANITOR_POLICY_FILE: tenant.policy ?? env.JANITOR_POLICY_FILE });
}

/** The tenant's store on the function's table (the SDK client behind it is created once per container). */
function storeFromEnv(env: Pick<JanitorEnv, 'JANITOR_TABLE' | 'AWS_REGION' | 'DYNAMODB_ENDPOINT'>, serviceKey: ServiceKey): DynamoStore {
  return createStore({ table: env.JANITOR_TABLE, region: env.AWS_REGION, endpoint: env.DYNAMODB_ENDPOINT }, tenantNamespace(serviceKey));
}

async function runFromEnv(options: RunFromEnvOptions): Promise<{ result: GuardedResult; policy: LoadedPolicy }> {
  const { env } = options;
  const policy = await policyFromEnv(env);
  const deadline = new Date(Date.now() + options.remainingMs() - CONFIG_DEFAULTS.deadlineMarginMs);
  const client = new AiCoreClient(options.serviceKey, { transport: new Transport({ deadline: () => deadline.getTime() }) });
  const store = storeFromEnv(env, options.serviceKey);
  const runId = randomUUID();
  // Every log line from here to the end of the invocation carries the run id and the policy digest.
  tagRun(runId, policy.digest);
  const result = await runGuarded(
    {
      client,
      store,
      policy: policy.policy,
      trigger: options.trigger,
      consent: options.consent,
      runId,
      deadline,
      groups: env.JANITOR_GROUPS,
      requirePlanHash: options.requirePlanHash,
    },
    { triggerId: options.triggerId },
  );
  // Every run counts, whichever function started it; the function's metrics middleware flushes them.
  if (result.status === 'done') recordRun(result.report);
  return { result, policy };
}

export { runFromEnv, policyFromEnv, tenantPolicyFromEnv, storeFromEnv };
