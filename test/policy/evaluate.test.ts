import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { evaluate, observationKey, parsePolicy, type Plan, type Policy } from '../../lib/policy/index.js';
import type { GroupFleet } from '../../lib/resources.js';
import type { PolicyInput } from '../../lib/policy/schema.js';
import { NOW, OPEN_CAPS, ago, deployment, execution, group, observations, policy } from './factories.js';

const STOP_STALE: PolicyInput['rules'][number] = {
  id: 'stale-runs',
  resource: 'executions',
  match: { all: [{ status: ['RUNNING', 'PENDING'] }, { olderThan: { field: 'startTime', age: '24h' } }] },
  action: 'stop',
};

function plan(fleet: GroupFleet[], p: Policy, obs = observations()): Plan {
  return evaluate({ fleet, policy: p, now: NOW, observations: obs });
}
function only(p: Plan) {
  const g = p.groups[0];
  if (g === undefined) throw new Error('no group');
  return g;
}
function skipOf(p: Plan, id: string) {
  return p.groups.flatMap((g) => g.skipped).find((s) => s.id === id);
}
function actionOf(p: Plan, id: string) {
  return p.groups.flatMap((g) => g.actions).find((a) => a.id === id);
}

describe('Function: evaluate', () => {
  describe('rules', () => {
    it('stops a stale run with a reason naming the rule, status and age', () => {
      const result = plan(
        [group('team-a', { executions: [execution('e1', { startTime: ago(76) })] })],
        policy({ rules: [STOP_STALE], caps: OPEN_CAPS }),
      );
      const action = actionOf(result, 'e1');
      expect(action).toMatchObject({
        action: 'stop',
        targetStatus: 'STOPPED',
        ruleId: 'stale-runs',
        status: 'RUNNING',
        ageSeconds: 76 * 3600,
      });
      expect(action?.reason).toBe('stale-runs: RUNNING, startTime 3d 4h ago (> 24h)');
      expect(action?.matched).toEqual([
        { condition: 'status in [RUNNING, PENDING]', value: 'RUNNING' },
        { condition: 'startTime older than 24h', value: ago(76) },
      ]);
    });

    it('waits instead of asking again when AI Core already shows the requested targetStatus', () => {
      const p = policy({
        caps: OPEN_CAPS,
        rules: [STOP_STALE, { id: 'finished', resource: 'executions', match: { status: ['COMPLETED'] }, action: 'delete' }],
      });
      const fleet = [
        group('g', {
          executions: [
            execution('stopping-soon', { startTime: ago(76), targetStatus: 'STOPPED' }),
            execution('going-away', { status: 'COMPLETED', targetStatus: 'DELETED' }),
            execution('still-running', { startTime: ago(76) }),
          ],
        }),
      ];
      const result = plan(fleet, p);
      expect(skipOf(result, 'stopping-soon')).toMatchObject({
        kind: 'waiting',
        ruleId: 'stale-runs',
        reason: expect.stringContaining('stop already requested (targetStatus STOPPED)'),
      });
      expect(skipOf(result, 'going-away')).toMatchObject({
        kind: 'waiting',
        ruleId: 'finished',
        reason: expect.stringContaining('delete already requested'),
      });
      expect(result.groups[0]?.actions.map((a) => a.id)).toEqual(['still-running']);
    });

    it('lets the first matching rule decide', () => {
      const p = policy({
        caps: OPEN_CAPS,
        rules: [
          { id: 'first', resource: 'executions', match: { status: ['COMPLETED'] }, action: 'delete' },
          { id: 'second', resource: 'executions', match: { scenario: '*' }, action: 'stop' },
        ],
      });
      const result = plan([group('g', { executions: [execution('done', { status: 'COMPLETED' }), execution('busy')] })], p);
      expect(actionOf(result, 'done')).toMatchObject({ ruleId: 'first', action: 'delete' });
      expect(actionOf(result, 'busy')).toMatchObject({ ruleId: 'second', action: 'stop' });
    });

    it('does not fall through to a later rule when an earlier one is unknown', () => {
      const p = policy({
        caps: OPEN_CAPS,
        rules: [
          { id: 'needs-start', resource: 'executions', match: { olderThan: { field: 'startTime', age: '1d' } }, action: 'stop' },
          { id: 'catch-all', resource: 'executions', match: { status: ['PENDING'] }, action: 'stop' },
        ],
      });
      const result = plan([group('g', { executions: [execution('p1', { status: 'PENDING', startTime: null })] })], p);
      expect(skipOf(result, 'p1')).toMatchObject({ kind: 'unknown', ruleId: 'needs-start' });
      expect(skipOf(result, 'p1')?.reason).toContain('startTime is missing');
    });

    it('counts items no rule matches as no-match, and rules only see their resource type', () => {
      const result = plan(
        [group('g', { executions: [execution('e1', { startTime: ago(1) })], deployments: [deployment('d1')] })],
        policy({ rules: [STOP_STALE], caps: OPEN_CAPS }),
      );
      expect(skipOf(result, 'e1')).toMatchObject({ kind: 'no-match', reason: 'no rule matched' });
      expect(skipOf(result, 'd1')).toMatchObject({ kind: 'no-match', reason: 'no rule for deployments' });
    });

    it('never acts on a status outside the documented enum, even under not', () => {
      const p = policy({
        caps: OPEN_CAPS,
        rules: [{ id: 'r', resource: 'executions', match: { not: { status: ['COMPLETED'] } }, action: 'delete' }],
      });
      const result = plan([group('g', { executions: [execution('x', { status: 'ARCHIVED' })] })], p);
      expect(skipOf(result, 'x')).toMatchObject({ kind: 'unknown' });
      expect(skipOf(result, 'x')?.reason).toContain('ARCHIVED is not a documented status');
    });

    it('reflects the policy mode, dry-run by default', () => {
      expect(plan([], policy({ rules: [] })).mode).toBe('dry-run');
      expect(plan([], policy({ mode: 'apply', rules: [] })).mode).toBe('apply');
    });
  });

  describe('minimum age', () => {
    const p = (minimumAge?: string) =>
      policy({
        caps: OPEN_CAPS,
        ...(minimumAge === undefined ? {} : { minimumAge }),
        rules: [{ id: 'all-unknown', resource: 'deployments', match: { status: ['UNKNOWN'] }, action: 'delete' }],
      });
    it('skips matched items younger than the default 1h as too-young', () => {
      const result = plan(
        [
          group('g', {
            deployments: [
              deployment('new', { status: 'UNKNOWN', createdAt: ago(0.5) }),
              deployment('old', { status: 'UNKNOWN', createdAt: ago(2) }),
            ],
          }),
        ],
        p(),
      );
      expect(skipOf(result, 'new')).toMatchObject({ kind: 'too-young', ruleId: 'all-unknown' });
      expect(skipOf(result, 'new')?.reason).toContain('younger than the minimum age 1h');
      expect(actionOf(result, 'old')).toMatchObject({ action: 'delete' });
    });
    it('is configurable', () => {
      const result = plan([group('g', { deployments: [deployment('d', { status: 'UNKNOWN', createdAt: ago(2) })] })], p('3h'));
      expect(skipOf(result, 'd')?.kind).toBe('too-young');
    });
    it('treats a null createdAt as unknown', () => {
      const result = plan([group('g', { deployments: [deployment('d', { status: 'UNKNOWN', createdAt: null })] })], p());
      expect(skipOf(result, 'd')).toMatchObject({ kind: 'unknown' });
      expect(skipOf(result, 'd')?.reason).toContain('createdAt is missing');
    });
  });

  describe('legal transitions', () => {
    const rule = (action: 'stop' | 'delete' | 'stop-then-delete', gracePeriod?: string) =>
      policy({
        caps: OPEN_CAPS,
        rules: [
          { id: 'r', resource: 'deployments', match: { scenario: 'dev-*' }, action, ...(gracePeriod === undefined ? {} : { gracePeriod }) },
        ],
      });
    const fleetWith = (...statuses: string[]) => [
      group('g', { deployments: statuses.map((status) => deployment(status.toLowerCase(), { status })) }),
    ];

    it('stop: only PENDING and RUNNING; everything else is ineligible', () => {
      const result = plan(fleetWith('PENDING', 'RUNNING', 'STOPPED', 'STOPPING', 'DEAD', 'UNKNOWN'), rule('stop'));
      expect(only(result).actions.map((a) => `${a.id}:${a.action}`)).toEqual(['pending:stop', 'running:stop']);
      expect(
        only(result)
          .skipped.map((s) => `${s.id}:${s.kind}`)
          .sort(),
      ).toEqual(['dead:ineligible', 'stopped:ineligible', 'stopping:ineligible', 'unknown:ineligible']);
    });

    it('delete: RUNNING is ineligible (stop first), STOPPING waits, COMPLETED deployments are ineligible', () => {
      const result = plan(fleetWith('RUNNING', 'STOPPING', 'STOPPED', 'DEAD', 'UNKNOWN', 'COMPLETED'), rule('delete'));
      expect(only(result).actions.map((a) => a.id)).toEqual(['dead', 'stopped', 'unknown']);
      expect(skipOf(result, 'running')).toMatchObject({ kind: 'ineligible' });
      expect(skipOf(result, 'running')?.reason).toContain('stop it first');
      expect(skipOf(result, 'stopping')).toMatchObject({ kind: 'waiting' });
      expect(skipOf(result, 'completed')).toMatchObject({ kind: 'ineligible' });
    });

    it('delete: COMPLETED executions are deletable', () => {
      const p = policy({
        caps: OPEN_CAPS,
        rules: [{ id: 'r', resource: 'executions', match: { status: ['COMPLETED'] }, action: 'delete' }],
      });
      expect(actionOf(plan([group('g', { executions: [execution('c', { status: 'COMPLETED' })] })], p), 'c')).toMatchObject({
        action: 'delete',
        targetStatus: 'DELETED',
      });
    });

    it('stop-then-delete: stops RUNNING/PENDING, waits for STOPPING, deletes STOPPED/DEAD/UNKNOWN', () => {
      const result = plan(fleetWith('RUNNING', 'PENDING', 'STOPPING', 'STOPPED', 'DEAD', 'UNKNOWN'), rule('stop-then-delete'));
      expect(only(result).actions.map((a) => `${a.id}:${a.action}`)).toEqual([
        'pending:stop',
        'running:stop',
        'dead:delete',
        'stopped:delete',
        'unknown:delete',
      ]);
      expect(actionOf(result, 'running')?.reason).toContain('stop now, delete on a later run');
      expect(skipOf(result, 'stopping')).toMatchObject({ kind: 'waiting', reason: 'r: STOPPING; delete once STOPPED' });
    });

    it('stop-then-delete with a grace period: waits for the first sighting, then for the period', () => {
      const fleet = fleetWith('STOPPED', 'DEAD');
      const first = plan(fleet, rule('stop-then-delete', '1d'));
      expect(skipOf(first, 'stopped')).toMatchObject({ kind: 'waiting', reason: 'r: first seen STOPPED now; delete after 1d' });
      expect(actionOf(first, 'dead')).toMatchObject({ action: 'delete' }); // only STOPPED is recorded, so only STOPPED waits
      const key = observationKey('g', 'deployments', 'stopped');
      const early = plan(fleet, rule('stop-then-delete', '1d'), observations({ firstSeenStopped: { [key]: ago(5) } }));
      expect(skipOf(early, 'stopped')).toMatchObject({ kind: 'waiting', reason: 'r: first seen STOPPED 5h ago; delete after 1d' });
      const late = plan(fleet, rule('stop-then-delete', '1d'), observations({ firstSeenStopped: { [key]: ago(25) } }));
      expect(actionOf(late, 'stopped')?.reason).toContain('STOPPED for 1d 1h (grace 1d)');
      const garbled = plan(fleet, rule('stop-then-delete', '1d'), observations({ firstSeenStopped: { [key]: 'soon' } }));
      expect(skipOf(garbled, 'stopped')?.kind).toBe('unknown');
    });
  });

  describe('listing errors and unparseable items', () => {
    it('skips a group whose listing failed entirely and says so', () => {
      const failed = group('broken', { listingError: 'HTTP 500 from /v2/lm/executions', executions: [execution('e1')] });
      const result = plan([failed, group('ok', { executions: [execution('e2')] })], policy({ caps: OPEN_CAPS, rules: [STOP_STALE] }));
      const broken = result.groups.find((g) => g.group === 'broken');
      expect(broken).toMatchObject({ listingError: 'HTTP 500 from /v2/lm/executions', actions: [], aborted: null });
      expect(broken?.skipped[0]).toMatchObject({ id: 'e1', kind: 'unknown' });
      expect(actionOf(result, 'e2')).toBeDefined();
    });

    it('lists unparseable items as skipped unparseable', () => {
      const result = plan(
        [
          group('g', {
            unparseable: [
              { type: 'executions', id: 'bad1', reason: 'status: expected string' },
              { type: 'deployments', id: null, reason: 'id: required' },
            ],
          }),
        ],
        policy({ rules: [STOP_STALE] }),
      );
      // Ordered by type, then id (a missing id last).
      expect(only(result).skipped.map((s) => [s.type, s.id, s.kind])).toEqual([
        ['deployments', null, 'unparseable'],
        ['executions', 'bad1', 'unparseable'],
      ]);
      expect(only(result).skipped[1]?.reason).toBe('item could not be parsed: status: expected string');
      expect(only(result).totals).toMatchObject({ listed: 2, skipped: 2, stop: 0 });
    });
  });

  describe('the plan', () => {
    it('orders groups by name and actions by type, action, id, with totals', () => {
      const p = policy({
        caps: OPEN_CAPS,
        protect: { ids: ['e9'] },
        rules: [
          STOP_STALE,
          { id: 'done', resource: 'executions', match: { status: ['COMPLETED'] }, action: 'delete' },
          { id: 'dev', resource: 'deployments', match: { scenario: 'dev-*' }, action: 'stop' },
        ],
      });
      const fleet = [
        group('zeta', {
          executions: [execution('e3', { status: 'COMPLETED' }), execution('e2'), execution('e9')],
          deployments: [deployment('d1')],
        }),
        group('alpha', { executions: [execution('e1')] }),
      ];
      const result = plan(fleet, p);
      expect(result.groups.map((g) => g.group)).toEqual(['alpha', 'zeta']);
      expect(result.groups[1]?.actions.map((a) => `${a.type}:${a.action}:${a.id}`)).toEqual([
        'deployments:stop:d1',
        'executions:stop:e2',
        'executions:delete:e3',
      ]);
      expect(result.groups[1]?.totals).toEqual({ listed: 4, stop: 2, delete: 1, skipped: 1, protected: 1 });
      expect(result.totals).toEqual({ listed: 5, stop: 3, delete: 1, skipped: 1, protected: 1 });
      expect(result.evaluatedAt).toBe(NOW.toISOString());
      expect(result.aborted).toBeNull();
    });

    it('runs the example policy over a realistic fleet', () => {
      const parsed = parsePolicy(readFileSync('examples/policy.yaml', 'utf8'), 'examples/policy.yaml');
      if (!parsed.ok) throw new Error('example policy invalid');
      const fleet = [
        group('team-a', {
          executions: [
            execution('run-stale', { startTime: ago(30) }),
            execution('run-fresh', { startTime: ago(2) }),
            execution('done-old', { status: 'COMPLETED', completionTime: ago(24 * 8) }),
            execution('done-new', { status: 'COMPLETED', completionTime: ago(24 * 2) }),
            execution('dead-nocompl', { status: 'DEAD', completionTime: null }),
            execution('prod-run', { scenarioId: 'prod-scoring', startTime: ago(48) }),
          ],
          deployments: [
            deployment('dev-old', { createdAt: ago(24 * 4) }),
            deployment('dev-new', { createdAt: ago(24 * 1) }),
            deployment('llm', { scenarioId: 'foundation-models', createdAt: ago(24 * 30) }),
            deployment('dev-stopped', { status: 'STOPPED', createdAt: ago(24 * 5) }),
          ],
        }),
        group('prod', { labels: { 'ext.ai.sap.com/env': 'prod' }, executions: [execution('prod-labelled', { startTime: ago(48) })] }),
      ];
      const result = plan(fleet, parsed.policy);
      expect(result.mode).toBe('dry-run');
      expect(result.groups.flatMap((g) => g.actions.map((a) => `${a.id}:${a.action}`))).toEqual([
        'dev-old:stop',
        'run-stale:stop',
        'done-old:delete',
      ]);
      expect(skipOf(result, 'prod-run')?.kind).toBe('protected');
      expect(skipOf(result, 'prod-labelled')?.reason).toContain('ext.ai.sap.com/env=prod');
      expect(skipOf(result, 'llm')?.reason).toContain('generative-AI');
      expect(skipOf(result, 'dev-stopped')).toMatchObject({ kind: 'waiting' });
      expect(skipOf(result, 'dead-nocompl')).toMatchObject({ kind: 'unknown' });
    });
  });
});
