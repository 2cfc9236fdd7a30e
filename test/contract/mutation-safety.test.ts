/**
 * No blind re-send of a mutation: when the answer to a stop or delete is lost after AI Core acted,
 * the client sends each id exactly once and reports `unknown`; only a 429 or a failure before the
 * request was written is retried. Counted from the simulator's request log.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { listenOnLoopback } from '../../infra/local/loopback.js';
import { startSimulator, type FaultConfig, type RunningSimulator, type ServiceKeyJson } from '../../infra/local/simulator/index.js';
import { AiCoreClient, type UpdateRequest } from '../../lib/aicore/client.js';
import type { AiCoreNetworkError } from '../../lib/aicore/errors.js';
import { Transport, type HttpRequest, type HttpResponse, type TransportConfig } from '../../lib/aicore/transport.js';
import { TARGET_STATUS, type ResourceType } from '../../lib/lifecycle.js';
import { deployment, execution, fleetOf, many } from '../helpers/fleet.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function simulator(faults: FaultConfig = {}): Promise<RunningSimulator> {
  const sim = await startSimulator({
    fleet: fleetOf({
      g1: {
        executions: many(3, 'exe-run', (id) => execution(id, 'RUNNING')),
        deployments: many(3, 'dep-dead', (id) => deployment(id, 'DEAD')),
      },
    }),
    faults,
  });
  cleanups.push(() => sim.stop());
  return sim;
}

/** Quick retries (real, short sleeps) and a short request timeout for the `timeout` loss. */
function quickTransport(config: Partial<TransportConfig> = {}): Transport {
  return new Transport({
    baseDelayMs: 1,
    requestTimeoutMs: 400,
    sleep: (ms) => new Promise((r) => setTimeout(r, Math.min(ms, 20))),
    ...config,
  });
}

/** Every id the simulator received in a stop or delete, once per request (safety.test.ts's pattern). */
function submittedIds(sim: RunningSimulator): string[] {
  return sim.requests.entries.flatMap((e) => {
    if (e.method === 'DELETE' || (e.method === 'PATCH' && e.route.endsWith('{id}'))) return [e.url.split('/').pop() ?? ''];
    if (e.method !== 'PATCH' || typeof e.body !== 'object' || e.body === null) return [];
    const items: unknown = Object.values(e.body)[0];
    return Array.isArray(items) ? items.map((i: { id?: string }) => i.id ?? '') : [];
  });
}

const stops: UpdateRequest[] = ['exe-run000000', 'exe-run000001', 'exe-run000002'].map((id) => ({ id, status: 'RUNNING', action: 'stop' }));
const deletes: UpdateRequest[] = ['dep-dead000000', 'dep-dead000001', 'dep-dead000002'].map((id) => ({
  id,
  status: 'DEAD',
  action: 'delete',
}));

const PATHS: Array<{ name: string; route: string; type: ResourceType; requests: UpdateRequest[]; bulk: boolean }> = [
  { name: 'bulk PATCH', route: 'PATCH /v2/lm/executions', type: 'executions', requests: stops, bulk: true },
  { name: 'single PATCH', route: 'PATCH /v2/lm/executions/{id}', type: 'executions', requests: stops, bulk: false },
  { name: 'single DELETE', route: 'DELETE /v2/lm/deployments/{id}', type: 'deployments', requests: deletes, bulk: false },
];
const LOSSES = ['504', 'timeout', 'reset', 'garbled'] as const;

describe('a lost answer to a mutation', () => {
  describe.each(PATHS)('$name', ({ route, type, requests, bulk }) => {
    it.each(LOSSES)("loseAnswer '%s': AI Core acted, each id is sent exactly once and comes back unknown", async (loss) => {
      const sim = await simulator({ routes: { [route]: { loseAnswer: { first: 99, as: loss } } } });
      const client = new AiCoreClient(sim.serviceKey, { transport: quickTransport() });

      const results = await client.update('g1', type, requests, bulk);

      expect(results.map((r) => [r.id, r.outcome])).toEqual(requests.map((r) => [r.id, 'unknown']));
      expect(results.every((r) => /re-list/.test(r.message))).toBe(true);
      expect([...submittedIds(sim)].sort()).toEqual(requests.map((r) => r.id).sort());
      // The requests were applied: AI Core acted although the client never heard.
      const items = sim.fleet()[type].g1 ?? [];
      // (A deleted item vanishes right away with the default deleteDelayMs of 0.)
      for (const r of requests)
        expect(items.find((i) => i.id === r.id)?.targetStatus ?? (r.action === 'delete' ? 'DELETED' : 'gone')).toBe(
          TARGET_STATUS[r.action],
        );
      if (type === 'deployments') expect(items).toEqual([]);
    });
  });

  it('(guard off) re-sending after a 504 sends the id twice and turns a success into a refusal', async () => {
    // The guard this file is about, switched off: mutations retried like reads.
    class RetriesEverything extends Transport {
      protected override retryable(request: HttpRequest, outcome: HttpResponse | AiCoreNetworkError): boolean {
        return super.retryable({ ...request, method: 'GET' }, outcome);
      }
    }
    const sim = await simulator({ routes: { 'PATCH /v2/lm/executions': { loseAnswer: { first: 1, as: '504' } } } });
    const client = new AiCoreClient(sim.serviceKey, { transport: new RetriesEverything({ baseDelayMs: 1 }) });
    const results = await client.update('g1', 'executions', stops.slice(0, 1), true);
    expect(submittedIds(sim)).toEqual(['exe-run000000', 'exe-run000000']);
    expect(results[0]).toMatchObject({
      outcome: 'rejected',
      message: expect.stringMatching(/Current status STOPP(ING|ED) cannot be changed/),
    });
  });

  it('a 429 storm, then success: accepted, the id re-sent only after 429s', async () => {
    const sim = await simulator({ routes: { 'PATCH /v2/lm/executions': { burst429: 3, retryAfterSeconds: 0 } } });
    const client = new AiCoreClient(sim.serviceKey, { transport: quickTransport() });
    const results = await client.update('g1', 'executions', stops.slice(0, 1), true);
    expect(results).toEqual([expect.objectContaining({ id: 'exe-run000000', outcome: 'accepted' })]);
    const patches = sim.requests.entries.filter((e) => e.route === 'PATCH /v2/lm/executions');
    expect(patches.map((e) => e.status)).toEqual([429, 429, 429, 202]);
    expect(submittedIds(sim)).toHaveLength(4);
  });

  it('a 429 storm that outlasts the attempts: not-sent', async () => {
    const sim = await simulator({ routes: { 'PATCH /v2/lm/executions': { burst429: 99, retryAfterSeconds: 0 } } });
    const client = new AiCoreClient(sim.serviceKey, { transport: quickTransport({ maxAttempts: 3 }) });
    const results = await client.update('g1', 'executions', stops, true);
    expect(results.map((r) => r.outcome)).toEqual(['not-sent', 'not-sent', 'not-sent']);
    expect(sim.requests.count('PATCH /v2/lm/executions')).toBe(3);
  });

  it('a 5xx without loss of state is unknown too, and not retried', async () => {
    const sim = await simulator({ routes: { 'DELETE /v2/lm/deployments/{id}': { failFirst: 99 } } });
    const client = new AiCoreClient(sim.serviceKey, { transport: quickTransport() });
    const results = await client.update('g1', 'deployments', deletes, false);
    expect(results.map((r) => r.outcome)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(sim.requests.count('DELETE /v2/lm/deployments/{id}')).toBe(3);
  });

  it('a refused repeat is a rejection: the simulator answers like AI Core', async () => {
    const sim = await simulator();
    const client = new AiCoreClient(sim.serviceKey, { transport: quickTransport() });
    expect((await client.update('g1', 'executions', stops.slice(0, 1), true))[0]?.outcome).toBe('accepted');
    const again = await client.update('g1', 'executions', stops.slice(0, 1), true);
    expect(again[0]).toMatchObject({ outcome: 'rejected', notFound: false, httpStatus: null, code: '01010076' });
    expect((await client.update('g1', 'deployments', deletes.slice(0, 1), true))[0]?.outcome).toBe('accepted');
  });
});

/** A loopback port with nothing listening (bound, then closed). */
async function closedPortUrl(): Promise<string> {
  const listening = await listenOnLoopback(createServer());
  await listening.close();
  return listening.url;
}

/** A loopback server that records every request and answers with `reply`. */
async function recordingServer(
  reply: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => void res.writeHead(200).end('{}'),
) {
  const received: string[] = [];
  const listening = await listenOnLoopback(
    createServer((req, res) => {
      received.push(`${req.method ?? ''} ${req.url ?? ''} ${req.headers.authorization ?? ''}`);
      reply(req, res);
    }),
  );
  cleanups.push(() => listening.close());
  return { url: listening.url, received };
}

function keyWithApi(sim: RunningSimulator, apiUrl: string): ServiceKeyJson {
  return { ...sim.serviceKey, serviceurls: { AI_API_URL: apiUrl } };
}

describe('provably not sent', () => {
  it('connection refused until the attempts run out: not-sent, and retried because nothing was written', async () => {
    const sim = await simulator();
    const transport = quickTransport({ maxAttempts: 3 });
    const client = new AiCoreClient(keyWithApi(sim, await closedPortUrl()), { transport });
    const results = await client.update('g1', 'executions', stops, true);
    expect(results.map((r) => r.outcome)).toEqual(['not-sent', 'not-sent', 'not-sent']);
    expect(results[0]?.message).toMatch(/ECONNREFUSED|refused/i);
    expect(transport.calls).toBe(1 + 3);
  });

  it('the token endpoint failing: not-sent, and the mutation never reaches AI Core', async () => {
    const sim = await simulator({ routes: { 'POST /oauth/token': { failFirst: 99 } } });
    const client = new AiCoreClient(sim.serviceKey, { transport: quickTransport({ maxAttempts: 2 }) });
    const results = await client.update('g1', 'executions', stops, true);
    expect(results.map((r) => r.outcome)).toEqual(['not-sent', 'not-sent', 'not-sent']);
    expect(submittedIds(sim)).toEqual([]);
  });

  it('a 401 after a fresh token: not-sent', async () => {
    const api = await recordingServer(
      (_req, res) => void res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"x","message":"no"}}'),
    );
    const sim = await simulator();
    const client = new AiCoreClient(keyWithApi(sim, api.url), { transport: quickTransport() });
    const results = await client.update('g1', 'executions', stops.slice(0, 1), false);
    expect(results[0]?.outcome).toBe('not-sent');
    expect(api.received).toHaveLength(2);
    expect(sim.requests.count('POST /oauth/token')).toBe(2);
  });

  it('the deadline has passed: nothing is sent, not even a token request', async () => {
    const sim = await simulator();
    const client = new AiCoreClient(sim.serviceKey, { transport: quickTransport({ deadline: () => Date.now() - 1 }) });
    const results = await client.update('g1', 'executions', [...stops, ...deletes.map((d) => ({ ...d, status: 'COMPLETED' }))], true);
    expect(results.map((r) => r.outcome)).toEqual(Array(6).fill('not-sent'));
    expect(results[0]?.message).toMatch(/deadline/);
    expect(sim.requests.entries).toEqual([]);
    const fleet = await client.listGroup({ id: 'g1', labels: {} });
    expect(fleet.listingError).toMatch(/deadline/);
  });

  it('withGate: a gate that throws stops every request; the ungated client is unaffected', async () => {
    const sim = await simulator();
    const client = new AiCoreClient(sim.serviceKey, { transport: quickTransport() });
    const stopped = client.withGate(() => Promise.reject(new Error('lease lost to run-2')));
    const results = await stopped.update('g1', 'executions', stops, false);
    expect(results.map((r) => r.outcome)).toEqual(['not-sent', 'not-sent', 'not-sent']);
    expect(results[0]?.message).toContain('lease lost to run-2');
    expect(sim.requests.entries).toEqual([]);
    await expect(stopped.capabilities()).rejects.toMatchObject({ name: 'RequestNotSentError', reason: 'stopped' });
    expect(stopped.chunkSize).toBe(100);

    let gates = 0;
    const counted = client.withGate(() => {
      gates += 1;
      return Promise.resolve();
    });
    expect((await counted.update('g1', 'executions', stops.slice(0, 1), true))[0]?.outcome).toBe('accepted');
    // One token request and one PATCH, both gated; the token is then shared with the original.
    expect(gates).toBe(2);
    expect((await client.update('g1', 'executions', stops.slice(1, 2), true))[0]?.outcome).toBe('accepted');
    expect(sim.requests.count('POST /oauth/token')).toBe(1);
    expect(client.transport.calls).toBe(3);
  });
});

describe('nothing leaves for a host we did not choose', () => {
  it('a next link to another origin is a listing error, and the other host gets nothing', async () => {
    const other = await recordingServer();
    const sim = await simulator();
    const real = new Transport();
    const rewriting = new Transport({
      fetch: async (url, init) => {
        const response = await real.config.fetch(url, init);
        if (!url.includes('/admin/resourceGroups')) return response;
        const link = `<${other.url}/v2/admin/resourceGroups?continueToken=x>; rel="next"`;
        return {
          status: response.status,
          headers: { get: (name) => (name.toLowerCase() === 'link' ? link : response.headers.get(name)) },
          text: () => response.text(),
        };
      },
    });
    const client = new AiCoreClient(sim.serviceKey, { transport: rewriting });
    await expect(client.resourceGroups()).rejects.toMatchObject({
      name: 'AiCoreResponseError',
      message: expect.stringContaining('not AI_API_URL'),
    });
    expect(other.received).toEqual([]);
  });

  it('a redirect is not followed: the listing fails and the other host gets nothing', async () => {
    const other = await recordingServer();
    const api = await recordingServer((req, res) => void res.writeHead(307, { location: `${other.url}${req.url ?? '/'}` }).end());
    const sim = await simulator();
    const client = new AiCoreClient(keyWithApi(sim, api.url), { transport: quickTransport() });
    const fleet = await client.listGroup({ id: 'g1', labels: {} });
    expect(fleet.listingError).toMatch(/HTTP 307/);
    const results = await client.update('g1', 'executions', stops.slice(0, 1), true);
    expect(results[0]?.outcome).toBe('unknown');
    expect(other.received).toEqual([]);
  });
});

describe('ids outside the spec pattern', () => {
  it('are listed as unparseable and never sent', async () => {
    const sim = await simulator();
    const real = new Transport();
    const splicing = new Transport({
      fetch: async (url, init) => {
        const response = await real.config.fetch(url, init);
        if (!url.includes('/v2/lm/executions?')) return response;
        const page = JSON.parse(await response.text()) as { count: number; resources: unknown[] };
        page.resources.push(execution('abc', 'RUNNING'), execution('has space', 'RUNNING'), execution('x'.repeat(65), 'RUNNING'));
        return { status: response.status, headers: response.headers, text: () => Promise.resolve(JSON.stringify(page)) };
      },
    });
    const client = new AiCoreClient(sim.serviceKey, { transport: splicing });
    const fleet = await client.listGroup({ id: 'g1', labels: {} });
    expect(fleet.resources.filter((r) => r.type === 'executions').map((r) => r.item.id)).toEqual(stops.map((s) => s.id));
    expect(fleet.unparseable.map((u) => u.id)).toEqual(['abc', 'has space', 'x'.repeat(65)]);
    await expect(client.update('g1', 'executions', [{ id: 'abc', status: 'RUNNING', action: 'stop' }], true)).rejects.toMatchObject({
      name: 'InvalidIdError',
    });
    await expect(
      client.update(
        'g1',
        'executions',
        [stops[0] ?? { id: '', status: '', action: 'stop' }, { id: '../meta', status: 'RUNNING', action: 'stop' }],
        false,
      ),
    ).rejects.toMatchObject({ name: 'InvalidIdError' });
    expect(submittedIds(sim)).toEqual([]);
  });
});
