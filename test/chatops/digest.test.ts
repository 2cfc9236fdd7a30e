import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LIMITS, type SlackMessage } from '../../lib/chatops/blocks.js';
import { runDigest } from '../../lib/chatops/digest.js';
import { helpMessage, statusMessage } from '../../lib/chatops/messages.js';
import { toBlockKit } from '../../lib/chatops/slack-render.js';
import { HASH, action, arbitraryGroup, groupPlan, planOf, runOf, text } from './digest-fixtures.js';

/** Every Block Kit limit the digests must respect; returns the violations. */
function violations(message: SlackMessage): string[] {
  const out: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) out.push(what);
  };
  check(message.blocks.length <= LIMITS.blocksPerMessage, `${message.blocks.length} blocks`);
  check(message.text.length <= LIMITS.fallbackText, 'fallback text too long');
  for (const block of message.blocks) {
    if (block.type === 'header') check(block.text.text.length <= LIMITS.headerText && block.text.text.length > 0, 'header');
    if (block.type === 'section' && 'text' in block)
      check(block.text.text.length <= LIMITS.text && block.text.text.length > 0, `section text ${block.text.text.length}`);
    if (block.type === 'section' && 'fields' in block) {
      check(block.fields.length <= LIMITS.fieldsPerSection, 'fields count');
      for (const f of block.fields) check(f.text.length <= LIMITS.fieldText, 'field text');
    }
    if (block.type === 'context') {
      check(block.elements.length <= LIMITS.contextElements, 'context elements');
      for (const e of block.elements) check(e.text.length <= LIMITS.text, 'context text');
    }
    if (block.type === 'actions')
      for (const b of block.elements) check(b.text.text.length <= LIMITS.buttonText && b.value.length <= LIMITS.buttonValue, 'button');
  }
  return out;
}

describe('run digest', () => {
  it('never exceeds Slack’s limits, whatever the plan’s size or text (property)', () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryGroup, { maxLength: 60, size: 'max' }),
        fc.constantFrom('plan' as const, 'apply' as const),
        fc.array(
          fc.record({
            id: text(300),
            message: text(2000),
            state: fc.constantFrom('failed', 'awaiting-confirmation', 'not-attempted', 'confirmed'),
          }),
          { maxLength: 50 },
        ),
        text(5000),
        (groups, command, outcomes, requester) => {
          const plan = planOf(groups);
          const run = {
            ...runOf(
              plan,
              outcomes.map((o) => ({ group: 'g', type: 'executions', action: 'stop', ...o })),
            ),
            dryRun: command === 'plan',
          };
          const message = runDigest(run, {
            command,
            requester,
            approver: command === 'apply' ? requester : undefined,
            expiresAt: '2026-11-23T13:00:00Z',
            approvalRequired: true,
          });
          expect(violations(message)).toEqual([]);
        },
      ),
      { numRuns: 20 },
    );
  }, 60_000);

  it('summarises a large plan in one message: per-group counts, the top actions and "… and N more"', () => {
    const groups = Array.from({ length: 35 }, (_, g) =>
      groupPlan(
        `group-${String(g).padStart(2, '0')}`,
        Array.from({ length: 30 }, (_, i) => action(`group-${g}`, `e${g}-${i}`, `stale for ${i}h`)),
      ),
    );
    const message = runDigest(runOf(planOf(groups)), {
      command: 'plan',
      requester: 'U1',
      expiresAt: '2026-11-23T13:00:00Z',
      approvalRequired: false,
    });
    const all = JSON.stringify(message.blocks);
    expect(violations(message)).toEqual([]);
    expect(all).toContain('*group-00*\\nstop 30 · delete 0 · skipped 0 · protected 0');
    expect(all).toContain('… and 15 more group(s): 450 to stop');
    expect(all).toContain('… and 1035 more action(s)');
    expect(message.text).toBe(`Janitor plan ${HASH.slice(0, 12)}: 1050 to stop, 0 to delete, 0 skipped (dry run)`);
  });

  it('offers an Approve button carrying `apply <hash>` only for an actionable plan', () => {
    const actionable = runDigest(runOf(planOf([groupPlan('g', [action('g', 'e1', 'old')])])), {
      command: 'plan',
      requester: 'U1',
      approvalRequired: true,
    });
    expect(actionable.blocks.at(-1)).toMatchObject({
      type: 'actions',
      elements: [{ type: 'button', value: `apply ${HASH}`, action_id: 'janitor_apply' }],
    });

    const nothing = runDigest(runOf(planOf([groupPlan('g', [])])), { command: 'plan', requester: 'U1', approvalRequired: true });
    expect(nothing.blocks.some((b) => b.type === 'actions')).toBe(false);

    const dryRunPolicy = runDigest(runOf(planOf([groupPlan('g', [action('g', 'e1', 'old')])], 'dry-run')), {
      command: 'plan',
      requester: 'U1',
      approvalRequired: false,
    });
    expect(dryRunPolicy.blocks.some((b) => b.type === 'actions')).toBe(false);
    expect(JSON.stringify(dryRunPolicy.blocks)).toContain('mode: dry-run');

    const aborted = planOf([groupPlan('g', [action('g', 'e1', 'old')])]);
    aborted.aborted = { cap: 'maxActionsPerRun', limit: 0, selected: 1, reason: 'too many' };
    expect(
      runDigest(runOf(aborted), { command: 'plan', requester: 'U1', approvalRequired: false }).blocks.some((b) => b.type === 'actions'),
    ).toBe(false);
  });

  it('escapes Slack’s control characters in names and reasons', () => {
    const message = runDigest(runOf(planOf([groupPlan('<!channel>', [action('<!channel>', 'e`1', 'a & b <@U1>')])])), {
      command: 'plan',
      requester: 'U1',
      approvalRequired: false,
    });
    const all = JSON.stringify(message.blocks);
    expect(all).not.toContain('<!channel>');
    expect(all).toContain('&lt;!channel&gt;');
    expect(all).toContain('a &amp; b &lt;@U1&gt;');
  });

  it('says why an apply did not act, and lists failed outcomes', () => {
    const plan = planOf([groupPlan('g', [action('g', 'e1', 'old')])]);
    const refused = runDigest(
      { ...runOf(plan), dryRun: true, notApplied: 'not applied: the plan changed since it was approved (approved aaaa, now bbbb)' },
      { command: 'apply', requester: 'U1', approver: 'U2', approvalRequired: true },
    );
    expect(refused.blocks[0]).toMatchObject({ text: { text: `Janitor apply ${HASH.slice(0, 12)}: not applied` } });
    expect(JSON.stringify(refused.blocks)).toContain('the plan changed since it was approved');

    const applied = runDigest(
      {
        ...runOf(plan, [{ group: 'g', type: 'executions', id: 'e1', action: 'stop', state: 'failed', message: 'HTTP 500' }]),
        dryRun: false,
        notApplied: null,
      },
      { command: 'apply', requester: 'U1', approver: 'U2', approvalRequired: true },
    );
    expect(JSON.stringify(applied.blocks)).toContain('`failed` g · executions `e1` — HTTP 500');
    expect(JSON.stringify(applied.blocks)).toContain('Approved by <@U2>');
  });
});

describe('short messages', () => {
  it('help lists every command; status fits any number of runs', () => {
    expect(JSON.stringify(toBlockKit(helpMessage()).blocks)).toMatch(
      /plan.*apply &lt;hash&gt;.*status.*snooze &lt;id&gt; &lt;duration&gt;.*help/s,
    );
    const runs = Array.from({ length: 200 }, (_, i) => ({
      runId: `r${i}`,
      trigger: 'slack:U1',
      startedAt: '2026-11-23T12:00:00Z',
      dryRun: i % 2 === 0,
      planHash: HASH,
      summary: 'x'.repeat(300),
    }));
    expect(violations(toBlockKit(statusMessage(runs)))).toEqual([]);
  });
});
