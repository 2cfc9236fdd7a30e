/**
 * Corporate networks reach AI Core through a proxy: HTTP(S)_PROXY and NO_PROXY are honoured. A
 * loopback forward proxy (CONNECT tunnels and absolute-form requests) records what went through it.
 */
import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AiCoreClient } from '../../lib/aicore/client.js';
import { createHttpFetch } from '../../lib/aicore/http-fetch.js';
import { Transport } from '../../lib/aicore/transport.js';
import { startSimulator, type RunningSimulator } from '../../infra/local/simulator/index.js';
import { execution, fleetOf } from '../helpers/fleet.js';

let simulator: RunningSimulator;
let proxy: Server;
let proxyUrl: string;
const seen: string[] = [];
const sockets = new Set<Socket>();
const saved = { ...process.env };

beforeEach(async () => {
  seen.length = 0;
  simulator = await startSimulator({ fleet: fleetOf({ g1: { executions: [execution('exe-done1', 'COMPLETED')] } }) });
  proxy = createServer((req, res) => {
    seen.push(`${req.method ?? ''} ${req.url ?? ''}`);
    const target = new URL(req.url ?? '');
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  proxy.on('connect', (req, client: Socket) => {
    seen.push(`CONNECT ${req.url ?? ''}`);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host ?? '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
  });
  proxy.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

afterEach(async () => {
  process.env = { ...saved };
  for (const s of sockets) s.destroy();
  await new Promise<void>((resolve) => proxy.close(() => resolve()));
  await simulator.stop();
});

function freshClient(): AiCoreClient {
  // The proxy agent reads the environment when it is first used, so each test builds its own.
  return new AiCoreClient(simulator.serviceKey, { transport: new Transport({ fetch: createHttpFetch(), maxAttempts: 1 }) });
}

describe('proxy support', () => {
  it('sends every AI Core call through HTTP_PROXY / HTTPS_PROXY', async () => {
    process.env.HTTP_PROXY = proxyUrl;
    process.env.HTTPS_PROXY = proxyUrl;
    delete process.env.NO_PROXY;
    delete process.env.no_proxy;
    const listed = await freshClient().listGroup({ id: 'g1', labels: {} });
    expect(listed.resources).toHaveLength(1);
    const host = new URL(simulator.url).host;
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((line) => line.includes(host))).toBe(true);
  });

  it('goes direct for hosts in NO_PROXY', async () => {
    process.env.HTTP_PROXY = proxyUrl;
    process.env.HTTPS_PROXY = proxyUrl;
    process.env.NO_PROXY = '127.0.0.1';
    const listed = await freshClient().listGroup({ id: 'g1', labels: {} });
    expect(listed.resources).toHaveLength(1);
    expect(seen).toEqual([]);
  });
});
