/** The simulator's write side: bulk PATCH, single PATCH/DELETE and the lifecycle that follows. */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator, type SimulatorFleet, type SimulatorOptions } from '../../infra/local/simulator/index.js';
import { makeDeployment, makeExecution } from '../../infra/local/simulator/items.js';
import { BULK_RESPONSE, ErrorBody, ModificationResponse } from '../../lib/aicore/wire.js';
import { call, callJson, manualClock, tokenFor } from './helpers.js';

const NOW = Date.UTC(2026, 10, 20, 10, 0, 0);
const MERGE = 'application/merge-patch+json';
const base = {
  createdAtMs: NOW - 86_400_000,
  scenarioId: 'scn-a',
  executableId: 'exec-a',
  configurationId: 'cfg-a',
  configurationName: 'a',
};

function fleet(): SimulatorFleet {
  return {
    resourceGroups: [{ resourceGroupId: 'default' }],
    executions: {
      default: [
        makeExecution({ id: 'exe-run1', status: 'RUNNING', ...base }),
        makeExecution({ id: 'exe-pend', status: 'PENDING', ...base }),
        makeExecution({ id: 'exe-done', status: 'COMPLETED', ...base }),
        makeExecution({ id: 'exe-stpg', status: 'STOPPING', ...base }),
        makeExecution({ id: 'exe-odd1', status: 'DELETING', ...base }),
        ...Array.from({ length: 120 }, (_, i) =>
          makeExecution({ id: `exe-bulk-${String(i).padStart(3, '0')}`, status: 'COMPLETED', ...base }),
        ),
      ],
    },
    deployments: {
      default: [
        makeDeployment({ id: 'dep-run1', status: 'RUNNING', ...base }),
        makeDeployment({ id: 'dep-unkn', status: 'UNKNOWN', ...base }),
        makeDeployment({ id: 'dep-done', status: 'COMPLETED', ...base }),
      ],
    },
  };
}

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function start(options: SimulatorOptions = {}): Promise<{ s: RunningSimulator; token: string }> {
  sim = await startSimulator({ fleet: fleet(), now: () => NOW, ...options });
  return { s: sim, token: await tokenFor(sim) };
}

function item(s: RunningSimulator, type: 'executions' | 'deployments', id: string) {
  return s.fleet()[type].default?.find((i) => i.id === id);
}

describe('simulator: bulk PATCH', () => {
  it('answers 202 with a result per item: scheduled, unknown id, ineligible status', async () => {
    const { s, token } = await start();
    const items = [
      { id: 'exe-run1', targetStatus: 'STOPPED' },
      { id: 'exe-done', targetStatus: 'DELETED' },
      { id: 'exe-ghost', targetStatus: 'DELETED' },
      { id: 'exe-pend', targetStatus: 'DELETED' },
      { id: 'exe-stpg', targetStatus: 'STOPPED' },
      { id: 'exe-odd1', targetStatus: 'DELETED' },
    ];
    const { status, body } = await callJson(s, '/v2/lm/executions', {
      token,
      method: 'PATCH',
      contentType: MERGE,
      body: { executions: items },
    });
    expect(status).toBe(202);
    const results = BULK_RESPONSE.executions.parse(body).executions;
    expect(results.map((r) => [r.id, 'error' in r ? ErrorBody.parse(r).error.code : r.message])).toEqual([
      ['exe-run1', 'Execution modification scheduled'],
      ['exe-done', 'Execution modification scheduled'],
      ['exe-ghost', '01010020'],
      ['exe-pend', '01010076'],
      ['exe-stpg', '01010076'],
      ['exe-odd1', '01010076'],
    ]);
    expect(item(s, 'executions', 'exe-pend')?.status).toBe('PENDING');
  });

  it('uses the deployments wrapper and deployment codes; COMPLETED deployments are not deletable', async () => {
    const { s, token } = await start();
    const body = {
      deployments: [
        { id: 'dep-unkn', targetStatus: 'DELETED' },
        { id: 'dep-done', targetStatus: 'DELETED' },
        { id: 'dep-nope', targetStatus: 'STOPPED' },
      ],
    };
    const response = await callJson(s, '/v2/lm/deployments', { token, method: 'PATCH', contentType: MERGE, body });
    expect(response.status).toBe(202);
    const results = BULK_RESPONSE.deployments.parse(response.body).deployments;
    expect(results.map((r) => ('error' in r ? ErrorBody.parse(r).error.code : r.message))).toEqual([
      'Deployment modification scheduled',
      '01010076',
      '01010016',
    ]);
  });

  it.each([
    [
      'more than 100 items',
      { executions: Array.from({ length: 101 }, (_, i) => ({ id: `exe-bulk-${String(i).padStart(3, '0')}`, targetStatus: 'DELETED' })) },
      '/v2/lm/executions',
    ],
    [
      'a duplicate id',
      {
        executions: [
          { id: 'exe-done', targetStatus: 'DELETED' },
          { id: 'exe-done', targetStatus: 'DELETED' },
        ],
      },
      '/v2/lm/executions',
    ],
    ['the executions key on the deployments path', { executions: [{ id: 'dep-unkn', targetStatus: 'DELETED' }] }, '/v2/lm/deployments'],
    ['an empty list', { executions: [] }, '/v2/lm/executions'],
    ['an unknown target status', { executions: [{ id: 'exe-run1', targetStatus: 'RUNNING' }] }, '/v2/lm/executions'],
    ['a body that is not JSON', '{"executions": [', '/v2/lm/executions'],
  ])('rejects %s with 400 and changes nothing', async (_name, body, path) => {
    const { s, token } = await start();
    const before = s.fleet();
    const { status, body: answer } = await callJson(s, path, { token, method: 'PATCH', contentType: MERGE, body });
    expect(status).toBe(400);
    expect(ErrorBody.parse(answer).error).toMatchObject({ code: '01000400', target: path });
    expect(s.fleet()).toEqual(before);
  });

  it('accepts exactly 100 items', async () => {
    const { s, token } = await start();
    const body = {
      executions: Array.from({ length: 100 }, (_, i) => ({ id: `exe-bulk-${String(i).padStart(3, '0')}`, targetStatus: 'DELETED' })),
    };
    expect((await call(s, '/v2/lm/executions', { token, method: 'PATCH', contentType: MERGE, body })).status).toBe(202);
  });

  it('answers 415 to a bulk PATCH that is not application/merge-patch+json', async () => {
    const { s, token } = await start();
    const response = await callJson(s, '/v2/lm/executions', {
      token,
      method: 'PATCH',
      contentType: 'application/json',
      body: { executions: [{ id: 'exe-run1', targetStatus: 'STOPPED' }] },
    });
    expect(response.status).toBe(415);
    expect(item(s, 'executions', 'exe-run1')?.status).toBe('RUNNING');
  });
});

describe('simulator: lifecycle', () => {
  it('STOP: STOPPING with targetStatus STOPPED, then STOPPED with completionTime after stopDelayMs', async () => {
    const clock = manualClock(NOW);
    const { s, token } = await start({ now: clock.now, stopDelayMs: 30_000 });
    clock.advance(5_000);
    await call(s, '/v2/lm/executions', {
      token,
      method: 'PATCH',
      contentType: MERGE,
      body: { executions: [{ id: 'exe-run1', targetStatus: 'STOPPED' }] },
    });
    expect(item(s, 'executions', 'exe-run1')).toMatchObject({
      status: 'STOPPING',
      targetStatus: 'STOPPED',
      modifiedAt: '2026-11-20T10:00:05Z',
      completionTime: null,
    });
    clock.advance(29_999);
    expect(item(s, 'executions', 'exe-run1')?.status).toBe('STOPPING');
    clock.advance(1);
    expect(item(s, 'executions', 'exe-run1')).toMatchObject({
      status: 'STOPPED',
      completionTime: '2026-11-20T10:00:35Z',
      modifiedAt: '2026-11-20T10:00:35Z',
    });
  });

  it('STOP with the default delay shows STOPPED on the next read', async () => {
    const { s, token } = await start();
    await call(s, '/v2/lm/deployments/dep-run1', { token, method: 'PATCH', body: { targetStatus: 'STOPPED' } });
    const { body } = await callJson(s, '/v2/lm/deployments/dep-run1', { token });
    expect(body).toMatchObject({ status: 'STOPPED', targetStatus: 'STOPPED', lastOperation: 'UPDATE' });
  });

  it('acceptDelayMs: an accepted request shows nothing until AI Core acts on it', async () => {
    const clock = manualClock(NOW);
    const { s, token } = await start({ now: clock.now, acceptDelayMs: 60_000 });
    const before = { run: item(s, 'executions', 'exe-run1'), done: item(s, 'executions', 'exe-done') };
    const patched = await callJson(s, '/v2/lm/executions', {
      token,
      method: 'PATCH',
      contentType: MERGE,
      body: {
        executions: [
          { id: 'exe-run1', targetStatus: 'STOPPED' },
          { id: 'exe-done', targetStatus: 'DELETED' },
        ],
      },
    });
    expect(patched.status).toBe(202);
    expect(item(s, 'executions', 'exe-run1')).toEqual(before.run);
    expect(item(s, 'executions', 'exe-done')).toEqual(before.done);
    clock.advance(60_000);
    expect(item(s, 'executions', 'exe-run1')).toMatchObject({ status: 'STOPPED', targetStatus: 'STOPPED' });
    expect(item(s, 'executions', 'exe-done')).toBeUndefined();
  });

  it('DELETE: targetStatus DELETED, still listed, gone after deleteDelayMs', async () => {
    const clock = manualClock(NOW);
    const { s, token } = await start({ now: clock.now, deleteDelayMs: 60_000 });
    await call(s, '/v2/lm/executions', {
      token,
      method: 'PATCH',
      contentType: MERGE,
      body: { executions: [{ id: 'exe-done', targetStatus: 'DELETED' }] },
    });
    expect((await callJson(s, '/v2/lm/executions/exe-done', { token })).body).toMatchObject({
      status: 'COMPLETED',
      targetStatus: 'DELETED',
    });
    clock.advance(60_000);
    expect((await call(s, '/v2/lm/executions/exe-done', { token })).status).toBe(404);
    expect(item(s, 'executions', 'exe-done')).toBeUndefined();
  });
});

describe('simulator: single PATCH and DELETE', () => {
  it('PATCH stops with 202, 404 for an unknown id, 412 for an ineligible status, 400 for a bad body, 415 for a wrong type', async () => {
    const { s, token } = await start();
    const patch = (id: string, body: unknown, contentType?: string) =>
      callJson(s, `/v2/lm/executions/${id}`, { token, method: 'PATCH', body, ...(contentType === undefined ? {} : { contentType }) });
    const ok = await patch('exe-run1', { targetStatus: 'STOPPED' });
    expect([ok.status, ModificationResponse.parse(ok.body).message]).toEqual([202, 'Execution modification scheduled']);
    expect((await patch('exe-ghost', { targetStatus: 'STOPPED' })).status).toBe(404);
    const ineligible = await patch('exe-done', { targetStatus: 'STOPPED' });
    expect([ineligible.status, ErrorBody.parse(ineligible.body).error.code]).toEqual([412, '01010076']);
    expect((await patch('exe-pend', { targetStatus: 'DELETED' })).status).toBe(400);
    expect((await patch('exe-pend', { targetStatus: 'STOPPED' }, MERGE)).status).toBe(415);
  });

  it('DELETE answers 202 {id, message: Deletion scheduled, targetStatus: DELETED}, 404 or 412', async () => {
    const { s, token } = await start();
    const ok = await callJson(s, '/v2/lm/deployments/dep-unkn', { token, method: 'DELETE' });
    expect([ok.status, ok.body]).toEqual([202, { id: 'dep-unkn', message: 'Deletion scheduled', targetStatus: 'DELETED' }]);
    expect((await call(s, '/v2/lm/deployments/dep-ghost', { token, method: 'DELETE' })).status).toBe(404);
    expect((await call(s, '/v2/lm/deployments/dep-run1', { token, method: 'DELETE' })).status).toBe(412);
    expect(s.requests.counts()).toMatchObject({ 'DELETE /v2/lm/deployments/{id}': 3, 'POST /oauth/token': 1 });
  });
});

describe('simulator: request log', () => {
  it('records method, route, group, status and parsed body; clear() empties it', async () => {
    const { s, token } = await start();
    await call(s, '/v2/lm/executions', {
      token,
      method: 'PATCH',
      contentType: MERGE,
      body: { executions: [{ id: 'exe-run1', targetStatus: 'STOPPED' }] },
    });
    expect(s.requests.entries.at(-1)).toMatchObject({
      method: 'PATCH',
      route: 'PATCH /v2/lm/executions',
      group: 'default',
      status: 202,
      body: { executions: [{ id: 'exe-run1', targetStatus: 'STOPPED' }] },
    });
    expect(s.requests.count('PATCH /v2/lm/executions')).toBe(1);
    s.requests.clear();
    expect(s.requests.entries).toEqual([]);
    expect(s.requests.counts()).toEqual({});
  });
});
