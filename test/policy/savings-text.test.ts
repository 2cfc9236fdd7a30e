/** Savings read from every place a listing may give a resource plan, and the short texts reports print. */
import { describe, expect, it } from 'vitest';
import type { Resource } from '../../lib/resources.js';
import { type SavingsTotals, savingsCell, savingsOf, savingsSummary, totalSavings, warmNodesSummary } from '../../lib/policy/savings.js';
import { deployment, execution } from './factories.js';

function run(extra: Record<string, unknown>): Resource {
  return { type: 'executions', group: 'g', item: { ...execution('e0001'), ...extra } };
}

describe('Function: savingsOf (executions)', () => {
  it('reads the plan from resourcePlan, resource_plan, the plan label or details, in that order', () => {
    expect(savingsOf(run({ resourcePlan: ' train.l ' }), 'stop')).toMatchObject({
      kind: 'compute',
      resourcePlan: 'train.l',
      nodes: 1,
      atLeast: true,
    });
    expect(savingsOf(run({ resource_plan: 'train.m' }), 'stop')).toMatchObject({ resourcePlan: 'train.m' });
    const labels = [
      { key: 'other', value: 'x' },
      'junk',
      { key: 'ai.sap.com/resourcePlan', value: '' },
      { key: 'ai.sap.com/resourcePlan', value: 'train.s' },
    ];
    expect(savingsOf(run({ labels }), 'stop')).toMatchObject({ resourcePlan: 'train.s' });
    expect(savingsOf(run({ labels: [{ key: 'ai.sap.com/resourcePlan', value: ' ' }] }), 'stop')).toMatchObject({
      kind: 'unknown',
      resourcePlan: null,
    });
    expect(savingsOf(run({ details: { resources: { backendDetails: { predictor: { resourcePlan: 'basic' } } } } }), 'stop')).toMatchObject({
      resourcePlan: 'basic',
    });
  });
});

describe('Function: savingsOf (deployments)', () => {
  it('reads generative-AI scenarios as billed by tokens', () => {
    const resource: Resource = { type: 'deployments', group: 'g', item: deployment('d0001', { scenarioId: 'orchestration' }) };
    expect(savingsOf(resource, 'delete')).toEqual({
      kind: 'none',
      reason: 'generative-AI deployment (orchestration): billed by tokens, no compute to free',
      freesQuota: true,
    });
  });
});

describe('Function: savingsSummary / savingsCell', () => {
  it('sorts plans, and says when nothing is freed or an estimate is partial', () => {
    const totals = totalSavings(
      [
        { kind: 'compute', resourcePlan: 'z', nodes: 1, atLeast: false, nodeHoursPerDay: 24 },
        { kind: 'compute', resourcePlan: 'a', nodes: 2, atLeast: true, nodeHoursPerDay: 48 },
        { kind: 'compute', resourcePlan: 'a', nodes: 1, atLeast: false, nodeHoursPerDay: 24 },
      ],
      { unit: 'CU', perNodeHour: { a: 0.5 } },
    );
    expect(totals.byPlan.map((p) => p.resourcePlan)).toEqual(['a', 'z']);
    expect(savingsSummary(totals)).toBe(
      'frees at least 3 node(s) a (at least 72 node h/day, ~36 CU/day), 1 node(s) z (24 node h/day); estimate at your rates: ~36 CU/day (partial: some plans unpriced or unknown)',
    );
    const none: SavingsTotals = totalSavings([{ kind: 'none', reason: 'x', freesQuota: false }], undefined);
    expect(savingsSummary(none)).toBe('frees no compute');
  });

  it('gives a cell for every kind', () => {
    expect(savingsCell({ kind: 'none', reason: 'x', freesQuota: true })).toBe('quota only');
    expect(savingsCell({ kind: 'none', reason: 'x', freesQuota: false })).toBe('none');
    expect(savingsCell({ kind: 'unknown', reason: 'x', resourcePlan: null })).toBe('unknown');
    expect(savingsCell({ kind: 'unknown', reason: 'x', resourcePlan: 'basic' })).toBe('? × basic');
  });
});

describe('Function: warmNodesSummary', () => {
  it('says unknown, says nothing when no node is held, and counts nodes requested beyond those provisioned', () => {
    expect(warmNodesSummary({ kind: 'unknown', reason: 'HTTP 403' })).toBe('warm nodes unknown (HTTP 403)');
    expect(warmNodesSummary({ kind: 'known', plans: [{ resourcePlan: 'infer.l', provisioned: 0, requested: 0 }] })).toBeNull();
    const text = warmNodesSummary({
      kind: 'known',
      plans: [
        { resourcePlan: 'infer.l', provisioned: 2, requested: 2 },
        { resourcePlan: 'infer.m', provisioned: 0, requested: 0 },
        { resourcePlan: 'infer.s', provisioned: 1, requested: 3 },
      ],
    });
    expect(text).toBe(
      'warm nodes 2 infer.l (48 node h/day), 1 infer.s (24 node h/day; 2 more requested); reserved for the tenant, never acted on',
    );
  });
});
