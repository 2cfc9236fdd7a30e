/**
 * Warm nodes (issue 17): `GET /v2/admin/resources/nodes` read as standing cost. The janitor reports
 * them and never acts on them; a 403 (a key without the admin scope) or a failed read is `unknown`,
 * never fatal to a run.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AiCoreClient } from '../../lib/aicore/client.js';
import { runDigest } from '../../lib/chatops/digest.js';
import { warmNodesSummary } from '../../lib/policy/savings.js';
import { startSimulator, type RunningSimulator, type SimulatorOptions } from '../../infra/local/simulator/index.js';
import { demoFleet } from '../../infra/local/simulator/demo.js';
import { planOf, runOf } from '../chatops/digest-fixtures.js';

let simulator: RunningSimulator | undefined;

afterEach(async () => {
  await simulator?.stop();
  simulator = undefined;
});

async function client(options: SimulatorOptions): Promise<{ sim: RunningSimulator; client: AiCoreClient }> {
  simulator = await startSimulator(options);
  return { sim: simulator, client: new AiCoreClient(simulator.serviceKey) };
}

describe('Warm nodes', () => {
  it('reads the demo tenant’s warm nodes per resource plan, with a GET only', async () => {
    const { sim, client: c } = await client({ fleet: demoFleet(new Date()) });
    expect(await c.warmNodes()).toEqual({
      kind: 'known',
      plans: [
        { resourcePlan: 'infer.l', provisioned: 2, requested: 2 },
        { resourcePlan: 'infer.s', provisioned: 0, requested: 1 },
      ],
    });
    expect(sim.requests.count('GET /v2/admin/resources/nodes')).toBe(1);
    expect(sim.requests.entries.filter((e) => e.method !== 'GET' && e.method !== 'POST')).toEqual([]);
  });

  it('a tenant without warm nodes has none to report', async () => {
    const { client: c } = await client({});
    const warm = await c.warmNodes();
    expect(warm).toEqual({ kind: 'known', plans: [] });
    expect(warmNodesSummary(warm)).toBeNull();
  });

  it('a 403 is unknown, with the reason', async () => {
    const { client: c } = await client({ warmNodesForbidden: true });
    const warm = await c.warmNodes();
    expect(warm).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('403') });
    expect(warmNodesSummary(warm)).toContain('warm nodes unknown');
  });

  it('a failing read is unknown, never thrown', async () => {
    const { client: c } = await client({ faults: { routes: { 'GET /v2/admin/resources/nodes': { errorRate: 1 } } } });
    expect(await c.warmNodes()).toMatchObject({ kind: 'unknown' });
  });

  it('the digest shows them as standing cost, never as an action', () => {
    const run = {
      ...runOf(planOf([])),
      warmNodes: { kind: 'known' as const, plans: [{ resourcePlan: 'infer.l', provisioned: 2, requested: 2 }] },
    };
    const text = JSON.stringify(runDigest(run, { command: 'plan', requester: 'U1', approvalRequired: false }));
    expect(text).toContain('Standing cost:');
    expect(text).toContain('2 infer.l (48 node h/day)');
    expect(text).not.toContain('janitor_apply');
  });
});
