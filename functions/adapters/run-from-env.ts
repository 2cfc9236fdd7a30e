/**
 * Wires one janitor run from the function environment: policy file, AI Core client with a deadline
 * taken from the Lambda's remaining time, and the DynamoDB store. Shared by every function.
 */
import { randomUUID } from 'node:crypto';
import { AiCoreClient } from '../../lib/aicore/client.js';
import { Transport } from '../../lib/aicore/transport.js';
import type { ServiceKey } from '../../lib/aicore/wire.js';
import { loadPolicyFile, type LoadedPolicy } from '../../lib/run/policy-file.js';
import { runGuarded, type GuardedResult } from '../../lib/run/guarded-run.js';
import { createStore } from '../../lib/store/factory.js';
import type { JanitorEnv } from './config.js';

/** Leave this much of the Lambda's time for recording results after the last HTTP attempt. */
const DEADLINE_MARGIN_MS = 15_000;

let policyCache: Promise<LoadedPolicy> | undefined;

interface RunFromEnvOptions {
  env: JanitorEnv;
  serviceKey: ServiceKey;
  /** Who started it, e.g. `schedule`. */
  trigger: string;
  /** Deduplicates deliveries of the same trigger. */
  triggerId: string;
  consent: boolean;
  remainingMs: () => number;
}

async function runFromEnv(options: RunFromEnvOptions): Promise<{ result: GuardedResult; policy: LoadedPolicy }> {
  const { env } = options;
  policyCache ??= loadPolicyFile(env.JANITOR_POLICY_FILE);
  const policy = await policyCache.catch((error: unknown) => {
    policyCache = undefined;
    throw error;
  });
  const remaining = options.remainingMs();
  const deadline = Date.now() + remaining - DEADLINE_MARGIN_MS;
  const client = new AiCoreClient(options.serviceKey, { transport: new Transport({ deadline: () => deadline }) });
  const store = createStore({ table: env.JANITOR_TABLE, region: env.AWS_REGION, endpoint: env.DYNAMODB_ENDPOINT });
  const result = await runGuarded(
    { client, store, policy: policy.policy, trigger: options.trigger, consent: options.consent, runId: randomUUID(), groups: env.JANITOR_GROUPS },
    { triggerId: options.triggerId, leaseUntil: new Date(Date.now() + remaining) },
  );
  return { result, policy };
}

export { runFromEnv };
