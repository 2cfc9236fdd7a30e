import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkApproval, type RecordedPlan } from '../../lib/chatops/approval.js';
import { Command, parseCommandText } from '../../lib/chatops/command.js';
import { slackText } from '../../lib/chatops/slack-render.js';

describe('parseCommandText', () => {
  it.each([
    ['plan', { name: 'plan' }],
    ['  PLAN  ', { name: 'plan' }],
    ['status', { name: 'status' }],
    ['apply 3F2A9C1B7D0E', { name: 'apply', hash: '3f2a9c1b7d0e' }],
    [`apply ${'c'.repeat(64)}`, { name: 'apply', hash: 'c'.repeat(64) }],
    ['snooze e42 2d', { name: 'snooze', id: 'e42', duration: '2d' }],
    ['snooze e42 1d12h demo on   Monday', { name: 'snooze', id: 'e42', duration: '1d12h', reason: 'demo on Monday' }],
    ['', { name: 'help' }],
    ['help', { name: 'help' }],
  ])('%j → %j', (text, expected) => {
    expect(parseCommandText(text)).toEqual(expected);
  });

  it.each([
    ['destroy', 'unknown command `destroy`'],
    ['apply', '`apply` needs exactly one plan hash'],
    ['apply abc', 'is not a plan hash'],
    ['apply 3f2a9c1b 3f2a9c1b', '`apply` needs exactly one plan hash'],
    ['snooze e42', '`snooze` needs an id and a duration'],
    ['snooze e42 1.5h', 'is not a duration'],
    ['plan now', '`plan` takes no arguments'],
  ])('%j → help with a note', (text, note) => {
    const command = parseCommandText(text);
    expect(command.name).toBe('help');
    expect(command.name === 'help' ? command.note : '').toContain(note);
  });

  it('never throws and always yields a valid command (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.string().map((s) => `apply ${s}`),
          fc.string().map((s) => `snooze ${s}`),
        ),
        (text) => {
          expect(Command.safeParse(parseCommandText(text)).success).toBe(true);
        },
      ),
    );
  });
});

describe('checkApproval', () => {
  const now = new Date('2026-11-23T12:00:00Z');
  const plan: RecordedPlan = {
    hash: 'ab'.repeat(32),
    requester: 'U0ALICE',
    createdAt: '2026-11-23T11:30:00Z',
    expiresAt: '2026-11-23T12:30:00Z',
    approvedBy: null,
  };
  const input = { hash: plan.hash.slice(0, 12), matches: [plan], approver: 'U0BOB', required: true, now };

  it('approves a recorded, open, unused plan by someone else', () => {
    expect(checkApproval(input)).toEqual({ ok: true, plan });
  });
  it('lets the requester approve when the policy does not require a second person', () => {
    expect(checkApproval({ ...input, approver: 'U0ALICE', required: false }).ok).toBe(true);
  });
  it.each([
    ['no plan was shown', { matches: [] }, 'No plan'],
    ['the prefix is ambiguous', { matches: [plan, { ...plan, hash: `${plan.hash.slice(0, 12)}${'0'.repeat(52)}` }] }, 'more than one plan'],
    ['the window closed', { now: new Date('2026-11-23T12:30:00Z') }, 'approval window'],
    ['it was used', { matches: [{ ...plan, approvedBy: 'U0CAROL' }] }, 'already approved by <@U0CAROL>'],
    ['the requester approves their own plan', { approver: 'U0ALICE' }, 'requires someone else'],
  ])('refuses when %s', (_name, change, reason) => {
    const decision = checkApproval({ ...input, ...change });
    expect(decision.ok).toBe(false);
    expect(decision.ok ? '' : slackText(decision.reason)).toContain(reason);
  });
});

describe('policy: approval setting', () => {
  it('is optional (anyone may approve, within 1h) and strict', async () => {
    const { parsePolicy } = await import('../../lib/policy/index.js');
    const defaults = parsePolicy('version: 1\nrules: []\n', 'p.yaml');
    expect(defaults.ok && defaults.policy.approval).toEqual({ required: false, expiresAfter: '1h' });
    const set = parsePolicy('version: 1\nrules: []\napproval: { required: true, expiresAfter: 30m }\n', 'p.yaml');
    expect(set.ok && set.policy.approval).toEqual({ required: true, expiresAfter: '30m' });
    const typo = parsePolicy('version: 1\nrules: []\napproval: { requird: true }\n', 'p.yaml');
    expect(typo.ok ? [] : typo.errors.map((e) => e.message)).toEqual([expect.stringContaining('did you mean `required`?')]);
  });
});
