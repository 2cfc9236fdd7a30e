/**
 * The author-facing messages for mistakes inside conditions and values, found through the
 * registry: each names the path, and says what was expected or how to fix it.
 */
import { describe, expect, it } from 'vitest';
import { validatePolicyDocument } from '../../lib/policy/validate.js';

function problems(rules: unknown, extra: Record<string, unknown> = {}): string[] {
  const result = validatePolicyDocument({ version: 1, rules, ...extra });
  return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`);
}

const rule = (match: unknown, more: Record<string, unknown> = {}) => [{ id: 'r', resource: 'executions', match, action: 'stop', ...more }];
const KINDS =
  'status, olderThan, scenario, executable, configuration, configurationName, resourceGroup, resourceGroupLabels, executionSchedule, ttl, all, any, not';

describe('Function: mapIssues / diagnoseCondition', () => {
  it('says what a condition is when it is empty, not an object, or a list', () => {
    for (const match of [{}, 'status', 3, ['status']]) {
      expect(problems(rule(match))).toEqual([`rules[0].match: expected a condition: an object with one key, one of ${KINDS}`]);
    }
  });

  it('diagnoses nested conditions by their key, at their own path', () => {
    expect(problems(rule({ all: [{ status: 'RUNNING' }, { not: { olderThan: { field: 'startTime', age: 36 } } }] }))).toEqual([
      'rules[0].match.all[0].status: expected a list; write `[RUNNING]` (or several: `[RUNNING, …]`)',
      'rules[0].match.all[1].not.olderThan.age: `36` has no unit: a duration is a number followed by a unit, e.g. `36h` or `36d` (units m, h, d, w; combined largest first, e.g. 1d12h)',
    ]);
  });

  it('says a duration written as digits only needs a unit', () => {
    expect(problems([], { minimumAge: '12' })).toEqual([
      'minimumAge: `12` has no unit: a duration is a number followed by a unit, e.g. `12h` or `12d` (units m, h, d, w; combined largest first, e.g. 1d12h)',
    ]);
    expect(problems([], { minimumAge: '12x' })).toEqual([
      'minimumAge: expected a duration such as 30m, 36h, 7d, 2w or 1d12h (units m, h, d, w)',
    ]);
  });

  it('suggests quoting a value YAML read as a number or boolean', () => {
    expect(problems(rule({ status: ['RUNNING'] }, { id: 123 }))[0]).toMatch(/^rules\[0\]\.id: .*; put the value in quotes$/);
    expect(problems([], { protect: { ids: [true] } })[0]).toMatch(/^protect\.ids\[0\]: .*; put the value in quotes$/);
    // A glob position takes one glob or a list, so a number there is answered with that, not with quoting.
    expect(problems(rule({ configuration: 123 }))).toEqual(['rules[0].match.configuration: expected a glob or a non-empty list of globs']);
  });

  it('suggests the nearest enum value and lists the allowed ones', () => {
    expect(problems(rule({ olderThan: { field: 'startTim', age: '1d' } }))).toEqual([
      'rules[0].match.olderThan.field: `startTim` is not allowed; did you mean `startTime`? (expected one of: createdAt, modifiedAt, submissionTime, startTime, completionTime)',
    ]);
    expect(problems(rule({ ttl: 'yes' }, { resource: 'deployments' }))).toEqual([
      'rules[0].match.ttl: `yes` is not allowed (expected one of: present, absent)',
    ]);
  });

  it('names unknown keys in values under a condition and in records', () => {
    expect(problems(rule({ olderThan: { field: 'startTime', age: '1d', ag: '2d' } }))).toEqual([
      'rules[0].match.olderThan.ag: unknown key `ag`; did you mean `age`? (allowed here: field, age)',
    ]);
    expect(problems(rule({ olderThan: { field: 'startTime' } }))).toEqual(['rules[0].match.olderThan.age: missing required key `age`']);
  });

  it('reports a missing condition in a list and rules that are not objects, and checks the resource type in not', () => {
    expect(problems(rule({ any: [{ status: ['RUNNING'] }, null] }))[0]).toMatch(/^rules\[0\]\.match\.any\[1\]: expected a condition/);
    expect(problems(['just text'])[0]).toMatch(/^rules\[0\]: /);
    expect(problems(rule({ not: { ttl: 'absent' } }))).toEqual([
      'rules[0].match.not.ttl: `ttl` applies to deployments only; this rule is for executions',
    ]);
    expect(problems(rule({ executionSchedule: 'present' }, { resource: 'deployments' }))).toEqual([
      'rules[0].match.executionSchedule: `executionSchedule` applies to executions only; this rule is for deployments',
    ]);
    expect(problems('none')).toEqual(['rules: expected a list; write `[none]` (or several: `[none, …]`)']);
  });
});
