/**
 * Invariants over random fleets, policies and observations (fast-check): the safety principles of
 * DESIGN.md, checked against plans the engine builds for inputs nobody wrote by hand.
 */
import fc from 'fast-check';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { isKnownStatus, isLegalTransition, STATUSES, TARGET_STATUS } from '../../lib/lifecycle.js';
import { evaluateCondition } from '../../lib/policy/conditions.js';
import { evaluate, type Plan, type Policy } from '../../lib/policy/index.js';
import type { Observations } from '../../lib/policy/observations.js';
import { Policy as PolicySchema, TIMESTAMP_FIELDS, type Condition, type PolicyInput } from '../../lib/policy/schema.js';
import { parseInstant } from '../../lib/policy/time.js';
import type { Fleet, GroupFleet, Resource } from '../../lib/resources.js';
import { NOW, ago, deployment, execution } from './factories.js';

const SCENARIOS = ['dev-a', 'dev-b', 'prod-x', 'foundation-models', 'orchestration'] as const;
const GROUPS = ['alpha', 'beta', 'gamma', 'prod-1'] as const;

// ---- fleets ---------------------------------------------------------------------------------------

const timestamp = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: -5, max: 24 * 20 }).map((h) => ago(h)) },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom('yesterday', '2026-01-01T00:00:00', '') },
);
const status = fc.oneof(
  { weight: 9, arbitrary: fc.constantFrom(...STATUSES) },
  { weight: 1, arbitrary: fc.constantFrom('DELETING', 'weird') },
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(null) });

const itemFields = fc.record({
  status,
  scenarioId: maybe(fc.constantFrom(...SCENARIOS)),
  executableId: maybe(fc.constantFrom('exe-1', 'exe-2')),
  configurationId: fc.constantFrom('cfg-1', 'cfg-2', 'cfg-keep'),
  configurationName: maybe(fc.constantFrom('golden', 'scratch')),
  createdAt: timestamp,
  modifiedAt: timestamp,
  submissionTime: timestamp,
  startTime: timestamp,
  completionTime: timestamp,
  extra: maybe(fc.constantFrom('sched-1', '24h')),
});

const groupArb = (name: string) =>
  fc
    .record({
      executions: fc.array(itemFields, { maxLength: 8 }),
      deployments: fc.array(itemFields, { maxLength: 6 }),
      unparseable: fc.integer({ min: 0, max: 2 }),
      listingError: fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constant('HTTP 500') }),
      env: fc.constantFrom('dev', 'prod', undefined),
    })
    .map(({ executions, deployments, unparseable, listingError, env }): GroupFleet => {
      const resources: Resource[] = [
        ...executions.map(
          ({ extra, ...f }, i): Resource => ({
            type: 'executions',
            group: name,
            item: execution(`${name}-e${i}`, { ...f, executionScheduleId: extra }),
          }),
        ),
        ...deployments.map(
          ({ extra, ...f }, i): Resource => ({ type: 'deployments', group: name, item: deployment(`${name}-d${i}`, { ...f, ttl: extra }) }),
        ),
      ];
      return {
        group: name,
        labels: env === undefined ? {} : { 'ext.ai.sap.com/env': env },
        resources,
        unparseable: Array.from({ length: unparseable }, (_, i) => ({
          type: 'executions' as const,
          group: name,
          id: i === 0 ? `${name}-bad` : null,
          reason: 'bad',
        })),
        listingError,
      };
    });

const fleetArb: fc.Arbitrary<Fleet> = fc.subarray([...GROUPS], { minLength: 1 }).chain((names) => fc.tuple(...names.map(groupArb)));

// ---- policies -------------------------------------------------------------------------------------

const leaf: fc.Arbitrary<Condition> = fc.oneof(
  fc.subarray([...STATUSES], { minLength: 1 }).map((s) => ({ status: s })),
  fc.record({ field: fc.constantFrom(...TIMESTAMP_FIELDS), age: fc.constantFrom('1h', '1d', '3d', '1w') }).map((o) => ({ olderThan: o })),
  fc.constantFrom('dev-*', 'prod-*', '*').map((g) => ({ scenario: g })),
  fc.constantFrom('exe-1', 'exe-*').map((g) => ({ executable: g })),
  fc.constantFrom('cfg-?', 'cfg-keep').map((g) => ({ configuration: g })),
  fc.constantFrom('golden', '*').map((g) => ({ configurationName: g })),
  fc.constantFrom('alpha', 'b*').map((g) => ({ resourceGroup: g })),
  fc.constantFrom('dev', 'prod').map((v) => ({ resourceGroupLabels: { 'ext.ai.sap.com/env': v } })),
  fc.constantFrom('present', 'absent').map((p) => ({ executionSchedule: p }) as Condition),
  fc.constantFrom('present', 'absent').map((p) => ({ ttl: p }) as Condition),
);
const condition: fc.Arbitrary<Condition> = fc.letrec<{ c: Condition }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('c'), { minLength: 1, maxLength: 3 }).map((all) => ({ all })),
    fc.array(tie('c'), { minLength: 1, maxLength: 3 }).map((any) => ({ any })),
    tie('c').map((not) => ({ not })),
  ),
})).c;

/** A rule that matches often: one status set, sometimes with an age. */
const simpleRuleArb = fc.record({
  resource: fc.constantFrom('executions', 'deployments'),
  match: fc.oneof(
    fc.subarray([...STATUSES], { minLength: 2 }).map((s): Condition => ({ status: s })),
    fc
      .subarray([...STATUSES], { minLength: 2 })
      .map((s): Condition => ({ all: [{ status: s }, { olderThan: { field: 'createdAt', age: '1d' } }] })),
  ),
  action: fc.constantFrom('stop', 'delete', 'stop-then-delete'),
  gracePeriod: fc.constantFrom(undefined, '1h'),
});

const ruleArb = fc.record({
  resource: fc.constantFrom('executions', 'deployments'),
  match: condition,
  action: fc.constantFrom('stop', 'delete', 'stop-then-delete'),
  gracePeriod: fc.constantFrom(undefined, '1h', '1d'),
});

/** Often generous (so plans have actions), sometimes tight (so caps bite). */
const tight = (max: number) => fc.oneof({ weight: 2, arbitrary: fc.constant(1000) }, { weight: 1, arbitrary: fc.integer({ min: 0, max }) });

const policyInputArb: fc.Arbitrary<PolicyInput> = fc
  .record({
    rules: fc.array(fc.oneof(ruleArb, simpleRuleArb), { maxLength: 4 }),
    minimumAge: fc.constantFrom('0m', '1h', '2d'),
    caps: fc.record({
      maxActionsPerRun: tight(30),
      maxActionsPerGroup: tight(15),
      maxActionsPerDay: tight(60),
      maxPercentOfGroup: fc.oneof(fc.constant(100), fc.integer({ min: 0, max: 100 })),
      onCapExceeded: fc.constantFrom('abort', 'oldest-first'),
    }),
    scenarios: fc.subarray(['prod-*', 'dev-b']),
    ids: fc.subarray(['alpha-e0', 'beta-d1', 'gamma-e2']),
    allow: fc.subarray(['orchestration'] as const),
  })
  .map(({ rules, minimumAge, caps, scenarios, ids, allow }) => ({
    version: 1 as const,
    minimumAge,
    caps,
    protect: { scenarios, ids, resourceGroupLabels: { 'ext.ai.sap.com/env': 'prod' }, snoozes: [{ id: 'alpha-e1', until: '2027-01-01' }] },
    builtInProtection: { allowScenarios: allow },
    rules: rules.map((r, i) => ({
      id: `r${i}`,
      ...r,
      ...(r.action === 'stop' || r.gracePeriod === undefined ? { gracePeriod: undefined } : {}),
    })),
  }));

const observationsArb: fc.Arbitrary<Observations> = fc.record({
  actionsToday: fc.integer({ min: 0, max: 70 }),
  snoozes: fc.constantFrom<Record<string, string>>({}, { 'beta-e0': ago(-10) }, { 'beta-e0': ago(10) }),
  firstSeenStopped: fc.constantFrom<Record<string, string>>(
    {},
    { 'alpha#deployments#alpha-d0': ago(30), 'beta#executions#beta-e1': ago(0.5) },
  ),
});

const inputArb = fc.record({ fleet: fleetArb, policyInput: policyInputArb, observations: observationsArb });

function parse(input: PolicyInput): Policy {
  return PolicySchema.parse(input);
}
function plan(fleet: Fleet, policy: Policy, observations: Observations): Plan {
  return evaluate({ fleet, policy, now: NOW, observations });
}
function resourceOf(fleet: Fleet, group: string, type: string, id: string): Resource | undefined {
  return fleet.find((g) => g.group === group)?.resources.find((r) => r.type === type && r.item.id === id);
}
/** Actions that would be applied: not in an aborted group, not in an aborted run. */
function applied(p: Plan) {
  return p.aborted !== null ? [] : p.groups.filter((g) => g.aborted === null).flatMap((g) => g.actions);
}
const RUNS = { numRuns: 300 };

describe('Properties of evaluate()', () => {
  it('are not vacuous: the generators produce plans with actions, aborts and capped items', () => {
    const plans = fc
      .sample(inputArb, { numRuns: 400, seed: 42 })
      .map(({ fleet, policyInput, observations }) => plan(fleet, parse(policyInput), observations));
    const share = (f: (p: Plan) => boolean) => plans.filter(f).length / plans.length;
    expect(share((p) => applied(p).length > 0)).toBeGreaterThan(0.15);
    expect(share((p) => p.aborted !== null || p.groups.some((g) => g.aborted !== null))).toBeGreaterThan(0.03);
    expect(share((p) => p.groups.some((g) => g.skipped.some((s) => s.kind === 'capped')))).toBeGreaterThan(0.02);
    expect(share((p) => p.groups.some((g) => g.actions.some((a) => a.action === 'delete')))).toBeGreaterThan(0.1);
  });

  it('never plans an illegal transition', () => {
    fc.assert(
      fc.property(inputArb, ({ fleet, policyInput, observations }) => {
        const p = plan(fleet, parse(policyInput), observations);
        for (const a of p.groups.flatMap((g) => g.actions)) {
          const r = resourceOf(fleet, a.group, a.type, a.id);
          expect(r?.item.status).toBe(a.status);
          expect(isLegalTransition(a.type, a.status, a.action)).toBe(true);
          expect(a.targetStatus).toBe(TARGET_STATUS[a.action]);
        }
      }),
      RUNS,
    );
  });

  it('never acts on a protected item', () => {
    fc.assert(
      fc.property(inputArb, ({ fleet, policyInput, observations }) => {
        const policy = parse(policyInput);
        const p = plan(fleet, policy, observations);
        for (const a of p.groups.flatMap((g) => g.actions)) {
          const r = resourceOf(fleet, a.group, a.type, a.id);
          const item = r?.item;
          expect(item).toBeDefined();
          if (item === undefined) continue;
          // An independent, simpler reading of the protections in policyInputArb.
          expect(policy.protect.ids).not.toContain(a.id);
          expect(a.id).not.toBe('alpha-e1'); // snoozed until 2027
          if (a.id === 'beta-e0' && observations.snoozes['beta-e0'] !== undefined)
            expect(Date.parse(observations.snoozes['beta-e0'])).toBeLessThanOrEqual(NOW.getTime());
          const guarded = ['foundation-models', 'orchestration'].filter(
            (x) => !policy.builtInProtection.allowScenarios.includes(x as 'orchestration'),
          );
          // The scenarios protection (and, for deployments, the built-in one) cannot be checked without a scenarioId.
          if (policy.protect.scenarios.length > 0 || (a.type === 'deployments' && guarded.length > 0))
            expect(typeof item.scenarioId).toBe('string');
          expect(policy.protect.scenarios.some((g) => picomatch.isMatch(item.scenarioId ?? '', g))).toBe(false);
          expect(fleet.find((g) => g.group === a.group)?.labels['ext.ai.sap.com/env']).not.toBe('prod');
          if (a.type === 'deployments') expect(guarded).not.toContain(item.scenarioId);
        }
      }),
      RUNS,
    );
  });

  it('never applies more than any cap allows', () => {
    fc.assert(
      fc.property(inputArb, ({ fleet, policyInput, observations }) => {
        const policy = parse(policyInput);
        const p = plan(fleet, policy, observations);
        const { caps } = policy;
        const acted = applied(p);
        expect(acted.length).toBeLessThanOrEqual(caps.maxActionsPerRun);
        expect(acted.length).toBeLessThanOrEqual(Math.max(0, caps.maxActionsPerDay - observations.actionsToday));
        for (const g of p.groups.filter((x) => x.aborted === null && p.aborted === null)) {
          expect(g.actions.length).toBeLessThanOrEqual(caps.maxActionsPerGroup);
          expect(g.actions.length).toBeLessThanOrEqual(Math.floor((caps.maxPercentOfGroup * g.totals.listed) / 100));
        }
        if (caps.onCapExceeded === 'oldest-first') {
          expect(p.aborted).toBeNull();
          expect(p.groups.every((g) => g.aborted === null)).toBe(true);
        }
      }),
      RUNS,
    );
  });

  it('never acts on unknown data: documented status, known age, a true rule and no undecided rule before it', () => {
    fc.assert(
      fc.property(inputArb, ({ fleet, policyInput, observations }) => {
        const policy = parse(policyInput);
        const p = plan(fleet, policy, observations);
        for (const g of p.groups) {
          const groupFleet = fleet.find((x) => x.group === g.group);
          if (groupFleet?.listingError !== null) expect(g.actions).toEqual([]);
          for (const a of g.actions) {
            const r = resourceOf(fleet, a.group, a.type, a.id);
            if (r === undefined) throw new Error('action for an item that was not listed');
            expect(isKnownStatus(r.item.status)).toBe(true);
            expect(parseInstant(r.item.createdAt)).not.toBeNull();
            const rules = policy.rules.filter((x) => x.resource === a.type);
            const index = rules.findIndex((x) => x.id === a.ruleId);
            expect(index).toBeGreaterThanOrEqual(0);
            rules.forEach((rule, i) => {
              const truth = evaluateCondition(rule.match, { resource: r, labels: groupFleet?.labels ?? {}, nowMs: NOW.getTime() }).truth;
              expect(truth).toBe(i === index ? true : i < index ? false : truth);
            });
          }
        }
      }),
      RUNS,
    );
  });

  it('accounts for every listed item exactly once', () => {
    fc.assert(
      fc.property(inputArb, ({ fleet, policyInput, observations }) => {
        const p = plan(fleet, parse(policyInput), observations);
        for (const g of p.groups) {
          const source = fleet.find((x) => x.group === g.group);
          expect(g.actions.length + g.skipped.length).toBe(g.totals.listed);
          expect(g.totals.listed).toBe((source?.resources.length ?? 0) + (source?.unparseable.length ?? 0));
        }
      }),
      RUNS,
    );
  });

  it('is deterministic: the same input, in any listing order, gives the same plan and hash', () => {
    fc.assert(
      fc.property(inputArb, fc.boolean(), ({ fleet, policyInput, observations }, reverse) => {
        const policy = parse(policyInput);
        const first = plan(fleet, policy, observations);
        expect(plan(fleet, policy, observations)).toEqual(first);
        const shuffled = (reverse ? [...fleet].reverse() : fleet).map((g) => ({ ...g, resources: [...g.resources].reverse() }));
        expect(plan(shuffled, policy, observations)).toEqual(first);
      }),
      { numRuns: 150 },
    );
  });

  it('adding a protection never selects more items', () => {
    const selected = (p: Plan) =>
      new Set(
        p.groups.flatMap((g) => [
          ...g.actions.map((a) => `${a.group}/${a.id}`),
          ...g.skipped.filter((s) => s.kind === 'capped').map((s) => `${s.group}/${s.id ?? ''}`),
        ]),
      );
    const acted = (p: Plan) => new Set(p.groups.flatMap((g) => g.actions.map((a) => `${a.group}/${a.id}`)));
    fc.assert(
      fc.property(inputArb, fc.constantFrom('id', 'scenario', 'group', 'label'), ({ fleet, policyInput, observations }, kind) => {
        const before = plan(fleet, parse(policyInput), observations);
        const victim = before.groups.flatMap((g) => g.actions)[0];
        const protect = { ...policyInput.protect };
        if (kind === 'id') protect.ids = [...(protect.ids ?? []), victim?.id ?? 'alpha-e3'];
        if (kind === 'scenario') protect.scenarios = [...(protect.scenarios ?? []), 'dev-a'];
        if (kind === 'group') protect.resourceGroups = [victim?.group ?? 'beta'];
        if (kind === 'label') protect.resourceGroupLabels = { ...protect.resourceGroupLabels, 'ext.ai.sap.com/env': ['prod', 'dev'] };
        const after = plan(fleet, parse({ ...policyInput, protect }), observations);
        for (const key of selected(after)) expect(selected(before).has(key)).toBe(true);
        if (victim !== undefined && kind === 'id') expect(acted(after).has(`${victim.group}/${victim.id}`)).toBe(false);
      }),
      RUNS,
    );
  });
});
