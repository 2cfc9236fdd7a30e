/**
 * The AI API client against the simulator, asserted from the simulator's request log: what was
 * sent, how often and in which shape.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AiCoreClient } from '../../lib/aicore/client.js';
import { IllegalTransitionError } from '../../lib/aicore/errors.js';
import { createHttpFetch, type HttpFetch } from '../../lib/aicore/http-fetch.js';
import { TokenCache } from '../../lib/aicore/token.js';
import { Transport } from '../../lib/aicore/transport.js';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../infra/local/simulator/index.js';
import { deployment, execution, fleetOf, many } from '../helpers/fleet.js';

let simulator: RunningSimulator | undefined;

afterEach(async () => {
  await simulator?.stop();
  simulator = undefined;
});

async function setup(options: SimulatorOptions, pageSize = 100) {
  simulator = await startSimulator(options);
  const client = new AiCoreClient(simulator.serviceKey, { config: { pageSize } });
  return { sim: simulator, client };
}

function bodiesOf(sim: RunningSimulator, route: string): unknown[] {
  return sim.requests.entries.filter((e) => e.route === route).map((e) => e.body);
}

describe('AiCoreClient (contract, against the simulator)', () => {
  it('lists every page with the optimum number of requests', async () => {
    const { sim, client } = await setup({
      fleet: fleetOf({
        big: {
          executions: many(250, 'exe', (id) => execution(id, 'COMPLETED')),
          deployments: many(200, 'dep', (id) => deployment(id, 'RUNNING')),
        },
      }),
    });
    const fleet = await client.listGroup({ id: 'big', labels: {} });
    expect(fleet.listingError).toBeNull();
    expect(fleet.resources.filter((r) => r.type === 'executions')).toHaveLength(250);
    expect(fleet.resources.filter((r) => r.type === 'deployments')).toHaveLength(200);
    // 250 → 100 + 100 + 50 (a short page ends it); 200 → 100 + 100, plus at most one terminating request.
    expect(sim.requests.count('GET /v2/lm/executions')).toBe(3);
    expect(sim.requests.count('GET /v2/lm/deployments')).toBeLessThanOrEqual(3);
    expect(sim.requests.entries.every((e) => e.route === 'POST /oauth/token' || e.group === 'big')).toBe(true);
  });

  it('reads resource groups with their labels', async () => {
    const { client } = await setup({ fleet: fleetOf({ 'team-b': { labels: { 'ext.ai.sap.com/team': 'b' } }, 'team-a': {} }) });
    expect(await client.resourceGroups()).toEqual([
      { id: 'team-a', labels: {} },
      { id: 'team-b', labels: { 'ext.ai.sap.com/team': 'b' } },
    ]);
  });

  it('submits 250 deletions as three bulk PATCHes of 100, 100 and 50, each id once', async () => {
    const items = many(250, 'exe', (id) => execution(id, 'COMPLETED'));
    const { sim, client } = await setup({ fleet: fleetOf({ g1: { executions: items } }) });
    const requests = items.map((i) => ({ id: i.id, status: 'COMPLETED', action: 'delete' as const }));
    const results = await client.update('g1', 'executions', [...requests, ...requests.slice(0, 10)], true);

    expect(results).toHaveLength(250);
    expect(results.every((r) => r.outcome === 'accepted')).toBe(true);
    const bodies = bodiesOf(sim, 'PATCH /v2/lm/executions') as Array<{ executions: Array<{ id: string; targetStatus: string }> }>;
    expect(bodies.map((b) => b.executions.length)).toEqual([100, 100, 50]);
    const ids = bodies.flatMap((b) => b.executions.map((e) => e.id));
    expect(new Set(ids).size).toBe(250);
    expect(bodies.every((b) => b.executions.every((e) => e.targetStatus === 'DELETED'))).toBe(true);
  });

  it('uses the `deployments` wrapper key and mixes STOP and DELETE in one request', async () => {
    const { sim, client } = await setup({
      fleet: fleetOf({ g1: { deployments: [deployment('dep-run1', 'RUNNING'), deployment('dep-dead1', 'DEAD')] } }),
    });
    const results = await client.update(
      'g1',
      'deployments',
      [
        { id: 'dep-run1', status: 'RUNNING', action: 'stop' },
        { id: 'dep-dead1', status: 'DEAD', action: 'delete' },
      ],
      true,
    );
    expect(results.map((r) => r.outcome)).toEqual(['accepted', 'accepted']);
    expect(bodiesOf(sim, 'PATCH /v2/lm/deployments')).toEqual([
      {
        deployments: [
          { id: 'dep-run1', targetStatus: 'STOPPED' },
          { id: 'dep-dead1', targetStatus: 'DELETED' },
        ],
      },
    ]);
    const patch = sim.requests.entries.find((e) => e.route === 'PATCH /v2/lm/deployments');
    expect(patch?.status).toBe(202);
  });

  it('reports per-item failures inside a 202', async () => {
    const { client } = await setup({ fleet: fleetOf({ g1: { executions: [execution('exe-done1', 'COMPLETED')] } }) });
    const results = await client.update(
      'g1',
      'executions',
      [
        { id: 'exe-done1', status: 'COMPLETED', action: 'delete' },
        { id: 'exe-ghost', status: 'COMPLETED', action: 'delete' },
      ],
      true,
    );
    expect(results.find((r) => r.id === 'exe-done1')?.outcome).toBe('accepted');
    expect(results.find((r) => r.id === 'exe-ghost')).toMatchObject({ outcome: 'rejected', notFound: true, code: '01010020' });
  });

  it('uses single PATCH and DELETE calls when the tenant has no bulk updates', async () => {
    const { sim, client } = await setup({
      bulkUpdates: { executions: false, deployments: false },
      fleet: fleetOf({ g1: { executions: [execution('exe-run1', 'RUNNING'), execution('exe-done1', 'COMPLETED')] } }),
    });
    const caps = await client.capabilities();
    expect(caps.bulkUpdates).toEqual({ executions: false, deployments: false });
    const results = await client.update(
      'g1',
      'executions',
      [
        { id: 'exe-run1', status: 'RUNNING', action: 'stop' },
        { id: 'exe-done1', status: 'COMPLETED', action: 'delete' },
      ],
      caps.bulkUpdates.executions,
    );
    expect(results.every((r) => r.outcome === 'accepted')).toBe(true);
    expect(sim.requests.count('PATCH /v2/lm/executions')).toBe(0);
    expect(sim.requests.count('PATCH /v2/lm/executions/{id}')).toBe(1);
    expect(sim.requests.count('DELETE /v2/lm/executions/{id}')).toBe(1);
    expect(bodiesOf(sim, 'PATCH /v2/lm/executions/{id}')).toEqual([{ targetStatus: 'STOPPED' }]);
  });

  it('refuses an illegal transition without sending anything', async () => {
    const { sim, client } = await setup({
      fleet: fleetOf({ g1: { executions: [execution('exe-run1', 'RUNNING'), execution('exe-done1', 'COMPLETED')] } }),
    });
    const attempt = client.update(
      'g1',
      'executions',
      [
        { id: 'exe-done1', status: 'COMPLETED', action: 'delete' },
        { id: 'exe-run1', status: 'RUNNING', action: 'delete' },
      ],
      true,
    );
    await expect(attempt).rejects.toBeInstanceOf(IllegalTransitionError);
    await expect(client.update('g1', 'deployments', [{ id: 'dep-x1', status: 'STOPPING', action: 'stop' }], true)).rejects.toThrow(
      /not a legal transition/,
    );
    expect(sim.requests.entries.filter((e) => e.method !== 'GET' && e.route !== 'POST /oauth/token')).toEqual([]);
  });

  it('refreshes an expired token once and retries the request', async () => {
    const { sim, client } = await setup({ fleet: fleetOf({ g1: { executions: [execution('exe-run1', 'RUNNING')] } }) });
    await client.listGroup({ id: 'g1', labels: {} });
    expect(sim.requests.count('POST /oauth/token')).toBe(1);
    sim.expireTokens();
    const fleet = await client.listGroup({ id: 'g1', labels: {} });
    expect(fleet.listingError).toBeNull();
    // Executions and deployments are listed at once: each may see the 401, but they share one refresh.
    expect(sim.requests.count('POST /oauth/token')).toBe(2);
    const refused = sim.requests.entries.filter((e) => e.status === 401).map((e) => e.route);
    expect(new Set(refused).size).toBe(refused.length);
    expect(refused.length).toBeGreaterThanOrEqual(1);
  });

  it('clients sharing a container TokenCache fetch one token between them, and a 401 refreshes it for all', async () => {
    const { sim } = await setup({ fleet: fleetOf({ g1: { executions: [execution('exe-run1', 'RUNNING')] } }) });
    const tokens = new TokenCache();
    const group = { id: 'g1', labels: {} };
    // Each Step Functions task builds its own client: three tasks in one warm container.
    for (let task = 0; task < 3; task += 1) await new AiCoreClient(sim.serviceKey, { tokens }).listGroup(group);
    expect(sim.requests.count('POST /oauth/token')).toBe(1);
    sim.expireTokens();
    expect((await new AiCoreClient(sim.serviceKey, { tokens }).listGroup(group)).listingError).toBeNull();
    expect((await new AiCoreClient(sim.serviceKey, { tokens }).listGroup(group)).listingError).toBeNull();
    expect(sim.requests.count('POST /oauth/token')).toBe(2);
    // Without the shared cache every client fetches its own.
    await new AiCoreClient(sim.serviceKey).listGroup(group);
    expect(sim.requests.count('POST /oauth/token')).toBe(3);
  });

  it('records a failed listing for the group instead of throwing', async () => {
    const { client } = await setup({ fleet: fleetOf({ g1: {} }) });
    const fleet = await client.listGroup({ id: 'no-such-group', labels: {} });
    expect(fleet.resources).toEqual([]);
    expect(fleet.listingError).toMatch(/list executions in resource group no-such-group failed with HTTP 4\d\d/);
  });
  it('follows the Link header through resource-group pages and keeps only PROVISIONED groups', async () => {
    const fleet = fleetOf(Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`grp-${String(i).padStart(3, '0')}`, {}])));
    fleet.resourceGroups.push({ resourceGroupId: 'being-made', status: 'PROVISIONING' });
    const { sim, client } = await setup({ fleet });
    const groups = await client.resourceGroups();
    expect(groups).toHaveLength(150);
    expect(groups.map((g) => g.id)).not.toContain('being-made');
    expect(sim.requests.count('GET /v2/admin/resourceGroups')).toBe(2);
  });

  it('reports an item that does not parse as unparseable, next to the items that do', async () => {
    simulator = await startSimulator({ fleet: fleetOf({ g1: { executions: [execution('exe-good1', 'COMPLETED')] } }) });
    // The simulator only serves valid items, so two broken ones are spliced into its real answer.
    const real = createHttpFetch();
    const splicing: HttpFetch = async (url, init) => {
      const response = await real(url, init);
      if (!url.includes('/v2/lm/executions?')) return response;
      const page = JSON.parse(await response.text()) as { count: number; resources: unknown[] };
      page.resources.push({ id: 42, status: 'RUNNING' }, { status: 'RUNNING', createdAt: '2026-01-01T00:00:00Z' });
      return { status: response.status, headers: response.headers, text: () => Promise.resolve(JSON.stringify(page)) };
    };
    const client = new AiCoreClient(simulator.serviceKey, { transport: new Transport({ fetch: splicing }) });
    const listed = await client.listGroup({ id: 'g1', labels: {} });
    expect(listed.listingError).toBeNull();
    expect(listed.resources.map((r) => r.item.id)).toEqual(['exe-good1']);
    expect(listed.unparseable).toEqual([
      { type: 'executions', group: 'g1', id: null, reason: expect.stringContaining('id') },
      { type: 'executions', group: 'g1', id: null, reason: expect.stringContaining('id') },
    ]);
  });
});
