/**
 * The local stack: an AI Core simulator and a DynamoDB endpoint (dynalite) on loopback ports, and
 * the table the janitor uses, plus the environment a function needs to reach them. `npm start`,
 * the e2e tests and serverless-offline all run against this.
 */
import { ensureTable } from '../../lib/store/dynamo.js';
import { dynamoClient } from '../../lib/store/factory.js';
import { startDynalite, type LocalDynamo } from './dynamodb.js';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from './simulator/index.js';

const LOCAL_TABLE = 'aicore-janitor-local';
const LOCAL_REGION = 'us-east-1';

interface LocalStack {
  simulator: RunningSimulator;
  dynamo: LocalDynamo;
  table: string;
  /** Environment for a function or CLI run against this stack. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

async function startLocalStack(options: { simulator?: SimulatorOptions; dynamoPath?: string } = {}): Promise<LocalStack> {
  const simulator = await startSimulator(options.simulator);
  let dynamo: LocalDynamo;
  try {
    dynamo = await startDynalite(options.dynamoPath === undefined ? {} : { path: options.dynamoPath });
    await ensureTable(dynamoClient({ table: LOCAL_TABLE, region: LOCAL_REGION, endpoint: dynamo.endpoint }), LOCAL_TABLE);
  } catch (error) {
    await simulator.stop();
    throw error;
  }
  return {
    simulator,
    dynamo,
    table: LOCAL_TABLE,
    env: {
      AICORE_SERVICE_KEY: JSON.stringify(simulator.serviceKey),
      JANITOR_TABLE: LOCAL_TABLE,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      AWS_REGION: LOCAL_REGION,
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      // Never let the AWS SDK probe the instance-metadata address from a developer machine.
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    stop: async () => {
      await Promise.allSettled([simulator.stop(), dynamo.stop()]);
    },
  };
}

export { startLocalStack, LOCAL_TABLE, LOCAL_REGION };
export type { LocalStack };
