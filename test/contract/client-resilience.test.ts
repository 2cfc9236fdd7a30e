/**
 * How the client behaves when AI Core is rate-limited, flaky or slow: the simulator's fault knobs
 * on one side, the request log and the client's recorded waits on the other.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AiCoreClient } from '../../lib/aicore/client.js';
import { AiCoreNetworkError } from '../../lib/aicore/errors.js';
import { Transport, type TransportConfig } from '../../lib/aicore/transport.js';
import { startSimulator, type FaultConfig, type RunningSimulator } from '../../infra/local/simulator/index.js';
import { execution, fleetOf, many } from '../helpers/fleet.js';

let simulator: RunningSimulator | undefined;
afterEach(async () => {
  await simulator?.stop();
  simulator = undefined;
});

/** A transport whose waits are recorded (and really taken, scaled down, so order is preserved). */
function recordingTransport(config: Partial<TransportConfig> = {}) {
  const waits: number[] = [];
  const transport = new Transport({
    baseDelayMs: 50,
    sleep: (ms) => {
      waits.push(ms);
      return new Promise((resolve) => setTimeout(resolve, Math.min(ms, 20)));
    },
    ...config,
  });
  return { transport, waits };
}

async function setup(faults: FaultConfig, groups = 1, config: Partial<TransportConfig> = {}) {
  const fleet = fleetOf(
    Object.fromEntries(
      Array.from({ length: groups }, (_, i) => [`g${i}`, { executions: many(3, `e${i}x`, (id) => execution(id, 'COMPLETED')) }]),
    ),
  );
  simulator = await startSimulator({ fleet, faults, seed: 7 });
  const { transport, waits } = recordingTransport(config);
  return { sim: simulator, client: new AiCoreClient(simulator.serviceKey, { transport }), waits };
}

describe('AiCoreClient under faults', () => {
  it('waits out a 429 for exactly its Retry-After, then succeeds', async () => {
    const { sim, client, waits } = await setup({ routes: { 'GET /v2/lm/executions': { burst429: 2, retryAfterSeconds: 2 } } });
    const fleet = await client.listGroup({ id: 'g0', labels: {} });
    expect(fleet.listingError).toBeNull();
    expect(fleet.resources).toHaveLength(3);
    expect(sim.requests.entries.filter((e) => e.route === 'GET /v2/lm/executions').map((e) => e.status)).toEqual([429, 429, 200]);
    expect(waits.filter((w) => w === 2000)).toHaveLength(2);
  });

  it('retries a 503 with exponential backoff and full jitter, then succeeds', async () => {
    const { sim, client, waits } = await setup({ routes: { 'GET /v2/lm/meta': { failFirst: 3 } } }, 1, { random: () => 1 });
    expect((await client.capabilities()).bulkUpdates.executions).toBe(true);
    expect(sim.requests.count('GET /v2/lm/meta')).toBe(4);
    expect(waits).toEqual([50, 100, 200]);
  });

  it('gives up after the bounded attempts and reports the status', async () => {
    const { sim, client } = await setup({ routes: { 'GET /v2/lm/meta': { failFirst: 99 } } }, 1, { maxAttempts: 3 });
    await expect(client.capabilities()).rejects.toThrow(/read capabilities \(GET \/v2\/lm\/meta\) failed with HTTP 503/);
    expect(sim.requests.count('GET /v2/lm/meta')).toBe(3);
  });

  it('never retries other 4xx', async () => {
    const { sim, client } = await setup({});
    const fleet = await client.listGroup({ id: 'missing-group', labels: {} });
    expect(fleet.listingError).toMatch(/HTTP 404/);
    expect(sim.requests.count('GET /v2/lm/executions')).toBe(1);
  });

  it('stops retrying when the deadline leaves no room for the next wait', async () => {
    const { sim, client } = await setup({ routes: { 'GET /v2/lm/meta': { failFirst: 99 } } }, 1, {
      baseDelayMs: 10_000,
      random: () => 1,
      deadline: () => Date.now() + 5_000,
    });
    await expect(client.capabilities()).rejects.toThrow(/HTTP 503/);
    expect(sim.requests.count('GET /v2/lm/meta')).toBe(1);
  });

  it('times out a hung connection and retries it', async () => {
    const { sim, client } = await setup({ routes: { 'GET /v2/lm/meta': { hangFirst: 1 } } }, 1, { requestTimeoutMs: 300 });
    expect((await client.capabilities()).bulkUpdates.deployments).toBe(true);
    expect(sim.requests.count('GET /v2/lm/meta')).toBe(2);
  });

  it('reports a dropped connection as a network error when retries run out', async () => {
    const { client } = await setup({ routes: { 'GET /v2/lm/meta': { dropFirst: 5 } } }, 1, { maxAttempts: 2 });
    await expect(client.capabilities()).rejects.toBeInstanceOf(AiCoreNetworkError);
  });

  it('slows down under a server rate limit and completes without a 429 storm', async () => {
    // Real waits here: the point is how the client paces itself against the server's bucket.
    const fleet = fleetOf(
      Object.fromEntries(
        Array.from({ length: 12 }, (_, i) => [`g${i}`, { executions: many(3, `e${i}x`, (id) => execution(id, 'COMPLETED')) }]),
      ),
    );
    simulator = await startSimulator({
      fleet,
      faults: { routes: { '*': { rateLimit: { capacity: 4, refillPerSecond: 8 }, retryAfterSeconds: 1 } } },
    });
    const sim = simulator;
    const client = new AiCoreClient(sim.serviceKey);
    const groups = await client.resourceGroups();
    const fleets = await Promise.all(groups.map((g) => client.listGroup(g)));
    expect(fleets.every((f) => f.listingError === null && f.resources.length === 3)).toBe(true);
    const throttled = sim.requests.entries.filter((e) => e.status === 429).length;
    const served = sim.requests.entries.filter((e) => e.status === 200).length;
    // A 429 slows every request to the host (pace and concurrency), so after the first burst the
    // client settles near the server's rate: throttled answers stay a minority of the traffic.
    expect(served).toBe(2 + 12 * 2);
    expect(throttled).toBeLessThan(served);
  });

  it('keeps each item once when items appear between pages', async () => {
    simulator = await startSimulator({
      fleet: fleetOf({ g0: { executions: many(25, 'exe', (id) => execution(id, 'COMPLETED')) } }),
      faults: { listMutations: { appear: 3, position: 'start', times: 2 } },
    });
    const client = new AiCoreClient(simulator.serviceKey, { config: { pageSize: 10 } });
    const fleet = await client.listGroup({ id: 'g0', labels: {} });
    const ids = fleet.resources.map((r) => r.item.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => id.startsWith('exe'))).toHaveLength(25);
  });
});
