/**
 * Sends a correctly signed chat request to a running webhook (serverless-offline, a deployed stage)
 * without Slack: a slash command, a button click, or the generic JSON webhook.
 *
 *   SLACK_SIGNING_SECRET=… npx tsx scripts/slack-command.ts plan
 *   SLACK_SIGNING_SECRET=… npx tsx scripts/slack-command.ts --url https://…/slack/commands --user U0ALICE apply 3f2a9c1b7d0e
 *   SLACK_SIGNING_SECRET=… npx tsx scripts/slack-command.ts --interaction --user U0BOB apply 3f2a9c1b7d0e
 *   WEBHOOK_HMAC_SECRET=… npx tsx scripts/slack-command.ts --webhook --url http://localhost:3000/webhook status
 *
 * `--response-url` says where the worker posts its digest (e.g. a local receiver); without it the
 * digest goes nowhere and the worker only logs.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { slackSignature, unixSeconds, webhookSignature } from '../lib/chatops/signature.js';
import { runWhenExecuted, sendSigned } from './script-main.js';

interface SignedHttpRequest {
  headers: Record<string, string>;
  body: string;
}

interface ChatRequestOptions {
  secret: string;
  text: string;
  userId: string;
  responseUrl: string;
  now?: Date;
  /** Slack's trigger_id; repeat it to imitate a retry. Default: a fresh one. */
  triggerId?: string;
}

/** A slash command as Slack sends it: form-encoded, signed with the app's signing secret. */
function signedSlashCommand(options: ChatRequestOptions): SignedHttpRequest {
  const body = new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0LOCAL',
    team_domain: 'local',
    channel_id: 'C0LOCAL',
    channel_name: 'janitor',
    user_id: options.userId,
    user_name: options.userId.toLowerCase(),
    command: '/janitor',
    text: options.text,
    api_app_id: 'A0LOCAL',
    response_url: options.responseUrl,
    trigger_id: options.triggerId ?? `local.${randomUUID()}`,
  }).toString();
  return signedSlack(options.secret, body, options.now);
}

/** A click on a digest's Approve button (`block_actions`), the button's value being `text`. */
function signedButtonClick(options: ChatRequestOptions): SignedHttpRequest {
  const payload = {
    type: 'block_actions',
    user: { id: options.userId, username: options.userId.toLowerCase(), team_id: 'T0LOCAL' },
    api_app_id: 'A0LOCAL',
    trigger_id: options.triggerId ?? `local.${randomUUID()}`,
    response_url: options.responseUrl,
    container: { type: 'message', channel_id: 'C0LOCAL', is_ephemeral: false },
    actions: [
      {
        type: 'button',
        action_id: 'janitor_apply',
        block_id: 'approve',
        value: options.text,
        action_ts: unixSeconds(options.now ?? new Date()),
      },
    ],
  };
  return signedSlack(options.secret, new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), options.now);
}

/** The generic JSON webhook: `X-Janitor-Signature: sha256=<hex>` over `{timestamp}.{body}`. */
function signedWebhook(options: Omit<ChatRequestOptions, 'triggerId'> & { id?: string }): SignedHttpRequest {
  const body = JSON.stringify({
    text: options.text,
    user: options.userId,
    responseUrl: options.responseUrl,
    ...(options.id === undefined ? {} : { id: options.id }),
  });
  const timestamp = unixSeconds(options.now ?? new Date());
  return {
    headers: {
      'content-type': 'application/json',
      'x-janitor-timestamp': timestamp,
      'x-janitor-signature': webhookSignature(options.secret, timestamp, body),
    },
    body,
  };
}

function signedSlack(secret: string, body: string, now: Date = new Date()): SignedHttpRequest {
  const timestamp = unixSeconds(now);
  return {
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': slackSignature(secret, timestamp, body),
    },
    body,
  };
}

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      user: { type: 'string', default: 'U0LOCAL' },
      'response-url': { type: 'string', default: 'http://127.0.0.1:9/nowhere' },
      interaction: { type: 'boolean', default: false },
      webhook: { type: 'boolean', default: false },
    },
  });
  const webhook = values.webhook === true;
  const secret = webhook ? process.env.WEBHOOK_HMAC_SECRET : process.env.SLACK_SIGNING_SECRET;
  if (secret === undefined || secret === '') {
    process.stderr.write(`set ${webhook ? 'WEBHOOK_HMAC_SECRET' : 'SLACK_SIGNING_SECRET'} to the secret the webhook verifies with\n`);
    return 2;
  }
  const path = webhook ? '/webhook' : values.interaction === true ? '/slack/interactions' : '/slack/commands';
  const url = values.url ?? `http://localhost:3000${path}`;
  const options = {
    secret,
    text: positionals.join(' '),
    userId: values.user ?? 'U0LOCAL',
    responseUrl: values['response-url'] ?? 'http://127.0.0.1:9/nowhere',
  };
  const request = webhook ? signedWebhook(options) : values.interaction === true ? signedButtonClick(options) : signedSlashCommand(options);
  return sendSigned(url, request);
}

runWhenExecuted(import.meta.url, main);

export { signedSlashCommand, signedButtonClick, signedWebhook };
export type { SignedHttpRequest, ChatRequestOptions };
