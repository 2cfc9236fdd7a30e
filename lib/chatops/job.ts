/**
 * The worker's event: what the webhook hands over after it has verified and parsed a request. It
 * crosses a process boundary (an asynchronous Lambda invoke), so the worker validates it again.
 */
import * as z from 'zod';
import { escapeText } from './blocks.js';
import { Command } from './command.js';
import { displayName, platformOfUser, TEAMS_USER_PREFIX, WEBHOOK_USER_PREFIX } from './model.js';

const JOB_VERSION = 1;

const JOB_SOURCES = ['slack-command', 'slack-interaction', 'webhook', 'teams'] as const;
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
  /**
   * Who asked (slash command, Teams @mention) or who clicked (button): the requester, or for `apply`
   * the approver. Teams users are `teams:<AAD object id>`.
   */
  user: z.strictObject({ id: z.string().min(1).max(256), name: z.string().max(256).optional() }),
  /** Absent for Teams: its digests go to the stage's configured Workflows webhook, never to a URL from a request. */
  responseUrl: ResponseUrl.optional(),
  /** Teams: the name the outgoing webhook was @mentioned by, for the commands a digest tells people to type. */
  mentionName: z.string().min(1).max(60).optional(),
  /**
   * Stable across retries of the same delivery (Slack's trigger_id, the webhook's delivery id): the
   * worker runs each trigger at most once.
   */
  triggerId: z.string().min(1).max(512),
  receivedAt: z.iso.datetime({ offset: true }),
});
type ChatJob = z.infer<typeof ChatJob>;

/**
 * Users of the generic webhook (`webhook:ci-bot`) and of Teams (`teams:<AAD object id>`) are
 * namespaced (model.ts) so that they can never pass for a Slack user id in an approval check.
 */

/** `<@U123>` for Slack users (Slack renders the name), the plain name for webhook and Teams users. */
function mention(userId: string): string {
  return platformOfUser(userId) === 'slack' ? `<@${escapeText(userId)}>` : escapeText(displayName(userId));
}

export { ChatJob, JOB_VERSION, JOB_SOURCES, ResponseUrl, WEBHOOK_USER_PREFIX, TEAMS_USER_PREFIX, mention };
export type { JobSource };
