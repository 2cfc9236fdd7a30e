/**
 * SAP's official JS client (@sap-ai-sdk/ai-api) against the simulator, configured the way users
 * configure it: `AICORE_SERVICE_KEY` holding the simulator's service key. If SAP's own client can
 * list, count, read meta, bulk-modify, stop and delete here and gets the answers CONTRACT.md
 * describes, the simulator speaks the real wire format, not just our client's idea of it.
 *
 * SDK habits this file accounts for: the SDK reads AICORE_SERVICE_KEY once and caches the binding
 * in a module variable, and the Cloud SDK caches the client-credentials token per client id until it
 * expires; so the file starts ONE simulator and imports the SDK after setting the variable (vitest
 * evaluates modules per file, so other files start clean). The SDK sends no CSRF probe here
 * (`fetchCsrfToken: false`), appends `/v2` to an AI_API_URL without a path, adds
 * `ai-client-type: AI SDK JavaScript`, and throws `ErrorWithCause` with the HTTP response at `cause.response`.
 * Its generated types declare the bulk lists (`uniqueItems: true`) as `Set<…>`, but it sends
 * `JSON.stringify(body)`, which turns a Set into `{}`: callers must pass an array (see `sdkList`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { startSimulator, type RunningSimulator } from '../../infra/local/simulator/index.js';
import { makeDeployment, makeExecution } from '../../infra/local/simulator/items.js';
import { ErrorBody } from '../../lib/aicore/wire.js';

type Sdk = typeof import('@sap-ai-sdk/ai-api');

const NOW = Date.UTC(2026, 10, 20, 10, 0, 0);
const DAY = 86_400_000;
const base = { scenarioId: 'dev-churn-model', executableId: 'churn-training', configurationId: 'cfg-churn-v3', configurationName: 'churn' };

/** One group per test, so the tests share a simulator (as the SDK needs) without sharing items. */
function fleet() {
  const exe = (id: string, status: string, ageDays: number) => makeExecution({ ...base, id, status, createdAtMs: NOW - ageDays * DAY });
  const dep = (id: string, status: string, ageDays: number) =>
    makeDeployment({ ...base, executableId: 'churn-serving', id, status, createdAtMs: NOW - ageDays * DAY });
  return {
    resourceGroups: ['query', 'bulk', 'single', 'expiry'].map((resourceGroupId) => ({ resourceGroupId })),
    executions: {
      query: Array.from({ length: 12 }, (_, i) =>
        exe(`exe-query-${String(i).padStart(2, '0')}`, i % 3 === 0 ? 'RUNNING' : 'COMPLETED', 12 - i),
      ),
      bulk: [exe('exe-bulk-run', 'RUNNING', 3), exe('exe-bulk-done', 'COMPLETED', 9), exe('exe-bulk-pend', 'PENDING', 1)],
      single: [exe('exe-single-run', 'RUNNING', 2), exe('exe-single-done', 'COMPLETED', 8)],
      expiry: [exe('exe-expiry-run', 'RUNNING', 2)],
    },
    deployments: {
      query: [dep('dep-query-a', 'RUNNING', 5), dep('dep-query-b', 'STOPPED', 6), dep('dep-query-c', 'RUNNING', 1)],
      bulk: [dep('dep-bulk-run', 'RUNNING', 4), dep('dep-bulk-stopped', 'STOPPED', 6), dep('dep-bulk-unknown', 'UNKNOWN', 2)],
      single: [dep('dep-single-run', 'RUNNING', 4), dep('dep-single-stopped', 'STOPPED', 6)],
    },
  };
}

/** What the SDK's ErrorWithCause carries: the axios response of the failed call. */
const SdkHttpError = z.looseObject({ cause: z.looseObject({ response: z.looseObject({ status: z.number(), data: ErrorBody }) }) });

async function failure(promise: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await promise;
  } catch (error) {
    const parsed = SdkHttpError.parse(error);
    return { status: parsed.cause.response.status, code: parsed.cause.response.data.error.code };
  }
  throw new Error('expected the SDK call to fail');
}

/**
 * The SDK types a bulk list as a Set, yet only an array survives JSON.stringify: hand it an array
 * under the type it asks for (the one cast in this file, and the reason for it).
 */
function sdkList<T>(items: T[]): Set<T> {
  return items as unknown as Set<T>;
}

let sim: RunningSimulator;
let sdk: Sdk;
const saved = { key: process.env.AICORE_SERVICE_KEY, vcap: process.env.VCAP_SERVICES };

beforeAll(async () => {
  sim = await startSimulator({ fleet: fleet(), now: () => NOW });
  process.env.AICORE_SERVICE_KEY = JSON.stringify(sim.serviceKey);
  // Keep the SDK on the service-key path: no Cloud Foundry binding, no destination service.
  delete process.env.VCAP_SERVICES;
  sdk = await import('@sap-ai-sdk/ai-api');
});

afterAll(async () => {
  for (const [name, value] of [
    ['AICORE_SERVICE_KEY', saved.key],
    ['VCAP_SERVICES', saved.vcap],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await sim.stop();
});

describe('@sap-ai-sdk/ai-api against the simulator', () => {
  it('meta: metaGet reports bulk updates for both resource types', async () => {
    const meta = await sdk.MetaApi.metaGet().execute();
    expect(meta.aiApi.capabilities?.bulkUpdates).toEqual({ executions: true, deployments: true });
    expect(sim.requests.entries.some((e) => e.route === 'GET /v2/lm/meta' && e.status === 200)).toBe(true);
  });

  it('query: executionQuery pages with $top/$skip, count is the total, status and executableIds filter', async () => {
    const h = { 'AI-Resource-Group': 'query' };
    const page1 = await sdk.ExecutionApi.executionQuery({ $top: 5 }, h).execute();
    const page3 = await sdk.ExecutionApi.executionQuery({ $top: 5, $skip: 10 }, h).execute();
    expect([page1.count, page1.resources.length, page3.resources.length]).toEqual([12, 5, 2]);
    expect(page1.resources[0]).toMatchObject({
      id: 'exe-query-00',
      status: 'RUNNING',
      createdAt: '2026-11-08T10:00:00Z',
      completionTime: null,
    });
    const running = await sdk.ExecutionApi.executionQuery({ status: 'RUNNING' }, h).execute();
    expect(running.resources.map((r) => r.id)).toEqual(['exe-query-00', 'exe-query-03', 'exe-query-06', 'exe-query-09']);
    // executableIds is `style: form, explode: false`: one comma-separated value.
    const byExecutable = await sdk.ExecutionApi.executionQuery({ executableIds: ['churn-training', 'other-exec'] }, h).execute();
    expect(byExecutable.count).toBe(12);
    expect(sim.requests.entries.at(-1)?.url).toBe('/v2/lm/executions?executableIds=churn-training,other-exec');
  });

  it('query: deploymentQuery with status and paging, deploymentCount and executionCount as numbers', async () => {
    const h = { 'AI-Resource-Group': 'query' };
    const running = await sdk.DeploymentApi.deploymentQuery({ status: 'RUNNING', $top: 1, $skip: 1 }, h).execute();
    expect([running.count, running.resources.map((r) => r.id)]).toEqual([2, ['dep-query-c']]);
    expect(await sdk.DeploymentApi.deploymentCount({ status: 'RUNNING' }, h).execute()).toBe(2);
    expect(await sdk.ExecutionApi.executionCount({ status: 'COMPLETED' }, h).execute()).toBe(8);
  });

  it('bulk: executionBatchModify answers 202 with a result per item, errors for unknown and ineligible ids', async () => {
    const h = { 'AI-Resource-Group': 'bulk' };
    const items = [
      { id: 'exe-bulk-run', targetStatus: 'STOPPED' as const },
      { id: 'exe-bulk-done', targetStatus: 'DELETED' as const },
      { id: 'exe-bulk-ghost', targetStatus: 'DELETED' as const },
      { id: 'exe-bulk-pend', targetStatus: 'DELETED' as const },
    ];
    const raw = await sdk.ExecutionApi.executionBatchModify({ executions: sdkList(items) }, h).executeRaw();
    expect(raw.status).toBe(202);
    const results = z
      .object({
        executions: z.array(
          z.looseObject({ id: z.string(), message: z.string().optional(), error: z.looseObject({ code: z.string() }).optional() }),
        ),
      })
      .parse(raw.data);
    expect(results.executions.map((r) => [r.id, r.message ?? r.error?.code])).toEqual([
      ['exe-bulk-run', 'Execution modification scheduled'],
      ['exe-bulk-done', 'Execution modification scheduled'],
      ['exe-bulk-ghost', '01010020'],
      ['exe-bulk-pend', '01010076'],
    ]);
    // The simulator answers 415 to anything but merge-patch, so the 202 also proves the SDK's content type.
    expect(sim.requests.entries.filter((e) => e.route === 'PATCH /v2/lm/executions')).toMatchObject([
      { group: 'bulk', status: 202, body: { executions: items } },
    ]);
    const after = await sdk.ExecutionApi.executionGet('exe-bulk-run', {}, h).execute();
    expect([after.status, after.targetStatus]).toEqual(['STOPPED', 'STOPPED']);
  });

  it('bulk: deploymentBatchModify sends the deployments key and gets deployment codes back', async () => {
    const h = { 'AI-Resource-Group': 'bulk' };
    const items = [
      { id: 'dep-bulk-run', targetStatus: 'STOPPED' as const },
      { id: 'dep-bulk-stopped', targetStatus: 'DELETED' as const },
      { id: 'dep-bulk-unknown', targetStatus: 'DELETED' as const },
      { id: 'dep-bulk-ghost', targetStatus: 'STOPPED' as const },
    ];
    const answer = await sdk.DeploymentApi.deploymentBatchModify({ deployments: sdkList(items) }, h).execute();
    expect(answer.deployments?.map((r) => ('error' in r ? r.error.code : r.message))).toEqual([
      'Deployment modification scheduled',
      'Deployment modification scheduled',
      'Deployment modification scheduled',
      '01010016',
    ]);
    expect(sim.requests.entries.filter((e) => e.route === 'PATCH /v2/lm/deployments').map((e) => e.body)).toEqual([{ deployments: items }]);
  });

  it("bulk: a Set, as the SDK's types ask for, is sent as {} and rejected with 400 before anything changes", async () => {
    const h = { 'AI-Resource-Group': 'bulk' };
    const asTyped = new Set([{ id: 'exe-bulk-pend', targetStatus: 'STOPPED' as const }]);
    expect(await failure(sdk.ExecutionApi.executionBatchModify({ executions: asTyped }, h).execute())).toEqual({
      status: 400,
      code: '01000400',
    });
    expect(sim.requests.entries.at(-1)?.body).toEqual({ executions: {} });
    expect((await sdk.ExecutionApi.executionGet('exe-bulk-pend', {}, h).execute()).status).toBe('PENDING');
  });

  it('single: executionModify and deploymentModify stop with 202 {id, message}; ineligible answers 412', async () => {
    const h = { 'AI-Resource-Group': 'single' };
    const stopped = await sdk.ExecutionApi.executionModify('exe-single-run', { targetStatus: 'STOPPED' }, h).executeRaw();
    expect([stopped.status, stopped.data]).toEqual([202, { id: 'exe-single-run', message: 'Execution modification scheduled' }]);
    const dep = await sdk.DeploymentApi.deploymentModify('dep-single-run', { targetStatus: 'STOPPED' }, h).execute();
    expect(dep).toEqual({ id: 'dep-single-run', message: 'Deployment modification scheduled' });
    expect((await sdk.DeploymentApi.deploymentGet('dep-single-run', {}, h).execute()).status).toBe('STOPPED');
    expect(await failure(sdk.ExecutionApi.executionModify('exe-single-done', { targetStatus: 'STOPPED' }, h).execute())).toEqual({
      status: 412,
      code: '01010076',
    });
  });

  it('single: executionDelete and deploymentDelete answer 202 {id, message, targetStatus: DELETED}; unknown ids 404', async () => {
    const h = { 'AI-Resource-Group': 'single' };
    expect(await sdk.ExecutionApi.executionDelete('exe-single-done', h).execute()).toEqual({
      id: 'exe-single-done',
      message: 'Deletion scheduled',
      targetStatus: 'DELETED',
    });
    expect(await sdk.DeploymentApi.deploymentDelete('dep-single-stopped', h).execute()).toEqual({
      id: 'dep-single-stopped',
      message: 'Deletion scheduled',
      targetStatus: 'DELETED',
    });
    expect(await failure(sdk.ExecutionApi.executionDelete('exe-single-ghost', h).execute())).toEqual({ status: 404, code: '01010020' });
    expect(await failure(sdk.DeploymentApi.deploymentDelete('dep-single-ghost', h).execute())).toEqual({ status: 404, code: '01010016' });
  });

  it('auth: every call so far used one cached token, and every /lm call carried a resource group', () => {
    expect(sim.requests.count('POST /oauth/token')).toBe(1);
    const lm = sim.requests.entries.filter((e) => e.route.includes('/v2/lm/') && !e.route.endsWith('/meta'));
    expect(lm.length).toBeGreaterThan(10);
    expect(lm.every((e) => e.group !== null && e.group !== 'default')).toBe(true);
  });

  // Runs last on purpose: it leaves the SDK holding a revoked token.
  it('auth: the SDK keeps its cached token after a 401 and does not retry, so a revoked token fails every call', async () => {
    sim.expireTokens();
    const h = { 'AI-Resource-Group': 'expiry' };
    const first = await failure(sdk.ExecutionApi.executionQuery({}, h).execute());
    const second = await failure(sdk.ExecutionApi.executionQuery({}, h).execute());
    expect([first.status, second.status]).toEqual([401, 401]);
    expect(sim.requests.count('POST /oauth/token')).toBe(1);
  });
});
