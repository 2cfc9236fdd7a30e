import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../lib/policy/evaluate.js';
import { parsePolicy } from '../../lib/policy/parse.js';
import { savingsOf, savingsSummary, totalSavings, type Savings } from '../../lib/policy/savings.js';
import type { Resource } from '../../lib/resources.js';
import type { PolicyInput } from '../../lib/policy/schema.js';
import { NOW, OPEN_CAPS, deployment, execution, group, observations, policy } from './factories.js';

const snakeDetails = (plan: string, scaling: Record<string, unknown>) => ({
  resources: { backend_details: { predictor: { resource_plan: plan } } },
  scaling: { backend_details: { predictor: scaling } },
});
const camelDetails = (plan: string, scaling: Record<string, unknown>) => ({
  resources: { backendDetails: { predictor: { resourcePlan: plan } } },
  scaling: { backendDetails: { predictor: scaling } },
});

function dep(details: unknown, overrides: Parameters<typeof deployment>[1] = {}): Resource {
  return { type: 'deployments', group: 'g', item: deployment('d-0001', { details, ...overrides }) };
}

const STOP_DEPLOYMENTS: PolicyInput['rules'][number] = {
  id: 'stop-deps',
  resource: 'deployments',
  match: { status: ['RUNNING'] },
  action: 'stop',
};
const DELETE_STOPPED: PolicyInput['rules'][number] = {
  id: 'del-stopped',
  resource: 'deployments',
  match: { status: ['STOPPED', 'DEAD'] },
  action: 'delete',
};

describe('Function: savingsOf', () => {
  it('reads the snake_case spelling: running_replicas counts exactly', () => {
    expect(savingsOf(dep(snakeDetails('infer.s', { min_replicas: '1', max_replicas: '4', running_replicas: 2 })), 'stop')).toEqual({
      kind: 'compute',
      resourcePlan: 'infer.s',
      nodes: 2,
      atLeast: false,
      nodeHoursPerDay: 48,
    });
  });

  it('reads the camelCase spelling and reports min_replicas as "at least"', () => {
    expect(savingsOf(dep(camelDetails('basic', { minReplicas: '3', maxReplicas: '5' })), 'stop')).toEqual({
      kind: 'compute',
      resourcePlan: 'basic',
      nodes: 3,
      atLeast: true,
      nodeHoursPerDay: 72,
    });
  });

  it('generative-AI deployments free no compute', () => {
    const s = savingsOf(
      dep({ resources: { backend_details: { model: { name: 'gpt-4o', version: 'latest' } } } }, { scenarioId: 'foundation-models' }),
      'stop',
    );
    expect(s).toMatchObject({ kind: 'none', freesQuota: false });
  });

  it('a DELETE of a STOPPED or DEAD deployment frees quota, not compute', () => {
    for (const status of ['STOPPED', 'DEAD']) {
      const s = savingsOf(dep(snakeDetails('infer.l', { running_replicas: 0 }), { status }), 'delete');
      expect(s).toMatchObject({ kind: 'none', freesQuota: true });
      if (s.kind === 'none') expect(s.reason).toContain('quota');
    }
  });

  it('a deployment without a plan or without replicas is unknown, never a number', () => {
    expect(savingsOf(dep(undefined), 'stop')).toMatchObject({ kind: 'unknown', resourcePlan: null });
    expect(savingsOf(dep(snakeDetails('infer.m', { max_replicas: '2' })), 'stop')).toMatchObject({
      kind: 'unknown',
      resourcePlan: 'infer.m',
    });
    expect(savingsOf(dep(snakeDetails('infer.m', { min_replicas: 'two' })), 'stop')).toMatchObject({ kind: 'unknown' });
  });

  it('executions: a plan label gives at least one node, else unknown; finished runs free nothing', () => {
    const labelled: Resource = {
      type: 'executions',
      group: 'g',
      item: execution('e-0001', { labels: [{ key: 'ai.sap.com/resourcePlan', value: 'train.l' }] }),
    };
    expect(savingsOf(labelled, 'stop')).toEqual({ kind: 'compute', resourcePlan: 'train.l', nodes: 1, atLeast: true, nodeHoursPerDay: 24 });
    expect(savingsOf({ type: 'executions', group: 'g', item: execution('e-0002') }, 'stop')).toMatchObject({ kind: 'unknown' });
    expect(savingsOf({ type: 'executions', group: 'g', item: execution('e-0003', { status: 'COMPLETED' }) }, 'delete')).toMatchObject({
      kind: 'none',
      freesQuota: false,
    });
  });
});

describe('Function: evaluate › savings', () => {
  it('puts savings on every action and totals them per group and run, by resource plan', () => {
    const fleet = [
      group('a', {
        deployments: [
          deployment('d-a1', { details: snakeDetails('infer.s', { running_replicas: 2 }) }),
          deployment('d-a2', { details: camelDetails('infer.s', { minReplicas: '1' }) }),
        ],
      }),
      group('b', {
        deployments: [
          deployment('d-b1', { details: undefined }),
          deployment('d-b2', { status: 'STOPPED', details: snakeDetails('basic', {}) }),
        ],
      }),
    ];
    const plan = evaluate({
      fleet,
      policy: policy({ rules: [STOP_DEPLOYMENTS, DELETE_STOPPED], caps: OPEN_CAPS }),
      now: NOW,
      observations: observations(),
    });
    expect(plan.groups.flatMap((g) => g.actions).every((a) => a.savings !== undefined)).toBe(true);
    expect(plan.groups[0]?.savings.byPlan).toEqual([
      { resourcePlan: 'infer.s', actions: 2, nodes: 3, atLeast: true, nodeHoursPerDay: 72, estimate: null },
    ]);
    expect(plan.groups[1]?.savings).toMatchObject({ byPlan: [], unknown: 1, none: 1, freesQuota: 1 });
    expect(plan.savings).toMatchObject({ unknown: 1, freesQuota: 1, estimate: null });
    expect(savingsSummary(plan.savings)).toContain('at least 3 node(s) infer.s');
  });

  it('shows an amount only with rates, labelled an estimate; unpriced plans stay rate unknown', () => {
    const fleet = [
      group('a', {
        deployments: [
          deployment('d-a1', { details: snakeDetails('infer.s', { running_replicas: 2 }) }),
          deployment('d-a2', { details: snakeDetails('infer.l', { running_replicas: 1 }) }),
        ],
      }),
    ];
    const p = policy({ rules: [STOP_DEPLOYMENTS], caps: OPEN_CAPS, rates: { unit: 'EUR', perNodeHour: { 'infer.s': 0.5 } } });
    const plan = evaluate({ fleet, policy: p, now: NOW, observations: observations() });
    expect(plan.savings.byPlan.map((b) => b.estimate)).toEqual([null, { perDay: 24, unit: 'EUR' }]);
    expect(plan.savings.estimate).toEqual({ perDay: 24, unit: 'EUR', complete: false });
    expect(savingsSummary(plan.savings)).toContain('estimate at your rates: ~24 EUR/day (partial');
  });

  it('rates are validated strictly, with the unknown key named', () => {
    const bad = parsePolicy('version: 1\nrates:\n  unit: EUR\n  perNodeHuor: {basic: 1}\nrules: []\n', 'policy.yaml');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.map((e) => `${e.path} ${e.message}`).join('\n')).toMatch(/perNodeHuor[\s\S]*perNodeHour/);
    const good = parsePolicy('version: 1\nrates:\n  unit: CU\n  perNodeHour: {basic: 1.5}\nrules: []\n', 'policy.yaml');
    expect(good.ok).toBe(true);
  });
});

const arbitrarySavings: fc.Arbitrary<Savings> = fc.oneof(
  fc
    .record({ plan: fc.constantFrom('starter', 'basic', 'infer.s', 'infer.l'), nodes: fc.nat(20), atLeast: fc.boolean() })
    .map(({ plan, nodes, atLeast }): Savings => ({ kind: 'compute', resourcePlan: plan, nodes, atLeast, nodeHoursPerDay: nodes * 24 })),
  fc.boolean().map((freesQuota): Savings => ({ kind: 'none', reason: 'r', freesQuota })),
  fc.option(fc.constantFrom('basic', 'infer.s')).map((resourcePlan): Savings => ({ kind: 'unknown', reason: 'r', resourcePlan })),
);

describe('Property: savings totals', () => {
  it('equal the sum of the actions, and unknown actions never add a number', () => {
    fc.assert(
      fc.property(
        fc.array(arbitrarySavings, { maxLength: 60 }),
        fc.option(fc.dictionary(fc.constantFrom('basic', 'infer.s'), fc.double({ min: 0, max: 100, noNaN: true }))),
        (items, perNodeHour) => {
          const rates = perNodeHour === null ? undefined : { unit: 'CU', perNodeHour };
          const totals = totalSavings(items, rates);
          const compute = items.filter((s) => s.kind === 'compute');
          expect(totals.byPlan.reduce((n, p) => n + p.nodes, 0)).toBe(compute.reduce((n, s) => n + s.nodes, 0));
          expect(totals.byPlan.reduce((n, p) => n + p.nodeHoursPerDay, 0)).toBe(compute.reduce((n, s) => n + s.nodeHoursPerDay, 0));
          expect(totals.byPlan.reduce((n, p) => n + p.actions, 0) + totals.unknown + totals.none).toBe(items.length);
          expect(totals.unknown).toBe(items.filter((s) => s.kind === 'unknown').length);
          // Adding unknown actions changes no number, only the unknown count.
          const withUnknown = totalSavings([...items, { kind: 'unknown', reason: 'r', resourcePlan: 'basic' }], rates);
          expect(withUnknown.byPlan).toEqual(totals.byPlan);
          if (rates === undefined) expect(totals.estimate).toBeNull();
          for (const p of totals.byPlan) if (rates?.perNodeHour[p.resourcePlan] === undefined) expect(p.estimate).toBeNull();
        },
      ),
    );
  });

  it('savingsOf never turns missing or malformed details into a number', () => {
    const junk = fc.oneof(
      fc.constant(undefined),
      fc.constant(null),
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.constant({}),
      fc.constant([]),
    );
    fc.assert(
      fc.property(junk, junk, (plan, replicas) => {
        const details = {
          resources: { backend_details: { predictor: { resource_plan: plan } } },
          scaling: { backend_details: { predictor: { running_replicas: replicas, min_replicas: replicas } } },
        };
        const s = savingsOf(dep(details), 'stop');
        if (s.kind === 'compute') {
          expect(typeof plan === 'string' && plan.trim() !== '').toBe(true);
          expect(Number.isInteger(s.nodes) && s.nodes >= 0).toBe(true);
        }
      }),
    );
  });
});

describe('Property: savings in a plan', () => {
  const details = fc.oneof(
    fc
      .record({ plan: fc.constantFrom('basic', 'infer.s'), running: fc.nat(4) })
      .map(({ plan, running }) => snakeDetails(plan, { running_replicas: running })),
    fc
      .record({ plan: fc.constantFrom('basic', 'infer.m'), min: fc.nat(4) })
      .map(({ plan, min }) => camelDetails(plan, { minReplicas: String(min) })),
    fc.constantFrom(undefined, null, {}, { resources: 'x' }, { scaling: { backend_details: { predictor: { running_replicas: '2' } } } }),
  );
  const fleet = fc
    .array(
      fc.record({
        group: fc.constantFrom('g1', 'g2'),
        status: fc.constantFrom('RUNNING', 'PENDING', 'STOPPED', 'DEAD'),
        scenario: fc.constantFrom('dev-serving', 'foundation-models'),
        details,
      }),
      { maxLength: 20 },
    )
    .map((items) =>
      ['g1', 'g2'].map((name) =>
        group(name, {
          deployments: items
            .map((it, i) => ({ ...it, i }))
            .filter((it) => it.group === name)
            .map((it) => deployment(`d${it.i}`, { status: it.status, scenarioId: it.scenario, details: it.details })),
        }),
      ),
    );

  it("every group's and the run's totals equal the sum of their actions' savings, each measured from its own item", () => {
    const p = policy({
      caps: OPEN_CAPS,
      minimumAge: '0m',
      builtInProtection: { generativeAi: false },
      rates: { unit: 'CU', perNodeHour: { basic: 2 } },
      rules: [STOP_DEPLOYMENTS, DELETE_STOPPED],
    });
    fc.assert(
      fc.property(fleet, (f) => {
        const plan = evaluate({ fleet: f, policy: p, now: NOW, observations: observations() });
        for (const g of plan.groups) {
          expect(g.savings).toEqual(
            totalSavings(
              g.actions.map((a) => a.savings),
              p.rates,
            ),
          );
          for (const a of g.actions) {
            const resource = f.flatMap((x) => x.resources).find((r) => r.item.id === a.id);
            if (resource === undefined) throw new Error(`action ${a.id} has no item`);
            expect(a.savings).toEqual(savingsOf(resource, a.action));
          }
        }
        expect(plan.savings).toEqual(
          totalSavings(
            plan.groups.flatMap((g) => g.actions.map((a) => a.savings)),
            p.rates,
          ),
        );
        const unknownActions = plan.groups.flatMap((g) => g.actions).filter((a) => a.savings.kind === 'unknown').length;
        expect(plan.savings.unknown).toBe(unknownActions);
        if (unknownActions > 0) expect(plan.savings.estimate?.complete ?? false).toBe(false);
      }),
      { numRuns: 200 },
    );
  });
});
