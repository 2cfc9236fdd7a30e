import { describe, expect, it } from 'vitest';
import { explain, formatExplanation } from '../../lib/policy/index.js';
import type { PolicyInput } from '../../lib/policy/schema.js';
import { NOW, OPEN_CAPS, ago, deployment, execution, group, observations, policy } from './factories.js';

const RULES: PolicyInput['rules'] = [
  {
    id: 'stale-runs',
    description: 'Stop long runs',
    resource: 'executions',
    match: { all: [{ status: ['RUNNING', 'PENDING'] }, { olderThan: { field: 'startTime', age: '24h' } }] },
    action: 'stop',
  },
  { id: 'finished', resource: 'executions', match: { status: ['COMPLETED'] }, action: 'delete' },
];
const fleet = [
  group('team-a', {
    executions: [
      execution('e1', { startTime: ago(76) }),
      execution('p1', { status: 'PENDING', startTime: null }),
      execution('prod', { scenarioId: 'prod-x' }),
    ],
    deployments: [deployment('e1')],
    unparseable: [{ type: 'executions', id: 'broken', reason: 'status: expected string' }],
  }),
  group('lost', { listingError: 'timeout' }),
];
const run = (id: string, caps: PolicyInput['caps'] = OPEN_CAPS) =>
  explain({
    fleet,
    policy: policy({ caps, rules: RULES, protect: { scenarios: ['prod-*'] } }),
    now: NOW,
    observations: observations(),
    id,
  });

describe('Function: explain', () => {
  it('gives every rule verdict with per-condition values and the final decision', () => {
    const explanation = run('e1');
    expect(explanation.items.map((i) => i.type)).toEqual(['executions', 'deployments']); // the id exists twice
    const item = explanation.items[0];
    expect(item?.rules.map((r) => [r.ruleId, r.truth, r.decides])).toEqual([
      ['stale-runs', true, true],
      ['finished', false, false],
    ]);
    expect(item?.rules[0]?.trace.children.map((c) => [c.condition, c.truth, c.value])).toEqual([
      ['status in [RUNNING, PENDING]', true, 'RUNNING'],
      ['startTime older than 24h', true, ago(76)],
    ]);
    expect(item?.minimumAge).toMatchObject({ truth: true });
    expect(item?.decision).toMatchObject({ kind: 'action', action: 'stop', targetStatus: 'STOPPED', applied: true });
    expect(explanation.unlistedGroups).toEqual([{ group: 'lost', error: 'timeout' }]);
  });

  it('shows unknown conditions and why nothing happened', () => {
    const item = run('p1').items[0];
    expect(item?.rules[0]?.truth).toBe('unknown');
    expect(item?.rules[0]?.trace.children[1]).toMatchObject({ truth: 'unknown', detail: 'startTime is missing' });
    expect(item?.decision).toMatchObject({ kind: 'unknown' });
  });

  it('shows protection, unparseable items and ids that were not listed', () => {
    expect(run('prod').items[0]?.decision.kind).toBe('protected');
    expect(run('prod').items[0]?.protection?.reasons[0]).toContain('protect.scenarios');
    expect(run('broken').items[0]).toMatchObject({ unparseable: 'status: expected string', decision: { kind: 'unparseable' } });
    expect(run('nope').items).toEqual([]);
  });

  it('reports a planned action that a cap keeps from being applied', () => {
    const item = run('e1', { maxActionsPerGroup: 0 }).items[0];
    expect(item?.decision).toMatchObject({ kind: 'action', applied: false });
  });
});

describe('Function: formatExplanation', () => {
  it('renders verdicts as text', () => {
    const text = formatExplanation(run('e1'));
    expect(text).toContain('e1: execution in resource group team-a, status RUNNING');
    expect(text).toContain('rule stale-runs (stop): MATCH  ← decides');
    expect(text).toContain('✔ startTime older than 24h — startTime 3d 4h ago (> 24h)');
    expect(text).toContain('rule finished (delete): no match');
    expect(text).toContain('decision: STOP → STOPPED (stale-runs: RUNNING, startTime 3d 4h ago (> 24h))');
    expect(text).toContain('note: resource group lost could not be listed (timeout)');
    expect(formatExplanation(run('p1'))).toContain('? startTime older than 24h — startTime is missing');
    expect(formatExplanation(run('nope'))).toContain('no execution or deployment with id nope was listed');
  });
});

describe('Function: formatExplanation (every section)', () => {
  const mixed = [
    group('zeta', { unparseable: [{ type: 'executions', id: 'x0001', reason: 'createdAt: expected string' }] }),
    group('alpha', { deployments: [deployment('x0001', { status: 'EXPLODED', scenarioId: null })] }),
    group('mid', { executions: [execution('x0001', { startTime: ago(50) }), execution('x0002', { startTime: ago(60) })] }),
    group('gone', { listingError: 'HTTP 503' }),
  ];
  const explained = explain({
    fleet: mixed,
    policy: policy({ caps: { ...OPEN_CAPS, maxActionsPerGroup: 1 }, rules: RULES }),
    now: NOW,
    observations: observations(),
    id: 'x0001',
  });
  const text = formatExplanation(explained);

  it('lists the id in every group it was seen in, in group order', () => {
    expect(explained.items.map((i) => `${i.group}/${i.type}`)).toEqual(['alpha/deployments', 'mid/executions', 'zeta/executions']);
    expect(explained.unlistedGroups).toEqual([{ group: 'gone', error: 'HTTP 503' }]);
  });

  it('shows an unparseable copy, an undocumented status, a type without rules, and an action a cap keeps back', () => {
    expect(text).toContain('x0001: deployment in resource group alpha, status EXPLODED');
    expect(text).toContain(
      '  protection: cannot be checked: scenarioId is missing, so the built-in generative-AI protection cannot be checked',
    );
    expect(text).toContain('  status: EXPLODED is not a documented status (never acted on)');
    expect(text).toContain('  rules: none for deployments');
    expect(text).toContain('x0001: execution in resource group mid, status RUNNING');
    expect(text).toContain('  protection: none');
    expect(text).toContain('    Stop long runs');
    expect(text).toContain('  decision: STOP → STOPPED (stale-runs: RUNNING, startTime 2d 2h ago (> 24h))');
    expect(text).toMatch(/ {2}not applied: aborted: 2 actions planned in the group, more than maxActionsPerGroup 1\n/);
    expect(text).toContain(
      'x0001: execution in resource group zeta, status (unparseable)\n  unparseable: createdAt: expected string\n  decision: skipped (unparseable items are never acted on)',
    );
    expect(text.endsWith('\n\nnote: resource group gone could not be listed (HTTP 503); the item may be there')).toBe(true);
  });
});

describe('Function: formatExplanation (notices)', () => {
  const noticeFleet = [group('team-a', { executions: [execution('n0001', { startTime: ago(76) })] })];
  const noticePolicy = policy({ caps: OPEN_CAPS, rules: RULES, notice: '1d' });

  it('shows a notice this run would give', () => {
    const text = formatExplanation(
      explain({ fleet: noticeFleet, policy: noticePolicy, now: NOW, observations: observations(), id: 'n0001' }),
    );
    expect(text).toContain(
      '  notice: stale-runs will stop after 2026-03-02T12:00:00.000Z unless snoozed (not given yet: the next scheduled run or apply gives it)',
    );
  });

  it('shows a recorded notice with who snoozed it', () => {
    const notice = {
      group: 'team-a',
      type: 'executions' as const,
      id: 'n0001',
      ruleId: 'stale-runs',
      action: 'stop' as const,
      noticedAt: '2026-03-01T00:00:00Z',
      actAfter: '2026-03-05T00:00:00Z',
      snoozedBy: 'alice',
      snoozeReason: 'demo',
    };
    const obs = observations({ notices: { 'team-a#executions#n0001': notice } });
    const text = formatExplanation(explain({ fleet: noticeFleet, policy: noticePolicy, now: NOW, observations: obs, id: 'n0001' }));
    expect(text).toContain(
      '  notice: stale-runs will stop after 2026-03-05T00:00:00Z unless snoozed (given 2026-03-01T00:00:00Z, snoozed by alice)',
    );
  });
});
