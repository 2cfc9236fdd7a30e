/** The simulator's read side: tokens, meta, resource groups, listing, counting, single GET. */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type RunningSimulator, type SimulatorOptions, type SimulatorFleet } from '../../infra/local/simulator/index.js';
import { makeDeployment, makeExecution } from '../../infra/local/simulator/items.js';
import { ErrorBody, ListPage, Meta, ResourceGroupList, TokenResponse } from '../../lib/aicore/wire.js';
import { call, callJson, manualClock, tokenFor } from './helpers.js';

const NOW = Date.UTC(2026, 10, 20, 10, 0, 0);
const HOUR = 3_600_000;

function exe(
  id: string,
  status: string,
  ageHours: number,
  more: Partial<{ scenarioId: string; executableId: string; configurationId: string }> = {},
  scheduleId?: string,
) {
  return makeExecution(
    {
      id,
      status,
      createdAtMs: NOW - ageHours * HOUR,
      scenarioId: 'scn-a',
      executableId: 'exec-a',
      configurationId: 'cfg-a',
      configurationName: 'config a',
      ...more,
    },
    { executionScheduleId: scheduleId ?? null },
  );
}

function fleet(): SimulatorFleet {
  return {
    resourceGroups: [{ resourceGroupId: 'default' }, { resourceGroupId: 'g2', labels: [{ key: 'ext.ai.sap.com/team', value: 'b' }] }],
    executions: {
      default: [
        exe('exe-0003', 'RUNNING', 3),
        exe('exe-0001', 'COMPLETED', 10, { scenarioId: 'scn-b', executableId: 'exec-b' }),
        exe('exe-0002', 'RUNNING', 10, { configurationId: 'cfg-b' }, 'sched-0001'),
        exe('exe-0004', 'DEAD', 1, { executableId: 'exec-c' }),
      ],
    },
    deployments: {
      default: [
        makeDeployment({
          id: 'dep-0001',
          status: 'RUNNING',
          createdAtMs: NOW - HOUR,
          scenarioId: 'scn-a',
          executableId: 'exec-a',
          configurationId: 'cfg-a',
          configurationName: 'c',
        }),
      ],
    },
  };
}

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function start(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  sim = await startSimulator({ fleet: fleet(), now: () => NOW, ...options });
  return sim;
}

describe('simulator: tokens', () => {
  it('issues an XSUAA-like JWT for good credentials, form-encoded or HTTP Basic', async () => {
    const s = await start({ tokenTtlSeconds: 7199 });
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: s.serviceKey.clientid,
      client_secret: s.serviceKey.clientsecret,
    });
    const response = await fetch(`${s.serviceKey.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(response.status).toBe(200);
    const json = (await response.json()) as Record<string, unknown>;
    const token = TokenResponse.parse(json);
    expect(json).toMatchObject({ token_type: 'bearer', expires_in: 7199, jti: expect.any(String) });
    const [head, payload, signature] = token.access_token.split('.');
    expect(JSON.parse(Buffer.from(head ?? '', 'base64url').toString())).toMatchObject({ alg: 'RS256', typ: 'JWT' });
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({
      client_id: s.serviceKey.clientid,
      zid: s.serviceKey.identityzoneid,
      iat: NOW / 1000,
      exp: NOW / 1000 + 7199,
    });
    expect(signature).toMatch(/^[\w-]+$/);

    const basic = Buffer.from(`${s.serviceKey.clientid}:${s.serviceKey.clientsecret}`).toString('base64');
    const viaBasic = await fetch(`${s.url}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(viaBasic.status).toBe(200);
  });

  it('answers 401 with an error body for wrong credentials', async () => {
    const s = await start();
    const form = new URLSearchParams({ grant_type: 'client_credentials', client_id: s.serviceKey.clientid, client_secret: 'wrong' });
    const response = await fetch(`${s.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
    expect(response.status).toBe(401);
    expect(ErrorBody.parse(await response.json()).error.requestId).toBe(response.headers.get('x-request-id'));
  });

  it('rejects missing, unknown, expired and revoked tokens with 401', async () => {
    const clock = manualClock(NOW);
    const s = await start({ now: clock.now, tokenTtlSeconds: 60 });
    expect((await fetch(`${s.url}/v2/lm/executions`, { headers: { 'ai-resource-group': 'default' } })).status).toBe(401);
    expect((await call(s, '/v2/lm/executions', { token: 'not-a-token' })).status).toBe(401);
    const token = await tokenFor(s);
    expect((await call(s, '/v2/lm/executions', { token })).status).toBe(200);
    clock.advance(60_000);
    expect((await call(s, '/v2/lm/executions', { token })).status).toBe(401);
    const fresh = await tokenFor(s);
    s.expireTokens();
    const revoked = await call(s, '/v2/lm/executions', { token: fresh });
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get('www-authenticate')).toContain('invalid_token');
  });
});

describe('simulator: meta and resource groups', () => {
  it('reports bulkUpdates as configured, without a resource group header', async () => {
    const s = await start({ bulkUpdates: { executions: true, deployments: false } });
    const { status, body } = await callJson(s, '/v2/lm/meta', { group: null });
    expect(status).toBe(200);
    expect(Meta.parse(body).aiApi.capabilities?.bulkUpdates).toEqual({ executions: true, deployments: false });
  });

  it('pages groups with Prefer: maxpagesize and a Link header', async () => {
    const groups = Array.from({ length: 5 }, (_, i) => ({ resourceGroupId: `grp-${i}` }));
    const s = await start({ fleet: { resourceGroups: groups, executions: {}, deployments: {} } });
    const token = await tokenFor(s);
    const seen: string[] = [];
    let next: string | null = '/v2/admin/resourceGroups';
    let pages = 0;
    while (next !== null) {
      const { body, headers }: { body: unknown; headers: Headers } = await callJson(s, next, {
        token,
        group: null,
        headers: { prefer: 'maxpagesize=2' },
      });
      const list = ResourceGroupList.parse(body);
      expect(list.count).toBe(list.resources.length);
      seen.push(...list.resources.map((g) => g.resourceGroupId));
      expect(list.resources.every((g) => g.status === 'PROVISIONED' && g.createdAt === '2026-08-22T10:00:00Z')).toBe(true);
      next = /<([^>]+)>;\s*rel="next"/.exec(headers.get('link') ?? '')?.[1] ?? null;
      pages += 1;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual(groups.map((g) => g.resourceGroupId));
  });

  it('lists all groups with their labels when no page size is asked for, and filters by labelSelector', async () => {
    const s = await start();
    const all = ResourceGroupList.parse((await callJson(s, '/v2/admin/resourceGroups?$count=true', { group: null })).body);
    expect(all.resources.map((g) => [g.resourceGroupId, g.labels])).toEqual([
      ['default', []],
      ['g2', [{ key: 'ext.ai.sap.com/team', value: 'b' }]],
    ]);
    const selected = ResourceGroupList.parse(
      (await callJson(s, '/v2/admin/resourceGroups?labelSelector=ext.ai.sap.com/team=b', { group: null })).body,
    );
    expect(selected.resources.map((g) => g.resourceGroupId)).toEqual(['g2']);
  });
});

describe('simulator: listing', () => {
  it('lists in createdAt-then-id order with count = all matching items, and pages with $top/$skip', async () => {
    const s = await start();
    const token = await tokenFor(s);
    const page1 = ListPage.parse((await callJson(s, '/v2/lm/executions?$top=2', { token })).body);
    const page2 = ListPage.parse((await callJson(s, '/v2/lm/executions?$top=2&$skip=2', { token })).body);
    expect(page1.count).toBe(4);
    expect([...page1.resources, ...page2.resources].map((r) => (r as { id: string }).id)).toEqual([
      'exe-0001',
      'exe-0002',
      'exe-0003',
      'exe-0004',
    ]);
  });

  it('filters by status, scenarioId, configurationId, executableIds and executionScheduleId', async () => {
    const s = await start();
    const token = await tokenFor(s);
    const ids = async (query: string, type = 'executions') =>
      ListPage.parse((await callJson(s, `/v2/lm/${type}?${query}`, { token })).body).resources.map((r) => (r as { id: string }).id);
    expect(await ids('status=RUNNING')).toEqual(['exe-0002', 'exe-0003']);
    expect(await ids('scenarioId=scn-b')).toEqual(['exe-0001']);
    expect(await ids('configurationId=cfg-b')).toEqual(['exe-0002']);
    expect(await ids('executableIds=exec-b,exec-c')).toEqual(['exe-0001', 'exe-0004']);
    expect(await ids('executionScheduleId=sched-0001')).toEqual(['exe-0002']);
    expect(await ids('status=RUNNING', 'deployments')).toEqual(['dep-0001']);
  });

  it('returns only id and status with $select=status, and 400 for a bad query', async () => {
    const s = await start();
    const token = await tokenFor(s);
    const page = ListPage.parse((await callJson(s, '/v2/lm/deployments?$select=status', { token })).body);
    expect(page.resources).toEqual([{ id: 'dep-0001', status: 'RUNNING' }]);
    for (const bad of ['status=RUNNIN', '$top=100001', '$skip=-1', '$select=id', 'scenarioId=x']) {
      const { status, body } = await callJson(s, `/v2/lm/executions?${bad}`, { token });
      expect(status, bad).toBe(400);
      ErrorBody.parse(body);
    }
  });

  it('counts as text/plain with the same filters', async () => {
    const s = await start();
    const token = await tokenFor(s);
    const response = await call(s, '/v2/lm/executions/$count?status=RUNNING', { token });
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toBe('2');
    expect(await (await call(s, '/v2/lm/deployments/%24count', { token })).text()).toBe('1');
    expect(s.requests.count('GET /v2/lm/executions/$count')).toBe(1);
    expect(s.requests.count('GET /v2/lm/deployments/$count')).toBe(1);
  });

  it('needs an AI-Resource-Group header naming an existing group', async () => {
    const s = await start();
    const token = await tokenFor(s);
    const missing = await callJson<{ error: { code: string; message: string; requestId: string; target: string } }>(
      s,
      '/v2/lm/executions',
      { token, group: null },
    );
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({
      message: 'missing header AI-Resource-Group',
      target: '/v2/lm/executions',
      requestId: missing.headers.get('x-request-id'),
    });
    expect((await call(s, '/v2/lm/executions', { token, group: 'nope' })).status).toBe(404);
    expect((await call(s, '/v2/lm/executions', { token, group: 'g2' })).status).toBe(200);
  });

  it("answers HEAD (the Cloud SDK's CSRF probe) with an empty 200 and no CSRF token", async () => {
    const s = await start();
    const response = await fetch(`${s.url}/v2/lm/executions/`, { method: 'HEAD', headers: { 'x-csrf-token': 'fetch' } });
    expect([response.status, response.headers.get('x-csrf-token')]).toEqual([200, null]);
    expect(s.requests.count('HEAD /v2/lm/executions')).toBe(1);
  });

  it('answers unknown routes with 404 and wrong methods with 405, always with an error body and request id', async () => {
    const s = await start();
    for (const [path, method, expected] of [
      ['/v2/lm/nothing', 'GET', 404],
      ['/', 'GET', 404],
      ['/v2/lm/meta', 'POST', 405],
    ] as const) {
      const response = await call(s, path, { method });
      expect(response.status).toBe(expected);
      expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
      ErrorBody.parse(await response.json());
    }
  });
});

describe('simulator: single GET', () => {
  it('returns the item with statusDetails, or 404 with the documented unknown-id codes', async () => {
    const s = await start();
    const token = await tokenFor(s);
    const found = await callJson(s, '/v2/lm/executions/exe-0001', { token });
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ id: 'exe-0001', status: 'COMPLETED', statusDetails: null });
    expect((await callJson(s, '/v2/lm/executions/exe-0001?$select=status', { token })).body).toEqual({
      id: 'exe-0001',
      status: 'COMPLETED',
    });
    const missingExe = await callJson<{ error: { code: string } }>(s, '/v2/lm/executions/exe-9999', { token });
    expect([missingExe.status, missingExe.body.error.code]).toEqual([404, '01010020']);
    const missingDep = await callJson<{ error: { code: string } }>(s, '/v2/lm/deployments/dep-9999', { token });
    expect([missingDep.status, missingDep.body.error.code]).toEqual([404, '01010016']);
  });
});
