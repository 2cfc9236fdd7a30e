/**
 * `/janitor snooze ID DURATION` (and the digest's Snooze buttons, which send the same command): a
 * noticed item's notice moves later; an item without one is protected as before. Real MemoryStore.
 */
import { describe, expect, it } from 'vitest';
import { executeChatJob } from '../../lib/chatops/execute-job.js';
import { ChatJob } from '../../lib/chatops/job.js';
import type { ChatMessage } from '../../lib/chatops/model.js';
import { plainText } from '../../lib/chatops/model.js';
import type { ChatPorts } from '../../lib/chatops/ports.js';
import type { Notice } from '../../lib/policy/notices.js';
import { MemoryStore } from '../../lib/store/memory.js';

const NOW = new Date('2026-11-23T12:00:00.000Z');
const DAY = 86_400_000;

function snoozeJob(id: string, duration: string, triggerId: string): ChatJob {
  return ChatJob.parse({
    version: 1,
    source: 'slack-interaction',
    command: { name: 'snooze', id, duration, reason: 'demo' },
    user: { id: 'U0BOB' },
    responseUrl: 'https://hooks.slack.com/actions/T1/1/x',
    triggerId,
    receivedAt: NOW.toISOString(),
  });
}

function portsFor(store: MemoryStore, replies: ChatMessage[]): ChatPorts {
  return {
    store,
    approval: () => Promise.resolve({ required: false, expiresAfter: '1h' }),
    run: () => Promise.reject(new Error('no run for a snooze')),
    reply: (_job, message) => {
      replies.push(message);
      return Promise.resolve(true);
    },
    clock: () => NOW,
    remainingMs: () => 60_000,
    disabled: false,
    log: () => undefined,
  };
}

const text = (m: ChatMessage | undefined): string =>
  (m?.parts ?? []).flatMap((p) => (p.kind === 'section' ? p.lines.map(plainText) : [])).join('\n');

describe('chat: snooze a noticed item', () => {
  it('moves the notice to now + duration, keeps it in Coming up (no protection), and says so', async () => {
    // Prepare
    const store = new MemoryStore('T#acme@host');
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
    const replies: ChatMessage[] = [];

    // Act
    const outcome = await executeChatJob(snoozeJob('d1', '1w', 'slack:t1'), portsFor(store, replies));

    // Assess
    expect(outcome).toMatchObject({ status: 'answered', command: 'snooze' });
    const held = (await store.observations([], NOW, { notices: true })).notices?.['default#deployments#d1'];
    expect(held).toMatchObject({ actAfter: new Date(NOW.getTime() + 7 * DAY).toISOString(), snoozedBy: 'U0BOB', snoozeReason: 'demo' });
    expect((await store.observations([], NOW)).snoozes).toEqual({});
    expect(text(replies[0])).toContain('its notice now ends 2026-11-30 12:00 UTC');
  });

  it('without a notice, protects the item as snoozes always did', async () => {
    const store = new MemoryStore('T#acme@host');
    const replies: ChatMessage[] = [];
    await executeChatJob(snoozeJob('e9', '1d', 'slack:t2'), portsFor(store, replies));
    expect((await store.observations([], NOW)).snoozes).toEqual({ e9: new Date(NOW.getTime() + DAY).toISOString() });
    expect(text(replies[0])).toContain('is snoozed until');
  });
});
