/**
 * explain() can never disagree with evaluate(): for every item of a varied generated fleet, the
 * explanation's decision and its text say what the plan decided, and the trace it shows is the
 * one that decided.
 */
import { describe, expect, it } from 'vitest';
import { evaluate, explain, formatExplanation, type Policy } from '../../lib/policy/index.js';
import { NOW, OPEN_CAPS, policy } from './factories.js';
import { generatedFleet } from './generated-fleet.js';

const POLICY: Policy = policy({
  minimumAge: '2h',
  caps: { ...OPEN_CAPS, maxActionsPerGroup: 2, onCapExceeded: 'oldest-first' },
  protect: { scenarios: ['prod-*'], ids: ['i00000004'], resourceGroupLabels: { 'ext.ai.sap.com/env': 'prod' } },
  rules: [
    {
      id: 'stale',
      description: 'stop what ran too long',
      resource: 'executions',
      match: { all: [{ status: ['RUNNING', 'PENDING'] }, { olderThan: { field: 'startTime', age: '1d' } }] },
      action: 'stop',
    },
    { id: 'old', resource: 'executions', match: { not: { olderThan: { field: 'completionTime', age: '3d' } } }, action: 'delete' },
    { id: 'dev', resource: 'deployments', match: { any: [{ scenario: 'dev-*' }, { ttl: 'present' }] }, action: 'stop-then-delete' },
  ],
});

describe('Consistency: explain and evaluate', () => {
  const fleet = generatedFleet({ seed: 5, items: 240, groups: 8, now: NOW });
  const plan = evaluate({ fleet, policy: POLICY, now: NOW, observations: { firstSeenStopped: {}, snoozes: {}, actionsToday: 0 } });
  const ids = [
    ...new Set(
      fleet.flatMap((g) => [...g.resources.map((r) => r.item.id), ...g.unparseable.flatMap((u) => (u.id === null ? [] : [u.id]))]),
    ),
  ];

  it('the fleet exercises every kind of decision', () => {
    const kinds = new Set(plan.groups.flatMap((g) => [...g.skipped.map((s) => s.kind), ...(g.actions.length > 0 ? ['action'] : [])]));
    expect([...kinds].sort()).toEqual(
      ['action', 'capped', 'ineligible', 'no-match', 'protected', 'too-young', 'unknown', 'unparseable', 'waiting'].sort(),
    );
  });

  it.each(ids)('%s: the explanation gives the plan’s decision, in its data and its text', (id) => {
    const explanation = explain({
      fleet,
      policy: POLICY,
      now: NOW,
      observations: { firstSeenStopped: {}, snoozes: {}, actionsToday: 0 },
      id,
    });
    const text = formatExplanation(explanation);
    expect(explanation.items.length).toBeGreaterThan(0);
    for (const item of explanation.items) {
      const groupPlan = plan.groups.find((g) => g.group === item.group);
      const action = groupPlan?.actions.find((a) => a.id === id && a.type === item.type);
      const skipped = groupPlan?.skipped.find((s) => s.id === id && s.type === item.type);
      if (action !== undefined) {
        expect(item.decision).toMatchObject({ kind: 'action', action: action.action, reason: action.reason });
        expect(text).toContain(`decision: ${action.action.toUpperCase()} → ${action.targetStatus} (${action.reason})`);
      } else if (skipped?.kind === 'unparseable') {
        expect(text).toContain('decision: skipped (unparseable items are never acted on)');
      } else {
        expect(item.decision).toEqual({ kind: skipped?.kind, reason: skipped?.reason });
        expect(text).toContain(`decision: skipped, ${skipped?.kind}: ${skipped?.reason}`);
      }
      // At most one rule decides, and it is the first that is not false.
      const deciding = item.rules.filter((r) => r.decides);
      expect(deciding.length).toBeLessThanOrEqual(1);
      expect(deciding[0]?.ruleId).toBe(item.rules.find((r) => r.truth !== false)?.ruleId);
      for (const rule of item.rules) expect(text).toContain(`rule ${rule.ruleId} (${rule.action}):`);
      if (item.statusKnown === false) expect(text).toContain('is not a documented status (never acted on)');
    }
    if (explanation.unlistedGroups.length > 0) expect(text).toContain('could not be listed (HTTP 503); the item may be there');
  });
});
