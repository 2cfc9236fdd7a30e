/** Fault injection: each knob's effect, and determinism for a seed. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  FaultConfig,
  startSimulator,
  type RunningSimulator,
  type SimulatorFleet,
  type SimulatorOptions,
} from '../../infra/local/simulator/index.js';
import { makeExecution } from '../../infra/local/simulator/items.js';
import { BULK_RESPONSE, ListPage } from '../../lib/aicore/wire.js';
import { call, callJson, manualClock, tokenFor } from './helpers.js';

const NOW = Date.UTC(2026, 10, 20, 10, 0, 0);
const LIST = 'GET /v2/lm/executions';

function fleet(n = 10): SimulatorFleet {
  const executions = Array.from({ length: n }, (_, i) =>
    makeExecution({
      id: `exe-${String(i).padStart(4, '0')}`,
      status: 'COMPLETED',
      createdAtMs: NOW - (n - i) * 60_000,
      scenarioId: 'scn-a',
      executableId: 'exec-a',
      configurationId: 'cfg-a',
      configurationName: 'a',
    }),
  );
  return { resourceGroups: [{ resourceGroupId: 'default' }], executions: { default: executions }, deployments: {} };
}

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function start(faults: SimulatorOptions['faults'], options: SimulatorOptions = {}): Promise<{ s: RunningSimulator; token: string }> {
  sim = await startSimulator({ fleet: fleet(), now: () => NOW, faults, ...options });
  return { s: sim, token: await tokenFor(sim) };
}

async function statuses(s: RunningSimulator, token: string, n: number, path = '/v2/lm/executions'): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i += 1) out.push((await call(s, path, { token })).status);
  return out;
}

describe('simulator faults', () => {
  it('validates the fault config and names the valid routes on a typo', () => {
    expect(FaultConfig.safeParse({ routes: { 'GET /v2/lm/executions': { failFirst: 1 } } }).success).toBe(true);
    const bad = FaultConfig.safeParse({ routes: { 'GET /v2/lm/execution': { failFirst: 1 } } });
    expect(bad.error?.issues[0]?.message).toContain("'*' or one of: POST /oauth/token");
    expect(FaultConfig.safeParse({ routes: { '*': { errorRate: 2 } } }).success).toBe(false);
  });

  it('latencyMs delays the answer', async () => {
    const { s, token } = await start({ routes: { [LIST]: { latencyMs: 120 } } });
    const t0 = performance.now();
    expect((await call(s, '/v2/lm/executions', { token })).status).toBe(200);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(100);
  });

  it('latencyMs {min, max}: a seeded delay inside the range', async () => {
    const { s, token } = await start({ routes: { [LIST]: { latencyMs: { min: 60, max: 90 } } } });
    for (let i = 0; i < 3; i += 1) {
      const t0 = performance.now();
      expect((await call(s, '/v2/lm/executions', { token })).status).toBe(200);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(55);
    }
  });

  it("'*' applies to every route and a route's own settings override it knob by knob", async () => {
    const { s, token } = await start({
      routes: { '*': { failFirst: 2 }, 'POST /oauth/token': { failFirst: 0 }, [LIST]: { failFirst: 0, burst429: 1 } },
    });
    expect(await statuses(s, token, 2)).toEqual([429, 200]);
    expect(await statuses(s, token, 3, '/v2/lm/deployments')).toEqual([503, 503, 200]);
    expect(s.requests.entries.filter((e) => e.route === 'POST /oauth/token').map((e) => e.status)).toEqual([200]);
  });

  it('rateLimit: a token bucket answers 429 with Retry-After once empty, and refills with the clock', async () => {
    const clock = manualClock(NOW);
    const { s, token } = await start({ routes: { '*': { rateLimit: { capacity: 3, refillPerSecond: 0.5 } } } }, { now: clock.now });
    // The token request took one of the three.
    expect(await statuses(s, token, 3)).toEqual([200, 200, 429]);
    const limited = await call(s, '/v2/lm/executions', { token });
    expect([limited.status, limited.headers.get('retry-after')]).toEqual([429, '2']);
    clock.advance(2_000);
    expect(await statuses(s, token, 2)).toEqual([200, 429]);
    expect(s.requests.entries.filter((e) => e.fault === 'rateLimit')).toHaveLength(3);
  });

  it('burst429 without retryAfterSeconds says Retry-After: 1', async () => {
    const { s, token } = await start({ routes: { [LIST]: { burst429: 1 } } });
    const first = await call(s, '/v2/lm/executions', { token });
    expect([first.status, first.headers.get('retry-after')]).toEqual([429, '1']);
  });

  it('burst429: the first N requests on a route get 429 with Retry-After', async () => {
    const { s, token } = await start({ routes: { [LIST]: { burst429: 2, retryAfterSeconds: 3 } } });
    const first = await call(s, '/v2/lm/executions', { token });
    expect([first.status, first.headers.get('retry-after')]).toEqual([429, '3']);
    expect(await statuses(s, token, 2)).toEqual([429, 200]);
    expect((await call(s, '/v2/lm/deployments', { token })).status).toBe(200);
  });

  it('failFirst: the first N requests get 503', async () => {
    const { s, token } = await start({ routes: { [LIST]: { failFirst: 2 } } });
    expect(await statuses(s, token, 3)).toEqual([503, 503, 200]);
  });

  it('errorRate: a seeded share of 5xx, the same sequence for the same seed', async () => {
    const run = async (seed: number) => {
      const { s, token } = await start({ routes: { [LIST]: { errorRate: 0.5, errorStatus: 502 } } }, { seed });
      const result = await statuses(s, token, 20);
      await s.stop();
      return result;
    };
    const a = await run(7);
    expect(await run(7)).toEqual(a);
    expect(a.filter((x) => x === 502).length).toBeGreaterThan(3);
    expect(a.filter((x) => x === 200).length).toBeGreaterThan(3);
    expect(new Set(a)).toEqual(new Set([200, 502]));
  });

  it('hangFirst: the first request never gets an answer (the client must time out), the next one does', async () => {
    const { s, token } = await start({ routes: { [LIST]: { hangFirst: 1 } } });
    const abort = new AbortController();
    const hung = fetch(`${s.url}/v2/lm/executions`, {
      headers: { authorization: `Bearer ${token}`, 'ai-resource-group': 'default' },
      signal: abort.signal,
    });
    // Give up only once the simulator has taken the request (not on a timer: a loaded CI machine is slow).
    await vi.waitFor(() => expect(s.requests.entries.some((e) => e.fault === 'hang')).toBe(true));
    abort.abort();
    await expect(hung).rejects.toThrow();
    expect((await call(s, '/v2/lm/executions', { token })).status).toBe(200);
    expect(s.requests.entries.filter((e) => e.fault === 'hang')).toHaveLength(1);
  });

  it('hangRate: stop() closes hung sockets immediately', async () => {
    sim = await startSimulator({ fleet: fleet(), faults: { routes: { [LIST]: { hangRate: 1 } } } });
    const s = sim;
    const token = await tokenFor(s);
    const pending = fetch(`${s.url}/v2/lm/executions`, { headers: { authorization: `Bearer ${token}`, 'ai-resource-group': 'default' } });
    await vi.waitFor(() => expect(s.requests.entries.some((e) => e.fault === 'hang')).toBe(true));
    // stop() resolving at all shows it closed the hung socket: a server with an open connection never closes.
    await s.stop();
    await expect(pending).rejects.toThrow();
    expect(s.requests.entries.at(-1)).toMatchObject({ route: LIST, status: 0, fault: 'hang' });
  });

  it('dropFirst / dropRate: the socket is destroyed without an answer', async () => {
    const { s, token } = await start({ routes: { [LIST]: { dropFirst: 1 } } });
    await expect(call(s, '/v2/lm/executions', { token })).rejects.toThrow();
    expect((await call(s, '/v2/lm/executions', { token })).status).toBe(200);
    expect(s.requests.entries.filter((e) => e.fault === 'drop')).toHaveLength(1);
  });

  it('dropRate: a share of sockets is destroyed, seeded', async () => {
    const { s, token } = await start({ routes: { [LIST]: { dropRate: 1 } } });
    await expect(call(s, '/v2/lm/executions', { token })).rejects.toThrow();
    await expect(call(s, '/v2/lm/executions', { token })).rejects.toThrow();
    expect((await call(s, '/v2/lm/deployments', { token })).status).toBe(200);
    expect(s.requests.entries.filter((e) => e.fault === 'drop').map((e) => e.status)).toEqual([0, 0]);
  });

  it('tokenMaxUses: a token is good for N calls, then 401 until a new one is fetched', async () => {
    const { s, token } = await start({ tokenMaxUses: 2 });
    expect(await statuses(s, token, 3)).toEqual([200, 200, 401]);
    expect(await statuses(s, await tokenFor(s), 1)).toEqual([200]);
  });

  it('bulkItemFailures: listed ids fail inside the 202 and stay unchanged', async () => {
    const { s, token } = await start({ bulkItemFailures: { ids: ['exe-0001'] } });
    const body = {
      executions: [
        { id: 'exe-0000', targetStatus: 'DELETED' },
        { id: 'exe-0001', targetStatus: 'DELETED' },
      ],
    };
    const answer = await callJson(s, '/v2/lm/executions', { token, method: 'PATCH', contentType: 'application/merge-patch+json', body });
    expect(answer.status).toBe(202);
    const results = BULK_RESPONSE.executions.parse(answer.body).executions;
    expect(results.map((r) => 'error' in r)).toEqual([false, true]);
    expect(
      s
        .fleet()
        .executions.default?.map((e) => e.id)
        .slice(0, 1),
    ).toEqual(['exe-0001']);
  });

  it('bulkItemFailures: a rate fails a seeded share of items', async () => {
    const { s, token } = await start({ bulkItemFailures: { rate: 0.5 } }, { seed: 3 });
    const body = { executions: fleet().executions.default?.map((e) => ({ id: e.id, targetStatus: 'DELETED' })) };
    const answer = await callJson(s, '/v2/lm/executions', { token, method: 'PATCH', contentType: 'application/merge-patch+json', body });
    const failed = BULK_RESPONSE.executions.parse(answer.body).executions.filter((r) => 'error' in r).length;
    expect(failed).toBeGreaterThan(0);
    expect(failed).toBeLessThan(10);
    expect(s.fleet().executions.default).toHaveLength(failed);
  });

  it('listMutations: items vanish between pages, so a naive $skip pager misses one', async () => {
    const { s, token } = await start({ listMutations: { disappear: 1, times: 1 } });
    const page1 = ListPage.parse((await callJson(s, '/v2/lm/executions?$top=5', { token })).body);
    const page2 = ListPage.parse((await callJson(s, '/v2/lm/executions?$top=5&$skip=5', { token })).body);
    const seen = [...page1.resources, ...page2.resources].map((r) => (r as { id: string }).id);
    expect(seen).toHaveLength(9);
    expect(seen).not.toContain('exe-0005');
    expect(page2.count).toBe(9);
  });

  it('listMutations: items appearing at the end raise count and show up on the last page', async () => {
    const { s, token } = await start({ listMutations: { appear: 2, position: 'end', times: 1 } });
    const page1 = ListPage.parse((await callJson(s, '/v2/lm/executions?$top=5', { token })).body);
    const page2 = ListPage.parse((await callJson(s, '/v2/lm/executions?$top=5&$skip=5', { token })).body);
    const page3 = ListPage.parse((await callJson(s, '/v2/lm/executions?$top=5&$skip=10', { token })).body);
    expect([page1.count, page2.count]).toEqual([10, 12]);
    expect(page3.resources.map((r) => (r as { id: string }).id)).toEqual(['appeared-exec-0001', 'appeared-exec-0002']);
  });

  it('listMutations: items appearing at the start shift later pages, so a pager sees an item twice', async () => {
    const { s, token } = await start({ listMutations: { appear: 1, position: 'start', times: 1 } });
    const page1 = ListPage.parse((await callJson(s, '/v2/lm/executions?$top=5', { token })).body);
    const page2 = ListPage.parse((await callJson(s, '/v2/lm/executions?$top=5&$skip=5', { token })).body);
    const ids = [...page1.resources, ...page2.resources].map((r) => (r as { id: string }).id);
    expect(ids.filter((id) => id === 'exe-0004')).toHaveLength(2);
    expect(page2.count).toBe(11);
    expect(s.fleet().executions.default?.[0]?.id).toBe('appeared-exec-0001');
  });

  describe('loseAnswer: applied, then the answer is lost', () => {
    const PATCH = 'PATCH /v2/lm/executions';
    const stop = (id: string) => ({ executions: [{ id, targetStatus: 'STOPPED' }] });
    const patch = (s: RunningSimulator, token: string, id: string) =>
      call(s, '/v2/lm/executions', { token, method: 'PATCH', contentType: 'application/merge-patch+json', body: stop(id) });

    it('validates the knob', () => {
      expect(FaultConfig.safeParse({ routes: { [PATCH]: { loseAnswer: { first: 1, as: '504' } } } }).success).toBe(true);
      expect(FaultConfig.safeParse({ routes: { [PATCH]: { loseAnswer: { first: 1, as: 'lost' } } } }).success).toBe(false);
      expect(FaultConfig.safeParse({ routes: { [PATCH]: { loseAnswer: { rate: 2, as: 'reset' } } } }).success).toBe(false);
    });

    it("'504': a gateway page, the stop applied; a repeat is refused per item", async () => {
      const { s, token } = await start({ routes: { [PATCH]: { loseAnswer: { first: 1, as: '504' } } } }, { fleet: runningFleet() });
      const lost = await patch(s, token, 'exe-0000');
      expect(lost.status).toBe(504);
      expect(lost.headers.get('content-type')).toContain('text/html');
      expect(await lost.text()).toContain('Gateway');
      expect(s.fleet().executions.default?.[0]).toMatchObject({ id: 'exe-0000', targetStatus: 'STOPPED' });
      const repeat = await patch(s, token, 'exe-0000');
      expect(repeat.status).toBe(202);
      const [item] = BULK_RESPONSE.executions.parse(await repeat.json()).executions;
      expect(item).toMatchObject({
        id: 'exe-0000',
        error: { code: '01010076', message: expect.stringMatching(/Current status STOPP(ING|ED) cannot be changed/) },
      });
      expect(s.requests.entries.filter((e) => e.route === PATCH).map((e) => [e.status, e.fault])).toEqual([
        [504, 'loseAnswer:504'],
        [202, undefined],
      ]);
    });

    it("'garbled': 202 with truncated JSON, applied", async () => {
      const { s, token } = await start({ routes: { [PATCH]: { loseAnswer: { first: 1, as: 'garbled' } } } }, { fleet: runningFleet() });
      const lost = await patch(s, token, 'exe-0001');
      expect(lost.status).toBe(202);
      const text = await lost.text();
      expect(() => JSON.parse(text) as unknown).toThrow();
      expect(s.fleet().executions.default?.find((e) => e.id === 'exe-0001')?.targetStatus).toBe('STOPPED');
    });

    it("'reset' and 'timeout': no answer at all, applied", async () => {
      const { s, token } = await start({ routes: { [PATCH]: { loseAnswer: { first: 2, as: 'reset' } } } }, { fleet: runningFleet() });
      await expect(patch(s, token, 'exe-0002')).rejects.toThrow();
      const hung = await startSimulator({
        fleet: runningFleet(),
        now: () => NOW,
        faults: { routes: { [PATCH]: { loseAnswer: { first: 1, as: 'timeout' } } } },
      });
      try {
        const hungToken = await tokenFor(hung);
        const signal = AbortSignal.timeout(200);
        await expect(
          call(hung, '/v2/lm/executions', {
            token: hungToken,
            method: 'PATCH',
            contentType: 'application/merge-patch+json',
            body: stop('exe-0003'),
            signal,
          }),
        ).rejects.toThrow();
        expect(hung.fleet().executions.default?.find((e) => e.id === 'exe-0003')?.targetStatus).toBe('STOPPED');
        expect(hung.requests.entries.at(-1)).toMatchObject({ status: 0, fault: 'loseAnswer:timeout' });
      } finally {
        await hung.stop();
      }
      expect(s.fleet().executions.default?.find((e) => e.id === 'exe-0002')?.targetStatus).toBe('STOPPED');
      expect(await patch(s, token, 'exe-0004').catch(() => null)).toBeNull();
      expect((await patch(s, token, 'exe-0005')).status).toBe(202);
    });

    it('a repeated delete is refused per item too', async () => {
      const { s, token } = await start(undefined, { deleteDelayMs: 60_000 });
      const del = () =>
        callJson(s, '/v2/lm/executions', {
          token,
          method: 'PATCH',
          contentType: 'application/merge-patch+json',
          body: { executions: [{ id: 'exe-0000', targetStatus: 'DELETED' }] },
        });
      expect(BULK_RESPONSE.executions.parse((await del()).body).executions[0]).toMatchObject({ message: expect.any(String) });
      expect(BULK_RESPONSE.executions.parse((await del()).body).executions[0]).toMatchObject({ error: { code: '01010076' } });
    });
  });
});

function runningFleet(): SimulatorFleet {
  const f = fleet();
  return { ...f, executions: { default: (f.executions.default ?? []).map((e) => ({ ...e, status: 'RUNNING', targetStatus: 'RUNNING' })) } };
}
