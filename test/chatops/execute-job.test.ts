/**
 * The chat use case on its own ports (lib/chatops/execute-job.ts): no adapter, no platform, no
 * AI Core — a memory store, a recording runner, a recording reply and a fixed clock.
 */
import { describe, expect, it } from 'vitest';
import { executeChatJob } from '../../lib/chatops/execute-job.js';
import { ChatJob } from '../../lib/chatops/job.js';
import type { ChatMessage } from '../../lib/chatops/model.js';
import type { ChatApprovalRules, ChatPorts, ChatRunRequest, ChatRunResult } from '../../lib/chatops/ports.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { HASH, runOf, simplePlan } from './digest-fixtures.js';

const NOW = new Date('2026-11-23T12:00:00Z');

function job(command: ChatJob['command'], user: string, triggerId: string): ChatJob {
  return ChatJob.parse({
    version: 1,
    source: 'slack-command',
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
