/**
 * One snooze, whoever asks (chat `/janitor snooze`, its Snooze buttons, the CLI's `snooze`): an
 * item with a heads-up notice gets its notice moved later (it stays in "Coming up", marked as
 * snoozed, and is acted on no earlier than `until`); an item without one is protected until then,
 * as snoozes always were.
 */
import type { Notice } from '../policy/notices.js';
import type { ChatOpsStore, NoticeStore } from './ports.js';

type SnoozeResult = { kind: 'notice'; notices: Notice[] } | { kind: 'protected'; until: Date };

/**
 * @example
 * const result = await snoozeItem(store, 'd1234', until, 'U123', 'demo on Monday');
 * if (result.kind === 'notice') console.log(result.notices[0]?.actAfter);
 */
async function snoozeItem(
  store: Pick<ChatOpsStore, 'snooze'> & Pick<NoticeStore, 'snoozeNotices'>,
  id: string,
  until: Date,
  by: string,
  reason?: string,
): Promise<SnoozeResult> {
  const notices = await store.snoozeNotices(id, until, by, reason);
  if (notices.length > 0) return { kind: 'notice', notices };
  await store.snooze(id, until, by, reason);
  return { kind: 'protected', until };
}

export { snoozeItem };
export type { SnoozeResult };
