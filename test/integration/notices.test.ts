/**
 * Heads-up notices through whole runs (simulator + dynalite, one moved clock): `plan` records
 * nothing, the first scheduled run or apply gives the notice and sends nothing, a later run acts
 * once the notice has passed, and the notice is spent once its action was sent.
 */
import { describe, expect, it } from 'vitest';
import { done, janitorHarness, MINUTE } from '../helpers/janitor-harness.js';
import { execution, fleetOf, many } from '../helpers/fleet.js';
import { parseTestPolicy } from '../helpers/test-policies.js';

const h = janitorHarness();
const DAY = 24 * 60 * MINUTE;

const NOTICE_POLICY = parseTestPolicy(
  `
version: 1
mode: apply
notice: 1d
caps: { maxActionsPerRun: 3, maxActionsPerGroup: 100, maxActionsPerDay: 1000, maxPercentOfGroup: 100 }
rules:
  - id: stale
    resource: executions
    match: { status: [RUNNING] }
    action: stop
`,
  'notice-policy.yaml',
);

const running = (n: number) => fleetOf({ g1: { executions: many(n, 'runs', (id) => execution(id, 'RUNNING')) } });
const notices = async () => Object.keys((await h.store.observations([], h.clock.date(), { notices: true })).notices ?? {});

describe('Heads-up notices over runs', () => {
  it('plan records nothing; a scheduled dry run gives the notices; an apply acts only once they have passed', async () => {
    await h.start(running(5), { acceptDelayMs: 0 });

    // plan (the CLI's: no consent, not the schedule): shows what would be noticed, records nothing.
    const plan = done(await h.janitor({ config: { policy: NOTICE_POLICY, trigger: 'cli', consent: false } })).report;
    expect(plan.plan.groups[0]?.comingUp).toHaveLength(5);
    expect(await notices()).toEqual([]);

    // The scheduled dry run gives the notices (five, although maxActionsPerRun is 3: notices count toward no cap).
    const scheduled = done(await h.janitor({ config: { policy: NOTICE_POLICY, trigger: 'schedule', consent: false } })).report;
    expect(scheduled.plan.aborted).toBeNull();
    expect(await notices()).toHaveLength(5);

    // An apply an hour later: still noticed, nothing sent.
    h.clock.advance(60 * MINUTE);
    const early = done(await h.janitor({ config: { policy: NOTICE_POLICY } })).report;
    expect(early.plan.totals.stop).toBe(0);
    expect(early.plan.groups[0]?.comingUp.every((c) => c.recorded)).toBe(true);
    expect(h.submittedIds()).toEqual([]);

    // A day later: the notices have passed; caps apply when acting (3 of 5, oldest first is not set: abort).
    h.clock.advance(DAY);
    const late = done(await h.janitor({ config: { policy: NOTICE_POLICY } })).report;
    expect(late.plan.aborted?.cap).toBe('maxActionsPerRun');
    expect(h.submittedIds()).toEqual([]);
    const uncapped = { ...NOTICE_POLICY, caps: { ...NOTICE_POLICY.caps, maxActionsPerRun: 100 } };
    const acted = done(await h.janitor({ config: { policy: uncapped } })).report;
    expect(acted.totals.sent).toBe(5);
    // Spent: a later action on these items needs a fresh heads-up.
    expect(await notices()).toEqual([]);
  });

  it('without notice: the first apply acts, as before (the notice is what held the runs above back)', async () => {
    await h.start(running(2), { acceptDelayMs: 0 });
    const policy = { ...NOTICE_POLICY, notice: undefined, caps: { ...NOTICE_POLICY.caps, maxActionsPerRun: 100 } };
    const report = done(await h.janitor({ config: { policy } })).report;
    expect(report.totals.sent).toBe(2);
    expect(await notices()).toEqual([]);
  });

  it('an item that stops matching loses its notice', async () => {
    await h.start(fleetOf({ g1: { executions: [execution('run000001', 'RUNNING')] } }), { acceptDelayMs: 0 });
    done(await h.janitor({ config: { policy: NOTICE_POLICY, trigger: 'schedule', consent: false } }));
    expect(await notices()).toEqual(['g1#executions#run000001']);
    const other = parseTestPolicy(
      'version: 1\nmode: apply\nnotice: 1d\nrules:\n  - { id: stale, resource: executions, match: { status: [PENDING] }, action: stop }\n',
      'other.yaml',
    );
    done(await h.janitor({ config: { policy: other, trigger: 'schedule', consent: false } }));
    expect(await notices()).toEqual([]);
  });
});
