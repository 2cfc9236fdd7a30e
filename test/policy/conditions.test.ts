import { describe, expect, it } from 'vitest';
import { evaluateCondition, matchedConditions, unknownDetails, type ConditionContext } from '../../lib/policy/conditions.js';
import type { Condition } from '../../lib/policy/schema.js';
import type { Resource } from '../../lib/resources.js';
import { NOW, ago, deployment, execution } from './factories.js';

function ctx(resource: Resource, labels: Record<string, string> = {}): ConditionContext {
  return { resource, labels, nowMs: NOW.getTime() };
}
const run = (overrides: Parameters<typeof execution>[1] = {}): Resource => ({
  type: 'executions',
  group: 'team-a',
  item: execution('e1', overrides),
});
const dep = (overrides: Parameters<typeof deployment>[1] = {}): Resource => ({
  type: 'deployments',
  group: 'team-a',
  item: deployment('d1', overrides),
});
const truth = (condition: Condition, resource: Resource, labels: Record<string, string> = {}) =>
  evaluateCondition(condition, ctx(resource, labels)).truth;

describe('Function: evaluateCondition', () => {
  describe('status', () => {
    it('is true for a listed status and false otherwise', () => {
      expect(truth({ status: ['RUNNING', 'PENDING'] }, run())).toBe(true);
      expect(truth({ status: ['COMPLETED'] }, run())).toBe(false);
    });
    it('is unknown for a status outside the documented enum, but UNKNOWN is a normal status', () => {
      expect(truth({ status: ['RUNNING'] }, run({ status: 'EXPLODED' }))).toBe('unknown');
      expect(truth({ status: ['UNKNOWN'] }, run({ status: 'UNKNOWN' }))).toBe(true);
    });
  });

  describe('olderThan', () => {
    it('compares the chosen timestamp strictly with the age', () => {
      expect(truth({ olderThan: { field: 'startTime', age: '24h' } }, run({ startTime: ago(25) }))).toBe(true);
      expect(truth({ olderThan: { field: 'startTime', age: '24h' } }, run({ startTime: ago(24) }))).toBe(false);
      expect(truth({ olderThan: { field: 'startTime', age: '24h' } }, run({ startTime: ago(-5) }))).toBe(false);
    });
    it.each(['createdAt', 'modifiedAt', 'submissionTime', 'startTime', 'completionTime'] as const)(
      'reads %s and is unknown when it is null',
      (field) => {
        expect(truth({ olderThan: { field, age: '1h' } }, run({ [field]: ago(2) }))).toBe(true);
        const trace = evaluateCondition({ olderThan: { field, age: '1h' } }, ctx(run({ [field]: null })));
        expect(trace.truth).toBe('unknown');
        expect(unknownDetails(trace)).toEqual([`${field} is missing`]);
      },
    );
    it('is unknown for an unparseable or zone-less timestamp', () => {
      expect(truth({ olderThan: { field: 'createdAt', age: '1h' } }, run({ createdAt: 'yesterday' }))).toBe('unknown');
      expect(truth({ olderThan: { field: 'createdAt', age: '1h' } }, run({ createdAt: '2020-01-01T00:00:00' }))).toBe('unknown');
    });
    it('describes the age it saw', () => {
      const trace = evaluateCondition({ olderThan: { field: 'startTime', age: '24h' } }, ctx(run({ startTime: ago(76) })));
      expect(trace.detail).toBe('startTime 3d 4h ago (> 24h)');
      expect(trace.ageSeconds).toBe(76 * 3600);
    });
  });

  describe('globs', () => {
    it.each([
      [{ scenario: 'dev-*' }, true],
      [{ scenario: ['prod-*', 'dev-tr*'] }, true],
      [{ scenario: 'dev' }, false],
      [{ executable: 'train-exe' }, true],
      [{ configuration: 'cfg-e?' }, true],
      [{ configurationName: 'config *' }, true],
      [{ resourceGroup: 'team-*' }, true],
      [{ resourceGroup: 'team-b' }, false],
    ] as Array<[Condition, boolean]>)('%j is %s', (condition, expected) => {
      expect(truth(condition, run())).toBe(expected);
    });
    it('is unknown when the field is missing', () => {
      expect(truth({ scenario: '*' }, run({ scenarioId: null }))).toBe('unknown');
      expect(truth({ executable: '*' }, run({ executableId: undefined }))).toBe('unknown');
      expect(truth({ configurationName: '*' }, run({ configurationName: null }))).toBe('unknown');
    });
  });

  describe('resourceGroupLabels', () => {
    it('needs every listed label to exist and match; an absent label is false, not unknown', () => {
      const labels = { 'ext.ai.sap.com/env': 'dev', team: 'ml' };
      expect(truth({ resourceGroupLabels: { 'ext.ai.sap.com/env': 'dev' } }, run(), labels)).toBe(true);
      expect(truth({ resourceGroupLabels: { 'ext.ai.sap.com/env': ['qa', 'd*'], team: 'ml' } }, run(), labels)).toBe(true);
      expect(truth({ resourceGroupLabels: { 'ext.ai.sap.com/env': 'prod' } }, run(), labels)).toBe(false);
      expect(truth({ resourceGroupLabels: { owner: '*' } }, run(), labels)).toBe(false);
    });
  });

  describe('presence', () => {
    it('reads executionScheduleId and ttl; null means absent', () => {
      expect(truth({ executionSchedule: 'present' }, run({ executionScheduleId: 'sched-1' }))).toBe(true);
      expect(truth({ executionSchedule: 'absent' }, run({ executionScheduleId: null }))).toBe(true);
      expect(truth({ ttl: 'present' }, dep({ ttl: '24H' }))).toBe(true);
      expect(truth({ ttl: 'absent' }, dep({ ttl: null }))).toBe(true);
      expect(truth({ ttl: 'present' }, dep({ ttl: undefined }))).toBe(false);
    });
  });

  describe('combinators (Kleene logic)', () => {
    const T: Condition = { status: ['RUNNING'] };
    const F: Condition = { status: ['COMPLETED'] };
    const U: Condition = { scenario: '*' }; // scenarioId is null below
    const item = run({ scenarioId: null });
    it.each([
      [{ all: [T, T] }, true],
      [{ all: [T, F] }, false],
      [{ all: [F, U] }, false],
      [{ all: [T, U] }, 'unknown'],
      [{ any: [F, F] }, false],
      [{ any: [T, U] }, true],
      [{ any: [F, U] }, 'unknown'],
      [{ not: T }, false],
      [{ not: F }, true],
      [{ not: U }, 'unknown'],
      [{ not: { not: U } }, 'unknown'],
      [{ all: [T, { not: { any: [F, U] } }] }, 'unknown'],
    ] as Array<[Condition, boolean | 'unknown']>)('%j → %s', (condition, expected) => {
      expect(truth(condition, item)).toBe(expected);
    });
  });
});

describe('Function: matchedConditions', () => {
  it('lists the conditions that made a rule true, with the values seen', () => {
    const trace = evaluateCondition(
      { all: [{ status: ['RUNNING'] }, { any: [{ scenario: 'x' }, { scenario: 'dev-*' }] }, { not: { ttl: 'present' } }] },
      ctx(dep()),
    );
    expect(matchedConditions(trace)).toEqual([
      { condition: 'status in [RUNNING]', value: 'RUNNING' },
      { condition: 'scenarioId ~ dev-*', value: 'dev-serving' },
      { condition: 'not (ttl present)', value: null },
    ]);
  });
});
