/**
 * Plans and runs for digest tests (Slack and Teams renderers alike): builders, and a fast-check
 * arbitrary for groups with hostile names and reasons of any size.
 */
import fc from 'fast-check';
import type { DigestRun } from '../../lib/chatops/digest.js';
import type { ComingUp } from '../../lib/policy/notices.js';
import type { GroupPlan, Plan, PlannedAction, SkippedItem } from '../../lib/policy/plan.js';
import { SKIP_KINDS } from '../../lib/policy/plan.js';
import { totalSavings } from '../../lib/policy/savings.js';

const HASH = 'a'.repeat(64);

function action(group: string, id: string, reason: string, kind: 'stop' | 'delete' = 'stop'): PlannedAction {
  return {
    group,
    type: 'executions',
    id,
    action: kind,
    targetStatus: kind === 'stop' ? 'STOPPED' : 'DELETED',
    status: 'RUNNING',
    ruleId: 'r',
    reason,
    ageSeconds: 1,
    matched: [],
    savings: { kind: 'unknown', reason: 'the listing gives no resource plan for this execution', resourcePlan: null },
  };
}

/** A noticed item, acted on a day after the fixtures' evaluation instant. */
function comingUp(group: string, id: string, overrides: Partial<ComingUp> = {}): ComingUp {
  return {
    group,
    type: 'deployments',
    id,
    action: 'stop',
    ruleId: 'r',
    noticedAt: '2026-11-23T12:00:00.000Z',
    actAfter: '2026-11-24T12:00:00.000Z',
    recorded: true,
    snoozedBy: null,
    savings: { kind: 'compute', resourcePlan: 'infer.s', nodes: 2, atLeast: false, nodeHoursPerDay: 48 },
    ...overrides,
  };
}

function groupPlan(group: string, actions: PlannedAction[], skipped: SkippedItem[] = [], extra: Partial<GroupPlan> = {}): GroupPlan {
  const stop = actions.filter((a) => a.action === 'stop').length;
  return {
    group,
    actions,
    skipped,
    aborted: null,
    listingError: null,
    savings: totalSavings(
      actions.map((a) => a.savings),
      undefined,
    ),
    totals: {
      listed: actions.length + skipped.length,
      stop,
      delete: actions.length - stop,
      skipped: skipped.length,
      protected: skipped.filter((s) => s.kind === 'protected').length,
    },
    comingUp: [],
    notices: { record: [], drop: [] },
    ...extra,
  };
}

function planOf(groups: GroupPlan[], mode: Plan['mode'] = 'apply'): Plan {
  const sum = (k: keyof GroupPlan['totals']) => groups.reduce((n, g) => n + g.totals[k], 0);
  return {
    version: 1,
    hash: HASH,
    policyDigest: 'b'.repeat(64),
    mode,
    evaluatedAt: '2026-11-23T12:00:00Z',
    groups,
    aborted: null,
    savings: totalSavings(
      groups.flatMap((g) => g.actions.map((a) => a.savings)),
      undefined,
    ),
    totals: { listed: sum('listed'), stop: sum('stop'), delete: sum('delete'), skipped: sum('skipped'), protected: sum('protected') },
  };
}

function runOf(plan: Plan, outcomes: DigestRun['outcomes'] = []): DigestRun {
  return {
    runId: 'run-1',
    dryRun: true,
    notApplied: 'dry run: the trigger did not ask to apply',
    plan,
    outcomes,
    totals: { planned: 0, sent: 0, confirmed: 0, awaitingConfirmation: 0, failed: 0, notAttempted: 0 },
    listingFailures: [],
    stopped: null,
  };
}

const text = (max: number) =>
  fc.string({ maxLength: max, size: 'max', unit: fc.constantFrom('a', 'Z', ' ', '&', '<', '>', '`', '*', '_', 'é', '😀', '\n') });

const arbitraryGroup = fc
  .record({
    name: text(300).map((s) => `g${s}`),
    actions: fc.array(fc.record({ id: text(300).map((s) => `i${s}`), reason: text(1200), stop: fc.boolean() }), {
      maxLength: 40,
      size: 'max',
    }),
    skipped: fc.array(fc.record({ id: fc.option(text(200)), reason: text(1200), kind: fc.constantFrom(...SKIP_KINDS) }), {
      maxLength: 40,
      size: 'max',
    }),
    listingError: fc.option(text(3000)),
    aborted: fc.option(text(3000)),
    comingUp: fc.array(fc.record({ id: text(300).map((s) => `n${s}`), ruleId: text(200), snoozedBy: fc.option(text(100)) }), {
      maxLength: 20,
      size: 'max',
    }),
  })
  .map((g) =>
    groupPlan(
      g.name,
      g.actions.map((a) => action(g.name, a.id, a.reason, a.stop ? 'stop' : 'delete')),
      g.skipped.map((s) => ({
        group: g.name,
        type: 'deployments',
        id: s.id,
        status: null,
        kind: s.kind,
        reason: s.reason,
        ruleId: null,
        ageSeconds: null,
      })),
      {
        listingError: g.listingError,
        aborted: g.aborted === null ? null : { cap: 'maxActionsPerGroup', limit: 1, selected: 2, reason: g.aborted },
        comingUp: g.comingUp.map((c) => comingUp(g.name, c.id, { ruleId: c.ruleId, snoozedBy: c.snoozedBy })),
      },
    ),
  );

/** A plan from short specs: `actions` stop actions per group, all with `reason`. */
function simplePlan(specs: ReadonlyArray<{ name: string; actions: number; reason?: string }>): Plan {
  return planOf(
    specs.map((s) =>
      groupPlan(
        s.name,
        Array.from({ length: s.actions }, (_, i) => action(s.name, `e${i}`, s.reason ?? `stale for ${i}h`)),
      ),
    ),
  );
}

export { HASH, action, comingUp, groupPlan, planOf, runOf, text, arbitraryGroup, simplePlan };
