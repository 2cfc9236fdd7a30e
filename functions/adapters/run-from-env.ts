/**
 * Wires one janitor run from the function environment: policy file, AI Core client with a deadline
 * taken from the Lambda's remaining time, and the DynamoDB store. Shared by every function.
 */
import { randomUUID } from 'node:crypto';
import { AiCoreClient } from '../../lib/aicore/client.js';
import { Transport } from '../../lib/aicore/transport.js';
import type { ServiceKey } from '../../lib/aicore/wire.js';
import { loadPolicyFile, type LoadedPolicy } from '../../lib/run/policy-file.js';
import type { RunReport } from '../../lib/run/report.js';
import { runJanitor } from '../../lib/run/run.js';
import { createStore } from '../../lib/store/factory.js';
import type { JanitorEnv } from './config.js';

/** Leave this much of the Lambda's time for recording results after the last HTTP attempt. */
const DEADLINE_MARGIN_MS = 15_000;

let policyCache: Promise<LoadedPolicy> | undefined;

async function runFromEnv(options: { env: JanitorEnv; serviceKey: ServiceKey; trigger: string; consent: boolean; remainingMs: () => number }): Promise<{ report: RunReport; policy: LoadedPolicy }> {
  const { env } = options;
  policyCache ??= loadPolicyFile(env.JANITOR_POLICY_FILE);
  const policy = await policyCache.catch((error: unknown) => {
    policyCache = undefined;
    throw error;
  });
  const deadline = Date.now() + options.remainingMs() - DEADLINE_MARGIN_MS;
  const client = new AiCoreClient(options.serviceKey, { transport: new Transport({ deadline: () => deadline }) });
  const store = createStore({ table: env.JANITOR_TABLE, region: env.AWS_REGION, endpoint: env.DYNAMODB_ENDPOINT });
  const report = await runJanitor({
    client,
    store,
    policy: policy.policy,
    trigger: options.trigger,
    consent: options.consent,
    runId: randomUUID(),
    groups: env.JANITOR_GROUPS,
  });
  return { report, policy };
}

export { runFromEnv };
