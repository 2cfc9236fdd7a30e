/**
 * The digest's savings totals and its "Coming up" section (issue 17): what a cleanup frees, and the
 * noticed items with their snoozes — buttons in Slack, the command to type in Teams.
 */
import { describe, expect, it } from 'vitest';
import { toTeamsMessage } from '../../lib/chatops/adaptive-card.js';
import { LIMITS } from '../../lib/chatops/blocks.js';
import { parseCommandText } from '../../lib/chatops/command.js';
import { digestModel, MAX_SNOOZE_BUTTONS, runDigest } from '../../lib/chatops/digest.js';
import type { PlannedAction } from '../../lib/policy/plan.js';
import { totalSavings } from '../../lib/policy/savings.js';
import { action, comingUp, groupPlan, planOf, runOf } from './digest-fixtures.js';

const OPTIONS = { command: 'plan' as const, requester: 'U0ALICE', approvalRequired: false };

function computeAction(group: string, id: string, plan: string, nodes: number): PlannedAction {
  return {
    ...action(group, id, 'idle'),
    savings: { kind: 'compute', resourcePlan: plan, nodes, atLeast: false, nodeHoursPerDay: nodes * 24 },
  };
}

const blockText = (value: unknown): string => JSON.stringify(value);

describe('digest: savings totals', () => {
  it('shows the run total by resource plan and each group’s, with unknown counted apart', () => {
    // Prepare
    const a = groupPlan('team-a', [computeAction('team-a', 'd1', 'infer.s', 2), computeAction('team-a', 'd2', 'infer.m', 1)]);
    const b = groupPlan('team-b', [computeAction('team-b', 'd3', 'infer.s', 3), action('team-b', 'e1', 'stale')]);
    const plan = planOf([a, b]);
    // Act
    const text = blockText(runDigest(runOf(plan), OPTIONS));
    // Assess
    expect(plan.savings.byPlan).toEqual([
      expect.objectContaining({ resourcePlan: 'infer.m', nodes: 1, nodeHoursPerDay: 24 }),
      expect.objectContaining({ resourcePlan: 'infer.s', nodes: 5, nodeHoursPerDay: 120 }),
    ]);
    expect(text).toContain('frees 1 node(s) infer.m (24 node h/day), 5 node(s) infer.s (120 node h/day)');
    expect(text).toContain('1 action(s) with unknown savings (not counted)');
    expect(text).toContain('Savings by group');
    expect(text).toContain('1 node(s) infer.m (24 node h/day), 2 node(s) infer.s (48 node h/day)');
    expect(text).toContain('3 node(s) infer.s (72 node h/day)');
  });

  it('shows an amount only at the user’s rates, labelled as an estimate', () => {
    const actions = [computeAction('g', 'd1', 'infer.s', 2)];
    const plan = {
      ...planOf([groupPlan('g', actions)]),
      savings: totalSavings(
        actions.map((x) => x.savings),
        { unit: 'EUR', perNodeHour: { 'infer.s': 1.5 } },
      ),
    };
    expect(blockText(runDigest(runOf(plan), OPTIONS))).toContain('estimate at your rates: ~72 EUR/day');
    expect(blockText(runDigest(runOf(planOf([groupPlan('g', actions)])), OPTIONS))).not.toContain('EUR');
  });
});

describe('digest: Coming up', () => {
  it('lists noticed items soonest first with when they will be acted on, and not among the skips', () => {
    const g = groupPlan(
      'g',
      [],
      [
        {
          group: 'g',
          type: 'deployments',
          id: 'd9',
          status: 'RUNNING',
          kind: 'noticed',
          reason: 'r: will stop after …',
          ruleId: 'r',
          ageSeconds: 1,
        },
      ],
      {
        comingUp: [comingUp('g', 'd9', { actAfter: '2026-11-25T12:00:00.000Z' }), comingUp('g', 'd8', { snoozedBy: 'U0BOB' })],
      },
    );
    const model = digestModel(runOf(planOf([g])), OPTIONS);
    const list = model.parts.find((p) => p.kind === 'list' && JSON.stringify(p.title).includes('Coming up'));
    expect(list).toBeDefined();
    expect(JSON.stringify(list)).toMatch(/d8.*2026-11-24T12:00.*d9.*2026-11-25T12:00/s);
    expect(JSON.stringify(list)).toContain('U0BOB');
    expect(model.parts.some((p) => p.kind === 'list' && JSON.stringify(p.title).includes('Left alone'))).toBe(false);
    expect(blockText(model)).toContain('2 noticed:');
  });

  it('Slack: 1-day and 1-week snooze buttons for the soonest noticed items, each sending `snooze <id> <duration>`', () => {
    const many = Array.from({ length: 30 }, (_, i) => comingUp('g', `d${String(i).padStart(2, '0')}`));
    const message = runDigest(runOf(planOf([groupPlan('g', [], [], { comingUp: many })])), OPTIONS);
    const buttons = message.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
    expect(buttons).toHaveLength(MAX_SNOOZE_BUTTONS * 2);
    expect(new Set(buttons.map((b) => b.action_id)).size).toBe(buttons.length);
    expect(buttons.slice(0, 2).map((b) => parseCommandText(b.value))).toEqual([
      { name: 'snooze', id: 'd00', duration: '1d' },
      { name: 'snooze', id: 'd00', duration: '1w' },
    ]);
    expect(message.blocks.length).toBeLessThanOrEqual(LIMITS.blocksPerMessage);
    expect(blockText(message)).toContain('… and 20 more noticed item(s)');
  });

  it('a plan says it gives no notice itself', () => {
    const message = runDigest(runOf(planOf([groupPlan('g', [], [], { comingUp: [comingUp('g', 'd1', { recorded: false })] })])), OPTIONS);
    expect(blockText(message)).toContain('a plan gives no notice');
  });

  it('Teams: the snooze command to type (Workflows cards carry no working buttons)', () => {
    const model = digestModel(runOf(planOf([groupPlan('g', [], [], { comingUp: [comingUp('g', 'd1')] })])), OPTIONS);
    const card = JSON.stringify(toTeamsMessage(model, { mentionName: 'Janitor' }));
    expect(card).toContain('@Janitor snooze d1 1d');
    expect(card).toContain('Coming up');
  });

  it('without noticed items nothing changes: no Coming up, no buttons but Approve', () => {
    const message = runDigest(runOf(planOf([groupPlan('g', [action('g', 'e1', 'stale')])])), OPTIONS);
    expect(blockText(message)).not.toContain('Coming up');
    expect(message.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : [])).every((b) => b.action_id === 'janitor_apply')).toBe(
      true,
    );
  });
});
