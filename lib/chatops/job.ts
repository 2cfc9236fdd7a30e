/**
 * The worker's event: what the webhook hands over after it has verified and parsed a request. It
 * crosses a process boundary (an asynchronous Lambda invoke), so the worker validates it again.
 */
import * as z from 'zod';
import { escapeText } from './blocks.js';
import { Command } from './command.js';

const JOB_VERSION = 1;

const JOB_SOURCES = ['slack-command', 'slack-interaction', 'webhook'] as const;
type JobSource = (typeof JOB_SOURCES)[number];

/**
 * Where the answer goes: Slack's response_url, or the generic webhook's own callback URL. Only its
 * shape is checked here; which hosts are allowed is the reply policy's (reply-url.ts), applied by
 * the webhook before dispatch and by the poster before every post.
 */
const ResponseUrl = z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).max(2048);

const ChatJob = z.strictObject({
  version: z.literal(JOB_VERSION),
  source: z.enum(JOB_SOURCES),
  command: Command,
  /** Who asked (slash command) or who clicked (button): the requester, or for `apply` the approver. */
  user: z.strictObject({ id: z.string().min(1).max(256), name: z.string().max(256).optional() }),
  responseUrl: ResponseUrl.optional(),
  /**
   * Stable across retries of the same delivery (Slack's trigger_id, the webhook's delivery id): the
   * worker runs each trigger at most once.
   */
  triggerId: z.string().min(1).max(512),
  receivedAt: z.iso.datetime({ offset: true }),
});
type ChatJob = z.infer<typeof ChatJob>;

/**
 * Users of the generic webhook are namespaced (`webhook:ci-bot`) so that they can never pass for a
 * Slack user id in an approval check.
 */
const WEBHOOK_USER_PREFIX = 'webhook:';

/** `<@U123>` for Slack users (Slack renders the name), the plain name for webhook users. */
function mention(userId: string): string {
  return userId.startsWith(WEBHOOK_USER_PREFIX) ? escapeText(userId.slice(WEBHOOK_USER_PREFIX.length)) : `<@${escapeText(userId)}>`;
}

export { ChatJob, JOB_VERSION, JOB_SOURCES, ResponseUrl, WEBHOOK_USER_PREFIX, mention };
export type { JobSource };
