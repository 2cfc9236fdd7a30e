/**
 * Every kind of answer the simulator gives, validated against the response the official spec
 * declares for that operation and status. Two real-server habits the spec does not allow (explicit
 * nulls on optional fields, `deploymentUrl: ""`) are copied on purpose; they are removed before
 * validating (see withoutServerQuirks) and a separate test shows the strict spec does flag exactly
 * them, so the tolerance stays visible and narrow.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  demoFleet,
  edgeCaseFleet,
  generateFleet,
  startSimulator,
  type RunningSimulator,
  type SimulatorOptions,
} from '../../infra/local/simulator/index.js';
import { RESOURCE_TYPES, type ResourceType } from '../../lib/lifecycle.js';
import { call, callJson, tokenFor } from './helpers.js';
import { officialSpec, withoutServerQuirks } from './spec.js';

const NOW = new Date('2026-11-20T10:00:00Z');
const MERGE = 'application/merge-patch+json';
/**
 * Items that break the spec on purpose, to test that unknown never acts: every timestamp null
 * (demo and edge-case fleets) and a status outside the enum (DELETING exists only on RTA deployments).
 */
const DELIBERATE = new Set(['e-churn-no-dates', 'edge-null-timestamps', 'edge-deleting']);

let sim: RunningSimulator | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

async function start(options: SimulatorOptions): Promise<{ s: RunningSimulator; token: string }> {
  sim = await startSimulator({ now: () => NOW.getTime(), ...options });
  return { s: sim, token: await tokenFor(sim) };
}

type Method = 'get' | 'patch' | 'delete';

/** `/lm/executions/{executionId}`: the spec's path template for one item. */
function itemPath(type: ResourceType): string {
  return `/lm/${type}/{${type.slice(0, -1)}Id}`;
}

/** Problems with a body per the response the spec declares for `METHOD path → status`. */
function problems(path: string, method: Method, status: number, body: unknown): string[] {
  const spec = officialSpec();
  const validate = spec.response(path, method, status);
  if (validate === undefined) return [`the spec declares no ${status} for ${method.toUpperCase()} ${path}`];
  return spec.errors(validate, withoutServerQuirks(body));
}

/**
 * Error bodies: the declared schema marks `error` optional, so also require `{error: AiApiError}`,
 * the wrapper every documented error uses (CONTRACT.md §5). Statuses the spec does not declare for
 * /lm (401, 405, 415, 429, 5xx) are held to that wrapper alone.
 */
function errorProblems(path: string, method: Method, status: number, body: unknown): string[] {
  const spec = officialSpec();
  const declared = spec.response(path, method, status) === undefined ? [] : problems(path, method, status, body);
  const error = typeof body === 'object' && body !== null && 'error' in body ? body.error : undefined;
  return [...declared, ...(error === undefined ? ['no error object'] : spec.errors(spec.schema('AiApiError'), error))];
}

function valueAt(root: unknown, pointer: string): unknown {
  let value = root;
  for (const part of pointer.split('/').slice(1)) {
    value = typeof value === 'object' && value !== null ? Object.entries(value).find(([key]) => key === part)?.[1] : undefined;
  }
  return value;
}

describe('simulator responses vs the official spec', () => {
  it('list pages of the demo and a generated fleet are AiExecutionList / AiDeploymentList, page by page', async () => {
    for (const fleet of [demoFleet(NOW), generateFleet({ seed: 7, items: 400, groups: 4, now: NOW })]) {
      const { s, token } = await start({ fleet });
      for (const { resourceGroupId: group } of fleet.resourceGroups) {
        for (const type of RESOURCE_TYPES) {
          for (const query of ['', '?$top=7&$skip=3', '?status=RUNNING']) {
            const { status, body } = await callJson<{ count: number; resources: Array<{ id: string }> }>(s, `/v2/lm/${type}${query}`, {
              token,
              group,
            });
            expect(status).toBe(200);
            const page = { ...body, resources: body.resources.filter((r) => !DELIBERATE.has(r.id)) };
            expect(problems(`/lm/${type}`, 'get', 200, page), `${group} ${type}${query}`).toEqual([]);
          }
        }
      }
      await s.stop();
    }
  });

  it('the strict spec flags only the copied real-server habits: explicit nulls and an empty deploymentUrl', async () => {
    const { s, token } = await start({ fleet: demoFleet(NOW) });
    const spec = officialSpec();
    for (const type of RESOURCE_TYPES) {
      const { body } = await callJson(s, `/v2/lm/${type}`, { token, group: 'team-a' });
      const validate = spec.response(`/lm/${type}`, 'get', 200);
      expect(validate?.(body)).toBe(false);
      for (const error of validate?.errors ?? []) {
        const value = valueAt(body, error.instancePath);
        const tolerated = value === null || (error.instancePath.endsWith('/deploymentUrl') && value === '');
        expect(tolerated, `${error.instancePath}: ${error.message ?? ''}`).toBe(true);
      }
    }
  });

  it('edge cases (and one demo item) break the spec only where they mean to: null timestamps, an undocumented status', async () => {
    const fleet = edgeCaseFleet(NOW);
    const { s, token } = await start({ fleet });
    const spec = officialSpec();
    const failing: string[] = [];
    for (const type of RESOURCE_TYPES) {
      const { body } = await callJson<{ resources: Array<{ id: string }> }>(s, `/v2/lm/${type}`, { token, group: 'edge-cases' });
      const item = spec.schema(type === 'executions' ? 'AiExecution' : 'AiDeployment');
      for (const resource of body.resources) if (spec.errors(item, withoutServerQuirks(resource)).length > 0) failing.push(resource.id);
    }
    expect(failing.sort()).toEqual(['edge-deleting', 'edge-null-timestamps']);
    const demo = demoFleet(NOW).executions['team-a']?.find((e) => e.id === 'e-churn-no-dates');
    expect(spec.errors(spec.schema('AiExecution'), withoutServerQuirks(demo))).toEqual([
      "(root): must have required property 'createdAt'",
      "(root): must have required property 'modifiedAt'",
    ]);
  });

  it("$select=status answers only id and status, which the spec's required fields do not foresee", async () => {
    const { s, token } = await start({ fleet: demoFleet(NOW) });
    const { body } = await callJson(s, '/v2/lm/executions?$select=status', { token, group: 'team-a' });
    const missingFields = problems('/lm/executions', 'get', 200, body).map((p) => p.replace(/^\/resources\/\d+: /, ''));
    expect(new Set(missingFields)).toEqual(
      new Set([
        "must have required property 'configurationId'",
        "must have required property 'createdAt'",
        "must have required property 'modifiedAt'",
      ]),
    );
  });

  it('single GET answers are AiExecutionResponseWithDetails / AiDeploymentResponseWithDetails', async () => {
    const fleet = demoFleet(NOW);
    const { s, token } = await start({ fleet });
    for (const type of RESOURCE_TYPES) {
      for (const [group, items] of Object.entries(fleet[type])) {
        for (const { id } of items.slice(0, 3)) {
          const { status, body } = await callJson(s, `/v2/lm/${type}/${id}`, { token, group });
          expect([status, problems(itemPath(type), 'get', 200, body)]).toEqual([200, []]);
        }
      }
    }
  });

  it("bulk 202 answers are the spec's bulk responses: each item exactly one of {id, message} or {id, error}", async () => {
    const { s, token } = await start({
      fleet: demoFleet(NOW),
      faults: { bulkItemFailures: { ids: ['e-churn-done-9d', 'd-churn-stopped-6d'] } },
    });
    const bodies = {
      executions: {
        executions: [
          { id: 'e-churn-stale-30h', targetStatus: 'STOPPED' },
          { id: 'e-churn-done-9d', targetStatus: 'DELETED' },
          { id: 'e-no-such-run', targetStatus: 'DELETED' },
          { id: 'e-images-stopping', targetStatus: 'STOPPED' },
        ],
      },
      deployments: {
        deployments: [
          { id: 'd-churn-running-5d', targetStatus: 'STOPPED' },
          { id: 'd-churn-stopped-6d', targetStatus: 'DELETED' },
          { id: 'd-no-such-dep', targetStatus: 'DELETED' },
          { id: 'd-churn-running-1d', targetStatus: 'DELETED' },
        ],
      },
    };
    for (const type of RESOURCE_TYPES) {
      const { status, body } = await callJson<Record<string, Array<Record<string, unknown>>>>(s, `/v2/lm/${type}`, {
        token,
        group: 'team-a',
        method: 'PATCH',
        contentType: MERGE,
        body: bodies[type],
      });
      expect([status, problems(`/lm/${type}`, 'patch', 202, body)]).toEqual([202, []]);
      expect(body[type]?.map((r) => ('error' in r ? 'error' : 'message'))).toEqual(['message', 'error', 'error', 'error']);
    }
  });

  it("single PATCH and DELETE 202 answers are the spec's modification and deletion responses", async () => {
    const { s, token } = await start({ fleet: demoFleet(NOW) });
    const cases: Array<[ResourceType, Method, string, unknown]> = [
      ['executions', 'patch', 'e-churn-fresh-2h', { targetStatus: 'STOPPED' }],
      ['executions', 'delete', 'e-churn-done-2d', undefined],
      ['deployments', 'patch', 'd-churn-running-1d', { targetStatus: 'STOPPED' }],
      ['deployments', 'delete', 'd-churn-stopped-6d', undefined],
    ];
    for (const [type, method, id, body] of cases) {
      const answer = await callJson(s, `/v2/lm/${type}/${id}`, {
        token,
        group: 'team-a',
        method: method.toUpperCase(),
        ...(body === undefined ? {} : { body }),
      });
      expect([answer.status, problems(itemPath(type), method, 202, answer.body)], `${method} ${id}`).toEqual([202, []]);
    }
  });

  it('declared errors (400, 404, 412) are AiBadRequest / AiNotFound / AiPreconditionFailed with an AiApiError', async () => {
    const { s, token } = await start({ fleet: demoFleet(NOW) });
    const cases: Array<[string, Method, number, string, Parameters<typeof callJson>[2]]> = [
      ['/lm/executions', 'get', 400, '/v2/lm/executions?status=FINISHED', {}],
      ['/lm/executions', 'patch', 400, '/v2/lm/executions', { method: 'PATCH', contentType: MERGE, body: { executions: [] } }],
      [
        '/lm/deployments',
        'patch',
        400,
        '/v2/lm/deployments',
        { method: 'PATCH', contentType: MERGE, body: { executions: [{ id: 'd-churn-running-5d', targetStatus: 'STOPPED' }] } },
      ],
      [itemPath('executions'), 'get', 404, '/v2/lm/executions/e-no-such-run', {}],
      [itemPath('executions'), 'patch', 400, '/v2/lm/executions/e-churn-fresh-2h', { method: 'PATCH', body: { targetStatus: 'DELETED' } }],
      [itemPath('executions'), 'patch', 404, '/v2/lm/executions/e-no-such-run', { method: 'PATCH', body: { targetStatus: 'STOPPED' } }],
      [itemPath('executions'), 'patch', 412, '/v2/lm/executions/e-churn-done-9d', { method: 'PATCH', body: { targetStatus: 'STOPPED' } }],
      [itemPath('deployments'), 'delete', 404, '/v2/lm/deployments/d-no-such-dep', { method: 'DELETE' }],
      [itemPath('deployments'), 'delete', 412, '/v2/lm/deployments/d-churn-running-5d', { method: 'DELETE' }],
    ];
    for (const [path, method, expected, url, options] of cases) {
      const { status, body } = await callJson(s, url, { token, group: 'team-a', ...options });
      expect([status, errorProblems(path, method, status, body)], `${method} ${url}`).toEqual([expected, []]);
    }
  });

  it('undeclared failures (401, 405, 415, 429, 503) use the same {error: AiApiError} wrapper', async () => {
    const { s, token } = await start({
      fleet: demoFleet(NOW),
      faults: { routes: { 'GET /v2/lm/deployments': { burst429: 1 }, 'GET /v2/lm/executions/{id}': { failFirst: 1 } } },
    });
    const cases: Array<[number, string, Method, Parameters<typeof callJson>[2]]> = [
      [401, '/lm/executions', 'get', { token: 'not-a-token' }],
      [405, '/lm/executions', 'delete', { method: 'DELETE' }],
      [415, '/lm/executions', 'patch', { method: 'PATCH', body: { executions: [{ id: 'e-churn-stale-30h', targetStatus: 'STOPPED' }] } }],
      [429, '/lm/deployments', 'get', {}],
      [503, itemPath('executions'), 'get', {}],
    ];
    for (const [expected, path, method, options] of cases) {
      const url = `/v2${path.replace(/\{\w+\}/, 'e-churn-stale-30h')}`;
      const { status, body } = await callJson(s, url, { token, group: 'team-a', method: method.toUpperCase(), ...options });
      expect([status, errorProblems(path, method, status, body)], `${expected} ${url}`).toEqual([expected, []]);
    }
  });

  it('meta is MetaCapabilities, with bulk updates on or off', async () => {
    for (const bulkUpdates of [
      { executions: true, deployments: true },
      { executions: false, deployments: false },
    ]) {
      const { s, token } = await start({ bulkUpdates });
      const { status, body } = await callJson(s, '/v2/lm/meta', { token, group: null });
      expect([status, problems('/lm/meta', 'get', 200, body)]).toEqual([200, []]);
      await s.stop();
    }
  });

  it('the resource group list is BckndResourceGroupList, with labels', async () => {
    for (const fleet of [demoFleet(NOW), generateFleet({ seed: 3, items: 10, groups: 7, now: NOW })]) {
      const { s, token } = await start({ fleet });
      const { status, body } = await callJson(s, '/v2/admin/resourceGroups', { token, group: null });
      expect([status, problems('/admin/resourceGroups', 'get', 200, body)]).toEqual([200, []]);
      await s.stop();
    }
  });

  it('$count is a text/plain integer', async () => {
    const { s, token } = await start({ fleet: demoFleet(NOW) });
    const spec = officialSpec();
    for (const type of RESOURCE_TYPES) {
      const response = await call(s, `/v2/lm/${type}/$count?status=RUNNING`, { token, group: 'team-a' });
      const text = await response.text();
      expect([response.status, response.headers.get('content-type'), text]).toEqual([
        200,
        'text/plain; charset=utf-8',
        expect.stringMatching(/^\d+$/),
      ]);
      const validate = spec.response(`/lm/${type}/$count`, 'get', 200, 'text/plain');
      expect(validate === undefined ? ['undeclared'] : spec.errors(validate, Number(text))).toEqual([]);
    }
  });
});
