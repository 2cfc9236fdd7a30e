/**
 * The CLI's text for issue 17: "Coming up" under the plan (noticed items, when each will be acted
 * on, what acting frees) and warm nodes as standing cost under the report.
 */
import { describe, expect, it } from 'vitest';
import { renderPlan, renderReport } from '../../lib/run/render.js';
import { REPORT_VERSION, type RunReport } from '../../lib/run/report.js';
import { comingUp, groupPlan, planOf } from '../chatops/digest-fixtures.js';

function reportOf(plan: RunReport['plan'], warmNodes: RunReport['warmNodes']): RunReport {
  return {
    version: REPORT_VERSION,
    runId: 'r1',
    trigger: 'cli',
    startedAt: '2026-11-23T12:00:00.000Z',
    finishedAt: '2026-11-23T12:00:01.000Z',
    deadline: '2026-11-23T12:30:00.000Z',
    dryRun: true,
    notApplied: 'dry run: the trigger did not ask to apply',
    stopped: null,
    listingFailures: [],
    complete: true,
    plan,
    outcomes: [],
    totals: { planned: 0, sent: 0, confirmed: 0, awaitingConfirmation: 0, failed: 0, notAttempted: 0 },
    warmNodes,
    apiCalls: 0,
    storeRequests: 0,
  };
}

describe('CLI text: Coming up and standing cost', () => {
  it('lists noticed items soonest first, says which notices are new, and totals what they would free', () => {
    const plan = planOf([
      groupPlan('team-a', [], [], {
        comingUp: [
          comingUp('team-a', 'd-late', { actAfter: '2026-11-26T12:00:00.000Z', snoozedBy: 'U0BOB' }),
          comingUp('team-a', 'd-soon', { recorded: false }),
        ],
      }),
    ]);
    const text = renderPlan(plan);
    expect(text).toContain('Coming up: 2 item(s) noticed');
    expect(text).toMatch(
      /team-a\/deployments\/d-soon after 2026-11-24T12:00:00.000Z \(new notice\).*\n.*d-late after 2026-11-26T12:00:00.000Z \(r; saves 2× infer.s, snoozed by U0BOB\)/,
    );
    expect(text).toContain('`plan` only shows it');
    expect(text).toContain('Coming up would free: frees 4 node(s) infer.s (96 node h/day)');
  });

  it('says nothing of notices when there are none', () => {
    expect(renderPlan(planOf([groupPlan('g', [])]))).not.toContain('Coming up');
  });

  it('reports warm nodes as standing cost, an unknown read as unknown, and none as nothing', () => {
    const plan = planOf([groupPlan('g', [])]);
    expect(renderReport(reportOf(plan, { kind: 'known', plans: [{ resourcePlan: 'infer.l', provisioned: 2, requested: 2 }] }))).toContain(
      'Standing cost: warm nodes 2 infer.l (48 node h/day); reserved for the tenant, never acted on.',
    );
    expect(renderReport(reportOf(plan, { kind: 'unknown', reason: 'HTTP 403' }))).toContain('warm nodes unknown (HTTP 403)');
    expect(renderReport(reportOf(plan, { kind: 'known', plans: [] }))).not.toContain('Standing cost');
    expect(renderReport(reportOf(plan, null))).not.toContain('Standing cost');
  });
});
