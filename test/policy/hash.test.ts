import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../lib/policy/hash.js';
import { evaluate, observationKey } from '../../lib/policy/index.js';
import type { PolicyInput } from '../../lib/policy/schema.js';
import { NOW, OPEN_CAPS, ago, execution, group, observations, policy } from './factories.js';

const RULES: PolicyInput['rules'] = [
  {
    id: 'stale',
    resource: 'executions',
    match: { all: [{ status: ['RUNNING'] }, { olderThan: { field: 'startTime', age: '1d' } }] },
    action: 'stop',
  },
];
const fleet = () => [
  group('b', { executions: [execution('e2', { startTime: ago(50) })] }),
  group('a', { executions: [execution('e1', { startTime: ago(30) }), execution('e3', { startTime: ago(2) })] }),
];
const planAt = (now: Date, f = fleet(), rules = RULES) =>
  evaluate({ fleet: f, policy: policy({ caps: OPEN_CAPS, rules }), now, observations: observations() });

describe('Plan hash', () => {
  it('is stable a minute later when the decisions are the same (ages and reasons are not hashed)', () => {
    const now = planAt(NOW);
    const later = planAt(new Date(NOW.getTime() + 60_000));
    expect(later.hash).toBe(now.hash);
    expect(later.groups[0]?.actions[0]?.ageSeconds).toBe((now.groups[0]?.actions[0]?.ageSeconds ?? 0) + 60);
    expect(later.evaluatedAt).not.toBe(now.evaluatedAt);
  });

  it('does not depend on listing order', () => {
    const reversed = fleet()
      .reverse()
      .map((g) => ({ ...g, resources: [...g.resources].reverse() }));
    expect(planAt(NOW, reversed).hash).toBe(planAt(NOW).hash);
  });

  it('changes when a decision changes', () => {
    const base = planAt(NOW).hash;
    expect(planAt(new Date(NOW.getTime() + 23 * 3_600_000)).hash).not.toBe(base); // e3 becomes stale
    const f = fleet();
    f[0] = group('b', { executions: [execution('e2', { startTime: ago(50), status: 'COMPLETED' })] });
    expect(planAt(NOW, f).hash).not.toBe(base);
  });

  it('changes with the policy digest even when the decisions are the same', () => {
    const other: PolicyInput['rules'] = [{ ...RULES[0], id: 'renamed' } as PolicyInput['rules'][number]];
    const a = planAt(NOW);
    const b = planAt(NOW, fleet(), other);
    expect(b.groups.flatMap((g) => g.actions.map((x) => x.id))).toEqual(a.groups.flatMap((g) => g.actions.map((x) => x.id)));
    expect(b.hash).not.toBe(a.hash);
    expect(b.policyDigest).not.toBe(a.policyDigest);
  });

  it('distinguishes stop from delete for the same id', () => {
    const rules = (action: 'stop' | 'delete'): PolicyInput['rules'] => [
      { id: 'r', resource: 'executions', match: { scenario: '*' }, action },
    ];
    const running = [group('g', { executions: [execution('x')] })];
    const completed = [group('g', { executions: [execution('x', { status: 'COMPLETED' })] })];
    const p = (f: typeof running, r: PolicyInput['rules']) =>
      evaluate({ fleet: f, policy: policy({ caps: OPEN_CAPS, rules: r }), now: NOW, observations: observations() });
    // Same policy (so same digest) and same id, but a different target status.
    const both: PolicyInput['rules'] = [{ id: 'r', resource: 'executions', match: { scenario: '*' }, action: 'stop-then-delete' }];
    expect(p(running, both).hash).not.toBe(p(completed, both).hash);
    // And the same decisions under different actions' policies differ by digest only.
    expect(p(running, rules('stop')).policyDigest).not.toBe(p(running, rules('delete')).policyDigest);
  });

  it('uses the observation key format group#type#id', () => {
    expect(observationKey('g', 'deployments', 'd1')).toBe('g#deployments#d1');
  });
});

describe('Function: canonicalJson', () => {
  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 2, c: undefined, e: null }] })).toBe('{"a":[{"d":2,"e":null}],"b":1}');
  });
});
