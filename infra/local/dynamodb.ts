/**
 * A real DynamoDB protocol endpoint on loopback (dynalite), in memory or persisted under a folder.
 * dynalite has no TTL sweeper: the store compares expiry in code, so that does not matter here.
 */
import dynalite from 'dynalite';
import { listenOnLoopback } from './loopback.js';

interface LocalDynamo {
  endpoint: string;
  stop(): Promise<void>;
}

async function startDynalite(options: { path?: string; port?: number } = {}): Promise<LocalDynamo> {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path === undefined ? {} : { path: options.path }),
  });
  const listening = await listenOnLoopback(server, options.port);
  return { endpoint: listening.url, stop: () => listening.close() };
}

export { startDynalite };
export type { LocalDynamo };
