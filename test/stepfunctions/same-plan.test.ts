/**
 * Same plan both ways: one fleet and one policy give the same plan hash and the same actions (and
 * the same capped items) in-process (runJanitor, engine=lambda) and through the state machine
 * (engine=step-functions), where every group is planned on its own and the tenant's verdict applies
 * the run cap across them, oldest first.
 */
import './polyfill.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AiCoreClient } from '../../lib/aicore/client.js';
import { parseServiceKey } from '../../lib/aicore/credentials.js';
import { Transport } from '../../lib/aicore/transport.js';
import type { Execution } from '../../lib/resources.js';
import type { Plan } from '../../lib/policy/plan.js';
import { runJanitor } from '../../lib/run/run.js';
import { requireStaged, STAGED } from '../../lib/run/tenant/staged.js';
import { StagedReport } from '../../lib/run/tenant/staged-report.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { deployment, execution, fleetOf } from '../helpers/fleet.js';
import { silenceLogs } from '../helpers/silence-logs.js';
import { policy, startEstate, type Estate } from './estate.js';
import { runLocally } from './local-machine.js';

silenceLogs();

const POLICY = `
version: 1
mode: apply
minimumAge: 1h
caps: { maxActionsPerRun: 9, maxActionsPerGroup: 100, maxActionsPerDay: 5000, maxPercentOfGroup: 100, onCapExceeded: oldest-first }
protect: { scenarios: [prod-*] }
rules:
  - id: finished
    resource: executions
    match: { all: [{ status: [COMPLETED, DEAD] }, { olderThan: { field: completionTime, age: 2d } }] }
    action: delete
  - id: stale
    resource: executions
    match: { all: [{ status: [RUNNING] }, { olderThan: { field: startTime, age: 1d } }] }
    action: stop
  - id: idle-deployments
    resource: deployments
    match: { status: [STOPPED] }
    action: delete
`;

const NOW = new Date();
const daysAgo = (days: number): string => new Date(NOW.getTime() - days * 86_400_000).toISOString();

/** An execution finished (or started) `days` ago: the cap keeps the oldest across groups. */
function aged(id: string, status: string, days: number, extra: Partial<Execution> = {}): Execution {
  const t = daysAgo(days);
  return execution(id, status, { createdAt: t, submissionTime: t, startTime: t, modifiedAt: t, completionTime: t, ...extra });
}

const FLEET = fleetOf({
  alpha: {
    executions: [
      aged('a-done-9', 'COMPLETED', 9),
      aged('a-done-3', 'COMPLETED', 3),
      aged('a-done-1', 'COMPLETED', 1), // too recent for `finished`
      aged('a-run-5', 'RUNNING', 5),
      aged('a-prod', 'COMPLETED', 20, { scenarioId: 'prod-chat' }), // protected
      aged('a-dead-4', 'DEAD', 4),
    ],
    deployments: [deployment('a-dep-stopped', 'STOPPED'), deployment('a-dep-running', 'RUNNING')],
  },
  beta: {
    executions: [
      aged('b-done-8', 'COMPLETED', 8),
      aged('b-done-6', 'COMPLETED', 6),
      aged('b-run-2', 'RUNNING', 2),
      aged('b-run-7', 'RUNNING', 7),
    ],
  },
  gamma: {
    executions: [aged('c-done-12', 'COMPLETED', 12), aged('c-done-2.5', 'COMPLETED', 2.5), aged('c-run-0', 'RUNNING', 0.5)],
    deployments: [deployment('c-dep-stopped', 'STOPPED')],
  },
});

let estate: Estate;
let inProcess: Plan;
let machine: Plan;

/** What a plan decides, comparable across engines. */
function decisions(plan: Plan) {
  return {
    actions: plan.groups.flatMap((g) => g.actions.map((a) => `${a.group}/${a.type}/${a.id}:${a.action} (${a.ruleId})`)),
    capped: plan.groups.flatMap((g) => g.skipped.filter((s) => s.kind === 'capped').map((s) => `${s.group}/${s.id}`)),
    protected: plan.groups.flatMap((g) => g.skipped.filter((s) => s.kind === 'protected').map((s) => `${s.group}/${s.id}`)),
  };
}

beforeAll(async () => {
  estate = await startEstate([{ name: 'acme', fleet: FLEET }], POLICY);
  const key = parseServiceKey(JSON.stringify(estate.simulators.get('acme')?.serviceKey), 'acme');
  const report = await runJanitor({
    client: new AiCoreClient(key, { transport: new Transport({ baseDelayMs: 1 }) }),
    store: new MemoryStore('T#same-plan@host'),
    policy: policy(POLICY),
    trigger: 'cli',
    consent: false,
    runId: 'in-process',
    clock: () => NOW,
  });
  inProcess = report.plan;
  const runId = 'sched-same-plan';
  await runLocally(estate.deps, {
    runId,
    trigger: 'schedule',
    consent: false,
    startedAt: NOW.toISOString(),
    requirePlanHash: null,
    tenants: [{ name: 'acme', secretId: 'janitor/acme' }],
  });
  machine = (await requireStaged(estate.storeOf('acme'), runId, STAGED.report, StagedReport)).plan;
}, 60_000);

afterAll(async () => {
  await estate?.stop();
});

describe('the same fleet and policy, in-process and on the state machine', () => {
  it('give the same plan hash', () => {
    expect(inProcess.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(machine.hash).toBe(inProcess.hash);
  });

  it('give the same actions, capped items and protected items (the run cap cuts across groups, oldest first)', () => {
    const ours = decisions(inProcess);
    expect(ours.actions).toHaveLength(9);
    expect(ours.capped.length).toBeGreaterThan(0);
    expect(ours.capped.some((c) => !c.startsWith('alpha/'))).toBe(true);
    expect(ours.protected).toEqual(['alpha/a-prod']);
    expect(decisions(machine)).toEqual(ours);
    expect(machine.totals).toEqual(inProcess.totals);
  });
});
