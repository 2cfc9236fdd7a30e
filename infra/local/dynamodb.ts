/**
 * A real DynamoDB protocol endpoint on loopback (dynalite), in memory or persisted under a folder.
 * dynalite has no TTL sweeper: the store compares expiry in code, so that does not matter here.
 */
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';
import dynalite from 'dynalite';

interface LocalDynamo {
  endpoint: string;
  stop(): Promise<void>;
}

async function startDynalite(options: { path?: string; port?: number } = {}): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.path === undefined ? {} : { path: options.path }) });
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export { startDynalite };
export type { LocalDynamo };
