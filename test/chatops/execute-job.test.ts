/**
 * The chat use case on its own ports (lib/chatops/execute-job.ts): no adapter, no platform, no
 * AI Core — a memory store, a recording runner, a recording reply and a fixed clock.
 */
import { describe, expect, it } from 'vitest';
import { executeChatJob } from '../../lib/chatops/execute-job.js';
import { ChatJob } from '../../lib/chatops/job.js';
import { type ChatMessage, plainText } from '../../lib/chatops/model.js';
import type { ChatApprovalRules, ChatPorts, ChatRunRequest, ChatRunResult } from '../../lib/chatops/ports.js';
import type { Notice } from '../../lib/policy/notices.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { HASH, runOf, simplePlan } from './digest-fixtures.js';

const NOW = new Date('2026-11-23T12:00:00Z');

function job(command: ChatJob['command'], user: string, triggerId: string, source = 'slack-command'): ChatJob {
  return ChatJob.parse({
    version: 1,
    source,
    command,
    user: { id: user },
    responseUrl: 'https://hooks.slack.com/commands/T1/1/x',
    triggerId,
    receivedAt: NOW.toISOString(),
  });
}

function ports(options: { approval?: ChatApprovalRules; result?: ChatRunResult } = {}) {
  const store = new MemoryStore('T#use-case@host');
  const runs: ChatRunRequest[] = [];
  const replies: ChatMessage[] = [];
  const claimedBeforeRun: boolean[] = [];
  const plan = { ...simplePlan([{ name: 'g1', actions: 2 }]), hash: HASH };
  const wired: ChatPorts = {
    store,
    approval: () => Promise.resolve(options.approval ?? { required: true, expiresAfter: '2h' }),
    run: async (request) => {
      runs.push(request);
      if (request.requirePlanHash !== undefined)
        claimedBeforeRun.push((await store.findPlans(request.requirePlanHash, 1))[0]?.approvedBy !== null);
      return options.result ?? { status: 'done', report: runOf(plan) };
    },
    reply: (_job, message) => {
      replies.push(message);
      return Promise.resolve(true);
    },
    clock: () => NOW,
    remainingMs: () => 60_000,
    disabled: false,
    log: () => undefined,
  };
  return { wired, store, runs, replies, claimedBeforeRun };
}

describe('executeChatJob (the use case behind ports)', () => {
  it('plan: one dry run under the trigger, the plan recorded with the policy window, one reply', async () => {
    const { wired, store, runs, replies } = ports();
    expect(await executeChatJob(job({ name: 'plan' }, 'U0ALICE', 'slack:t1'), wired)).toMatchObject({ status: 'answered', posted: true });
    expect(runs).toEqual([{ trigger: 'slack:U0ALICE', triggerId: 'slack:t1#run', consent: false }]);
    expect(await store.findPlans(HASH, 2)).toEqual([
      expect.objectContaining({ requester: 'U0ALICE', expiresAt: '2026-11-23T14:00:00.000Z', approvedBy: null }),
    ]);
    expect(replies).toHaveLength(1);
  });

  it('apply: refused for the requester when approval is required; for someone else claimed before the run, with the hash required', async () => {
    const { wired, runs, replies, claimedBeforeRun } = ports();
    await executeChatJob(job({ name: 'plan' }, 'U0ALICE', 'slack:t1'), wired);
    await executeChatJob(job({ name: 'apply', hash: HASH.slice(0, 12) }, 'U0ALICE', 'slack:t2'), wired);
    expect(runs).toHaveLength(1);
    expect(replies.at(-1)?.text).toContain('requires someone else');
    await executeChatJob(job({ name: 'apply', hash: HASH.slice(0, 12) }, 'U0BOB', 'slack:t3'), wired);
    expect(runs.at(-1)).toEqual({ trigger: 'slack:U0BOB', triggerId: 'slack:t3#run', consent: true, requirePlanHash: HASH });
    expect(claimedBeforeRun).toEqual([true]);
  });

  it("a run another run's lock kept out is answered as not run, and nothing is recorded", async () => {
    const { wired, store, replies } = ports({ result: { status: 'locked', message: 'run r0 holds the run lock' } });
    await executeChatJob(job({ name: 'plan' }, 'U0ALICE', 'slack:t1'), wired);
    expect(replies[0]?.text).toContain('Not run: run r0 holds the run lock. Try again in a few minutes.');
    expect(await store.findPlans(HASH, 2)).toEqual([]);
  });

  it('snooze: written to the store until now plus the duration', async () => {
    const { wired, store, runs } = ports();
    await executeChatJob(job({ name: 'snooze', id: 'e42', duration: '1d12h', reason: 'demo' }, 'U0ALICE', 'slack:t1'), wired);
    expect((await store.observations([], NOW)).snoozes).toEqual({ e42: '2026-11-25T00:00:00.000Z' });
    expect(runs).toEqual([]);
  });
});

// `/janitor snooze ID DURATION` (and the digest's Snooze buttons, which send the same command): a
// noticed item's notice moves later; an item without one is protected as before.
describe('executeChatJob: snooze a noticed item', () => {
  const DAY = 86_400_000;
  const snooze = (id: string, duration: string, triggerId: string): ChatJob =>
    job({ name: 'snooze', id, duration, reason: 'demo' }, 'U0BOB', triggerId, 'slack-interaction');
  const text = (m: ChatMessage | undefined): string =>
    (m?.parts ?? []).flatMap((p) => (p.kind === 'section' ? p.lines.map(plainText) : [])).join('\n');

  it('moves the notice to now + duration, keeps it in Coming up (no protection), and says so', async () => {
    // Prepare
    const { wired, store, runs, replies } = ports();
    const notice: Notice = {
      group: 'default',
      type: 'deployments',
      id: 'd1',
      ruleId: 'stop-idle',
      action: 'stop',
      noticedAt: NOW.toISOString(),
      actAfter: new Date(NOW.getTime() + DAY).toISOString(),
      snoozedBy: null,
      snoozeReason: null,
    };
    await store.writeNotices({ record: [notice], drop: [] });

    // Act
    const outcome = await executeChatJob(snooze('d1', '1w', 'slack:t1'), wired);

    // Assess
    expect(outcome).toMatchObject({ status: 'answered', command: 'snooze' });
    const held = (await store.observations([], NOW, { notices: true })).notices?.['default#deployments#d1'];
    expect(held).toMatchObject({ actAfter: new Date(NOW.getTime() + 7 * DAY).toISOString(), snoozedBy: 'U0BOB', snoozeReason: 'demo' });
    expect((await store.observations([], NOW)).snoozes).toEqual({});
    expect(text(replies[0])).toContain('its notice now ends 2026-11-30 12:00 UTC');
    expect(runs).toEqual([]);
  });

  it('without a notice, protects the item as snoozes always did', async () => {
    const { wired, store, runs, replies } = ports();
    await executeChatJob(snooze('e9', '1d', 'slack:t2'), wired);
    expect((await store.observations([], NOW)).snoozes).toEqual({ e9: new Date(NOW.getTime() + DAY).toISOString() });
    expect(text(replies[0])).toContain('is snoozed until');
    expect(runs).toEqual([]);
  });
});
