import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../lib/policy/compile.js';
import { evaluate } from '../../lib/policy/evaluate.js';
import { explain } from '../../lib/policy/explain.js';
import { parsePolicy } from '../../lib/policy/parse.js';
import { policyGivesNotices, type Notice } from '../../lib/policy/notices.js';
import { observationKey, type Observations } from '../../lib/policy/observations.js';
import { comingUpOf, comingUpSavings, type Plan } from '../../lib/policy/plan.js';
import { totalSavings } from '../../lib/policy/savings.js';
import type { PolicyInput } from '../../lib/policy/schema.js';
import type { Fleet } from '../../lib/resources.js';
import { NOW, OPEN_CAPS, ago, deployment, execution, group, observations, policy } from './factories.js';

const HOUR = 3_600_000;
const at = (hours: number): Date => new Date(NOW.getTime() + hours * HOUR);

const STOP_RUNNING: PolicyInput['rules'][number] = {
  id: 'stop-running',
  resource: 'deployments',
  match: { status: ['RUNNING'] },
  action: 'stop',
};

const withNotice = (notice: string | undefined, rule: Partial<PolicyInput['rules'][number]> = {}) =>
  policy({ caps: OPEN_CAPS, minimumAge: '0m', ...(notice === undefined ? {} : { notice }), rules: [{ ...STOP_RUNNING, ...rule }] });

const fleetOf = (...ids: string[]): Fleet => [group('g', { deployments: ids.map((id) => deployment(id)) })];

/** The notices a run would hold after writing a plan's changes over what it read. */
function persist(before: Readonly<Record<string, Notice>>, plan: Plan): Record<string, Notice> {
  const next = { ...before };
  for (const g of plan.groups) {
    for (const d of g.notices.drop) delete next[observationKey(d.group, d.type, d.id)];
    for (const n of g.notices.record) next[observationKey(n.group, n.type, n.id)] = n;
  }
  return next;
}

const skippedKind = (plan: Plan, id: string) => plan.groups.flatMap((g) => g.skipped).find((s) => s.id === id)?.kind;
const actionIds = (plan: Plan) => plan.groups.flatMap((g) => g.actions.map((a) => a.id));

describe('Heads-up notices', () => {
  it('with notice unset, the plan acts as before and gives or drops no notice', () => {
    // Prepare
    const p = withNotice(undefined);
    // Act
    const plan = evaluate({ fleet: fleetOf('d1'), policy: p, now: NOW, observations: observations() });
    // Assess
    expect(actionIds(plan)).toEqual(['d1']);
    expect(plan.groups[0]?.comingUp).toEqual([]);
    expect(plan.groups[0]?.notices).toEqual({ record: [], drop: [] });
  });

  it('the first selection gives a notice and skips the item as noticed; it acts once the notice has passed', () => {
    const p = withNotice('2d');
    const first = evaluate({ fleet: fleetOf('d1'), policy: p, now: NOW, observations: observations() });
    expect(actionIds(first)).toEqual([]);
    expect(skippedKind(first, 'd1')).toBe('noticed');
    const reason = first.groups[0]?.skipped[0]?.reason ?? '';
    expect(reason).toContain(`will stop after ${at(48).toISOString()} unless snoozed`);
    expect(first.groups[0]?.notices.record).toEqual([
      expect.objectContaining({
        id: 'd1',
        ruleId: 'stop-running',
        action: 'stop',
        noticedAt: NOW.toISOString(),
        actAfter: at(48).toISOString(),
      }),
    ]);
    expect(first.groups[0]?.comingUp).toEqual([
      expect.objectContaining({ id: 'd1', action: 'stop', actAfter: at(48).toISOString(), recorded: false }),
    ]);

    const held = persist({}, first);
    const dayLater = evaluate({ fleet: fleetOf('d1'), policy: p, now: at(24), observations: observations({ notices: held }) });
    expect(actionIds(dayLater)).toEqual([]);
    expect(dayLater.groups[0]?.notices.record).toEqual([]);
    expect(dayLater.groups[0]?.comingUp[0]).toMatchObject({ recorded: true, actAfter: at(48).toISOString() });

    const passed = evaluate({ fleet: fleetOf('d1'), policy: p, now: at(48), observations: observations({ notices: held }) });
    expect(actionIds(passed)).toEqual(['d1']);
  });

  it('a plan that is never recorded never acts: the notice starts only when a run records it', () => {
    const p = withNotice('1h');
    const later = evaluate({ fleet: fleetOf('d1'), policy: p, now: at(100), observations: observations() });
    expect(actionIds(later)).toEqual([]);
    expect(skippedKind(later, 'd1')).toBe('noticed');
  });

  it('an item that stops matching loses its notice; one that is no longer listed too', () => {
    const p = withNotice('2d');
    const held = persist({}, evaluate({ fleet: fleetOf('d1', 'd2'), policy: p, now: NOW, observations: observations() }));
    const stopped = [group('g', { deployments: [deployment('d1', { status: 'STOPPED' })] })];
    const plan = evaluate({ fleet: stopped, policy: p, now: at(1), observations: observations({ notices: held }) });
    expect(plan.groups[0]?.notices.drop).toEqual(
      expect.arrayContaining([
        { group: 'g', type: 'deployments', id: 'd1' },
        { group: 'g', type: 'deployments', id: 'd2' },
      ]),
    );
    // Back to RUNNING after losing its notice: a fresh heads-up, not an action.
    const again = evaluate({ fleet: fleetOf('d1'), policy: p, now: at(72), observations: observations({ notices: persist(held, plan) }) });
    expect(skippedKind(again, 'd1')).toBe('noticed');
  });

  it('a group that could not be listed keeps its notices', () => {
    const p = withNotice('2d');
    const held = persist({}, evaluate({ fleet: fleetOf('d1'), policy: p, now: NOW, observations: observations() }));
    const plan = evaluate({
      fleet: [group('g', { listingError: 'HTTP 500' })],
      policy: p,
      now: at(1),
      observations: observations({ notices: held }),
    });
    expect(plan.groups[0]?.notices).toEqual({ record: [], drop: [] });
  });

  it('a protected (snoozed) item keeps its notice', () => {
    const p = withNotice('2d');
    const held = persist({}, evaluate({ fleet: fleetOf('d1'), policy: p, now: NOW, observations: observations() }));
    const plan = evaluate({
      fleet: fleetOf('d1'),
      policy: p,
      now: at(1),
      observations: observations({ notices: held, snoozes: { d1: at(24).toISOString() } }),
    });
    expect(skippedKind(plan, 'd1')).toBe('protected');
    expect(plan.groups[0]?.notices.drop).toEqual([]);
  });

  it("a rule's own notice overrides the default, and 0m switches it off", () => {
    expect(
      actionIds(evaluate({ fleet: fleetOf('d1'), policy: withNotice('2d', { notice: '0m' }), now: NOW, observations: observations() })),
    ).toEqual(['d1']);
    const own = evaluate({ fleet: fleetOf('d1'), policy: withNotice(undefined, { notice: '3h' }), now: NOW, observations: observations() });
    expect(own.groups[0]?.notices.record[0]?.actAfter).toBe(at(3).toISOString());
  });

  it('the compiled policy holds each rule’s notice in seconds, and whether any rule gives one', () => {
    const p = policy({
      notice: '2d',
      rules: [STOP_RUNNING, { ...STOP_RUNNING, id: 'own', notice: '3h' }, { ...STOP_RUNNING, id: 'off', notice: '0m' }],
    });
    expect(compilePolicy(p).rules.deployments.map((r) => r.noticeSeconds)).toEqual([172_800, 10_800, null]);
    expect(compilePolicy(p).givesNotices).toBe(true);
    expect(policyGivesNotices(p)).toBe(true);
    expect(policyGivesNotices(withNotice(undefined))).toBe(false);
    expect(policyGivesNotices(withNotice('2d', { notice: '0m' }))).toBe(false);
  });

  it('comingUpOf lists every group’s noticed items soonest first; comingUpSavings prices them without rates', () => {
    const p = policy({
      caps: OPEN_CAPS,
      minimumAge: '0m',
      notice: '2d',
      rules: [{ ...STOP_RUNNING, id: 'soon', notice: '3h', match: { configuration: 'cfg-b*' } }, STOP_RUNNING],
    });
    const fleet = [group('a', { deployments: [deployment('a1')] }), group('b', { deployments: [deployment('b1')] })];
    const plan = evaluate({ fleet, policy: p, now: NOW, observations: observations() });
    const coming = comingUpOf(plan);
    expect(coming.map((c) => [c.id, c.actAfter])).toEqual([
      ['b1', at(3).toISOString()],
      ['a1', at(48).toISOString()],
    ]);
    expect(comingUpSavings(coming)).toEqual(
      totalSavings(
        coming.map((c) => c.savings),
        undefined,
      ),
    );
  });

  it('a notice for another action (stop given, delete now) is given again', () => {
    const p = withNotice('1h', { action: 'stop-then-delete', match: { status: ['RUNNING', 'STOPPED'] } });
    const stopNotice: Notice = {
      group: 'g',
      type: 'deployments',
      id: 'd1',
      ruleId: 'stop-running',
      action: 'stop',
      noticedAt: ago(48),
      actAfter: ago(47),
      snoozedBy: null,
      snoozeReason: null,
    };
    const fleet = [group('g', { deployments: [deployment('d1', { status: 'STOPPED' })] })];
    const plan = evaluate({ fleet, policy: p, now: NOW, observations: observations({ notices: { 'g#deployments#d1': stopNotice } }) });
    expect(actionIds(plan)).toEqual([]);
    expect(plan.groups[0]?.notices.record[0]).toMatchObject({ action: 'delete', actAfter: at(1).toISOString() });
  });

  it('an unreadable notice end never acts', () => {
    const broken: Notice = {
      group: 'g',
      type: 'deployments',
      id: 'd1',
      ruleId: 'stop-running',
      action: 'stop',
      noticedAt: 'yesterday',
      actAfter: 'soon',
      snoozedBy: null,
      snoozeReason: null,
    };
    const plan = evaluate({
      fleet: fleetOf('d1'),
      policy: withNotice('1h'),
      now: at(1000),
      observations: observations({ notices: { 'g#deployments#d1': broken } }),
    });
    expect(actionIds(plan)).toEqual([]);
    expect(skippedKind(plan, 'd1')).toBe('noticed');
  });

  it('noticed items count toward no cap', () => {
    const p = policy({ minimumAge: '0m', notice: '1d', caps: { ...OPEN_CAPS, maxActionsPerGroup: 1 }, rules: [STOP_RUNNING] });
    const plan = evaluate({ fleet: fleetOf('d1', 'd2', 'd3'), policy: p, now: NOW, observations: observations() });
    expect(plan.groups[0]?.aborted).toBeNull();
    expect(plan.groups[0]?.comingUp.map((c) => c.id)).toEqual(['d1', 'd2', 'd3']);
  });

  it('explain shows the notice, its end and the savings', () => {
    const p = withNotice('2d');
    const held = persist({}, evaluate({ fleet: fleetOf('d1'), policy: p, now: NOW, observations: observations() }));
    const e = explain({ fleet: fleetOf('d1'), policy: p, now: at(1), observations: observations({ notices: held }), id: 'd1' });
    expect(e.items[0]?.notice).toMatchObject({ actAfter: at(48).toISOString(), recorded: true });
    expect(e.items[0]?.decision.kind).toBe('noticed');
    expect(e.items[0]?.savings).toMatchObject({ kind: 'unknown' });
  });

  it('the policy schema knows notice: a typo gets a did-you-mean, a bad duration a hint', () => {
    const typo = parsePolicy('version: 1\nnotise: 2d\nrules: []\n', 'p.yaml');
    expect(typo.ok).toBe(false);
    expect(JSON.stringify(typo)).toMatch(/notice/);
    const bad = parsePolicy(
      'version: 1\nrules:\n  - { id: r, resource: deployments, match: { status: [RUNNING] }, action: stop, notice: 2 days }\n',
      'p.yaml',
    );
    expect(bad.ok).toBe(false);
    expect(JSON.stringify(bad)).toMatch(/duration/);
  });
});

// ── properties ────────────────────────────────────────────────────────────────────────────────

const STATUSES = ['RUNNING', 'PENDING', 'STOPPED', 'DEAD', 'STOPPING'] as const;
const fleetArb: fc.Arbitrary<Fleet> = fc
  .array(fc.record({ status: fc.constantFrom(...STATUSES), hours: fc.integer({ min: 0, max: 24 * 10 }) }), { maxLength: 8 })
  .map((items) => [
    group('g', {
      deployments: items.map((it, i) => deployment(`d${i}`, { status: it.status, createdAt: ago(it.hours) })),
      executions: items.map((it, i) => execution(`e${i}`, { status: it.status, createdAt: ago(it.hours) })),
    }),
  ]);
const policyArb = fc
  .record({
    notice: fc.constantFrom(undefined, '0m', '1h', '1d'),
    ruleNotice: fc.constantFrom(undefined, '0m', '2h'),
    action: fc.constantFrom('stop', 'delete', 'stop-then-delete'),
    resource: fc.constantFrom('executions', 'deployments'),
  })
  .map(({ notice, ruleNotice, action, resource }) =>
    policy({
      caps: OPEN_CAPS,
      minimumAge: '1h',
      ...(notice === undefined ? {} : { notice }),
      rules: [{ id: 'r', resource, action, match: { status: [...STATUSES] }, ...(ruleNotice === undefined ? {} : { notice: ruleNotice }) }],
    }),
  );
/** Notices recorded somewhere in the past or the future, for any of the items, with any action. */
const noticesArb = fc
  .array(
    fc.record({
      i: fc.integer({ min: 0, max: 7 }),
      type: fc.constantFrom('executions', 'deployments'),
      action: fc.constantFrom('stop', 'delete'),
      endHours: fc.integer({ min: -48, max: 48 }),
    }),
    { maxLength: 6 },
  )
  .map((list) =>
    Object.fromEntries(
      list.map(({ i, type, action, endHours }) => {
        const id = `${type === 'executions' ? 'e' : 'd'}${i}`;
        const notice: Notice = {
          group: 'g',
          type,
          id,
          ruleId: 'r',
          action,
          noticedAt: ago(72),
          actAfter: new Date(NOW.getTime() + endHours * HOUR).toISOString(),
          snoozedBy: null,
          snoozeReason: null,
        };
        return [observationKey('g', type, id), notice];
      }),
    ),
  );

describe('Properties of notices', () => {
  it('never make an item act earlier than without them, and an item under a notice acts only once it has passed', () => {
    fc.assert(
      fc.property(fleetArb, policyArb, noticesArb, (fleet, p, notices) => {
        const obs: Observations = observations({ notices });
        const withNotices = evaluate({ fleet, policy: p, now: NOW, observations: obs });
        const without = evaluate({
          fleet,
          policy: { ...p, notice: undefined, rules: p.rules.map((r) => ({ ...r, notice: undefined })) },
          now: NOW,
          observations: obs,
        });
        const allowed = new Set(without.groups.flatMap((g) => g.actions.map((a) => `${a.type}#${a.id}#${a.action}`)));
        const noticeOn = (p.rules[0]?.notice ?? p.notice ?? '0m') !== '0m';
        for (const a of withNotices.groups.flatMap((g) => g.actions)) {
          expect(allowed.has(`${a.type}#${a.id}#${a.action}`)).toBe(true);
          if (noticeOn) {
            const n = notices[observationKey(a.group, a.type, a.id)];
            expect(n?.action).toBe(a.action);
            expect(Date.parse(n?.actAfter ?? 'x')).toBeLessThanOrEqual(NOW.getTime());
          }
        }
        // Every item the notice held back is in "Coming up", with a notice to keep or give.
        const noticed = withNotices.groups.flatMap((g) => g.skipped.filter((s) => s.kind === 'noticed').map((s) => s.id));
        expect(withNotices.groups.flatMap((g) => g.comingUp.map((c) => c.id)).sort()).toEqual([...noticed].sort());
      }),
      { numRuns: 300 },
    );
  });

  it('a sequence of recorded runs over a clock that moves on acts no earlier than the notice after the first selection', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 6 }), (steps) => {
        const p = withNotice('1d');
        let notices: Record<string, Notice> = {};
        let hours = 0;
        for (const step of steps) {
          hours += step;
          const plan = evaluate({ fleet: fleetOf('d1'), policy: p, now: at(hours), observations: observations({ notices }) });
          if (actionIds(plan).length > 0) {
            expect(hours - (steps[0] ?? 0)).toBeGreaterThanOrEqual(24);
          }
          notices = persist(notices, plan);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('examples/notices-and-rates.yaml', () => {
  it('validates, gives the dev deployment a 3-day notice, deletes a finished run at once, and prices in EUR', async () => {
    const { readFile } = await import('node:fs/promises');
    const parsed = parsePolicy(await readFile('examples/notices-and-rates.yaml', 'utf8'), 'examples/notices-and-rates.yaml');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const fleet: Fleet = [
      group('g', {
        deployments: [
          deployment('d-dev', {
            details: {
              resources: { backend_details: { predictor: { resource_plan: 'infer.s' } } },
              scaling: { backend_details: { predictor: { running_replicas: 1 } } },
            },
          }),
        ],
        executions: [execution('e-done', { status: 'COMPLETED', completionTime: ago(24 * 8) })],
      }),
    ];
    const plan = evaluate({ fleet, policy: parsed.policy, now: NOW, observations: observations() });
    expect(actionIds(plan)).toEqual(['e-done']);
    expect(plan.groups[0]?.comingUp).toEqual([expect.objectContaining({ id: 'd-dev', actAfter: at(72).toISOString() })]);
    const held = persist({}, plan);
    const later = evaluate({ fleet, policy: parsed.policy, now: at(72), observations: observations({ notices: held }) });
    expect(later.savings.estimate).toEqual({ perDay: 24 * 0.42, unit: 'EUR', complete: true });
  });
});
