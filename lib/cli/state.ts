/**
 * Where the CLI keeps its ledger: by default a dynalite database persisted under
 * `./.aicore-janitor/` (so a terminal user needs no AWS account), or a real DynamoDB table. Either
 * way the records are namespaced by the tenant of the service key in use.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { startDynalite } from '../../infra/local/dynamodb.js';
import { ensureTable } from '../store/dynamo.js';
import { createStore, dynamoClient } from '../store/factory.js';
import type { ChatOpsStore, JanitorStore } from '../store/ports.js';

const LOCAL_STATE_DIR = '.aicore-janitor';
const LOCAL_TABLE = 'aicore-janitor';

interface CliState {
  store: JanitorStore & ChatOpsStore;
  describe: string;
  close(): Promise<void>;
}

/** `--table NAME`, else `$JANITOR_TABLE`, else local dynalite state in the working directory. */
async function openState(tableFlag: string | undefined, namespace: string, cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Promise<CliState> {
  const region = env.AWS_REGION ?? 'us-east-1';
  const table = tableFlag ?? (env.JANITOR_TABLE === '' ? undefined : env.JANITOR_TABLE);
  if (table !== undefined) {
    return { store: createStore({ table, region }, namespace), describe: `DynamoDB table ${table}`, close: () => Promise.resolve() };
  }
  const dir = join(cwd, LOCAL_STATE_DIR, 'dynamodb');
  await mkdir(dir, { recursive: true });
  const dynamo = await startDynalite({ path: dir });
  const location = { table: LOCAL_TABLE, region, endpoint: dynamo.endpoint };
  await ensureTable(dynamoClient(location), LOCAL_TABLE);
  return { store: createStore(location, namespace), describe: `local state in ${dir}`, close: () => dynamo.stop() };
}

export { openState };
export type { CliState };
