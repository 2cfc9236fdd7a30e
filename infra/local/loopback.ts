/**
 * Every local server (simulator, dynalite, the Secrets Manager stub) listens the same way: on
 * 127.0.0.1, a free port unless told otherwise, with its sockets tracked so that `close()` ends
 * hung and keep-alive connections at once instead of waiting for them.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

interface Listening {
  port: number;
  url: string;
  close(): Promise<void>;
}

async function listenOnLoopback(server: Server, port = 0): Promise<Listening> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('loopback server has no TCP address');
  return {
    port: address.port,
    url: `http://127.0.0.1:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

export { listenOnLoopback };
export type { Listening };
