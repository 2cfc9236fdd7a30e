/**
 * Where the CLI keeps its ledger: by default an embedded LevelDB database under
 * `./.aicore-janitor/state/` (so a terminal user needs no AWS account, and the ledger costs no more
 * than the API calls), or a real DynamoDB table. Either way the records are namespaced by the
 * tenant of the service key in use.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LevelStore } from '../store/level.js';
import type { ChatOpsStore, JanitorStore } from '../store/ports.js';

const LOCAL_STATE_DIR = '.aicore-janitor';

interface CliState {
  store: JanitorStore & ChatOpsStore;
  describe: string;
  close(): Promise<void>;
}

/** `--table NAME`, else `$JANITOR_TABLE`, else local state in the working directory. */
async function openState(tableFlag: string | undefined, namespace: string, cwd = process.cwd(), env: NodeJS.ProcessEnv = process.env): Promise<CliState> {
  const region = env.AWS_REGION ?? 'us-east-1';
  const table = tableFlag ?? (env.JANITOR_TABLE === '' ? undefined : env.JANITOR_TABLE);
  if (table !== undefined) {
    // The AWS SDK is loaded only for a table: local runs never pay for it.
    const { createStore } = await import('../store/factory.js');
    return { store: createStore({ table, region }, namespace), describe: `DynamoDB table ${table}`, close: () => Promise.resolve() };
  }
  const dir = join(cwd, LOCAL_STATE_DIR, 'state');
  await mkdir(dir, { recursive: true });
  const store = await LevelStore.open(dir, namespace);
  return { store, describe: `local state in ${dir}`, close: () => store.close() };
}

export { openState };
export type { CliState };
