/**
 * The deployed definition, executed locally: three tenants on three simulators — one with bulk
 * updates off, one with a group whose listing fails, one whose tenant-wide cap (over all its groups,
 * each under the cap alone) aborts it — through the real step handlers and one DynamoDB table.
 * Each tenant's outcome, caps and digest are its own, and nothing crosses tenants.
 */
import './polyfill.js';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EstateSummary } from '../../lib/run/tenant/summary.js';
import { execution, fleetOf, many } from '../helpers/fleet.js';
import { silenceLogs } from '../helpers/silence-logs.js';
import { runLocally } from './local-machine.js';
import { startEstate, type Estate } from './estate.js';

silenceLogs();

let estate: Estate;
let summary: EstateSummary;
const runId = `sched-${randomUUID()}`;

beforeAll(async () => {
  estate = await startEstate([
    // 8 + 7 planned: each group is under the cap, the tenant (limit 12) is not.
    {
      name: 'acme',
      limits: { maxActionsPerRun: 12 },
      fleet: fleetOf({
        g1: { executions: many(8, 'done', (id) => execution(id, 'COMPLETED')) },
        g2: { executions: many(7, 'runs', (id) => execution(id, 'RUNNING')) },
      }),
    },
    {
      name: 'beta',
      simulator: { bulkUpdates: { executions: false, deployments: false } },
      fleet: fleetOf({ shared: { executions: many(4, 'done', (id) => execution(id, 'COMPLETED')) } }),
    },
    {
      name: 'gamma',
      brokenGroup: 'broken',
      fleet: fleetOf({
        shared: { executions: many(3, 'done', (id) => execution(id, 'COMPLETED')) },
        broken: { executions: many(2, 'done', (id) => execution(id, 'COMPLETED')) },
      }),
    },
  ]);
  const input = {
    runId,
    trigger: 'schedule',
    consent: true,
    startedAt: new Date().toISOString(),
    requirePlanHash: null,
    tenants: estate.tenants.tenants.map((t) => ({ name: t.name, secretId: t.secretId })),
  };
  summary = EstateSummary.parse(await runLocally(estate.deps, input));
}, 60_000);

afterAll(async () => {
  await estate?.stop();
});

const line = (tenant: string): string => summary.lines.find((l) => l.startsWith(`${tenant}:`)) ?? '';

describe('the state machine over three tenants', () => {
  it('summarises every tenant; the estate is not a success while one could not see everything', () => {
    expect(summary.tenants).toBe(3);
    expect(summary.byStatus).toEqual({ ok: 2, incomplete: 1, failed: 0, error: 0 });
    expect(summary.status).toBe('incomplete');
  });

  it('acme: the tenant-wide cap over both groups aborts it before anything is sent', async () => {
    expect(line('acme')).toMatch(/dry run \(aborted before acting: 15 actions planned in the run, more than maxActionsPerRun 12\)/);
    expect(estate.simulators.get('acme')?.requests.count('PATCH /v2/lm/executions')).toBe(0);
    expect(await estate.storeOf('acme').ledger()).toEqual([]);
  });

  it('beta: without bulk updates, one DELETE per item, every one confirmed', async () => {
    const sim = estate.simulators.get('beta');
    expect(sim?.requests.count('PATCH /v2/lm/executions')).toBe(0);
    expect(sim?.requests.count('DELETE /v2/lm/executions/{id}')).toBe(4);
    expect(line('beta')).toMatch(/applied; 4 planned, 4 sent, 4 confirmed/);
    const ids = (await estate.storeOf('beta').ledger()).flatMap((c) => c.items.map((i) => i.id));
    expect(ids.sort()).toEqual(many(4, 'done', (id) => id));
  });

  it('gamma: the group it could list is applied, the one it could not is reported, and the tenant is incomplete', async () => {
    expect(line('gamma')).toMatch(/applied; 3 planned, 3 sent, 3 confirmed.*1 group\(s\) not listed/);
    const ledger = await estate.storeOf('gamma').ledger();
    expect(ledger.map((c) => c.group)).toEqual(['shared']);
    expect(estate.simulators.get('gamma')?.requests.count('PATCH /v2/lm/executions')).toBe(1);
  });

  it('nothing crosses tenants: two tenants with a group of the same name keep separate ledgers and run records', async () => {
    const beta = await estate.storeOf('beta').ledger('shared');
    const gamma = await estate.storeOf('gamma').ledger('shared');
    expect(beta.flatMap((c) => c.items).length).toBe(4);
    expect(gamma.flatMap((c) => c.items).length).toBe(3);
    for (const tenant of ['acme', 'beta', 'gamma']) {
      const runs = await estate.storeOf(tenant).recentRuns(5);
      expect(runs.map((r) => r.summary)).toEqual([line(tenant)]);
    }
  });
});
