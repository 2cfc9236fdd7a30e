/**
 * Sends a correctly signed Microsoft Teams outgoing-webhook message to a running webhook
 * (serverless-offline, a deployed stage) without Teams: an @mention of the outgoing webhook in a
 * channel, as a Bot Framework activity, with `Authorization: HMAC <base64>` over the body.
 *
 *   TEAMS_SECURITY_TOKEN=… npx tsx scripts/teams-message.ts plan
 *   TEAMS_SECURITY_TOKEN=… npx tsx scripts/teams-message.ts --url https://…/teams/messages --user 2f0c…-…  apply 3f2a9c1b7d0e
 *
 * The answer Teams would show in the thread is printed. The digest goes to the stage's Workflows
 * webhook (TEAMS_WORKFLOW_URL of the worker), not back to this script.
 */
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { teamsSignature } from '../lib/chatops/signature.js';
import type { SignedHttpRequest } from './slack-command.js';
import { runWhenExecuted, sendSigned } from './script-main.js';

interface TeamsMessageOptions {
  /** The outgoing webhook's security token (base64), as Teams showed it. */
  securityToken: string;
  /** What follows the @mention, e.g. `plan`. */
  text: string;
  /** The sender's Azure AD object id (a GUID). */
  aadObjectId: string;
  userName?: string;
  /** The outgoing webhook's name, as people @mention it. */
  mentionName?: string;
  now?: Date;
  /** The message id; repeat it (with the same `now`) to imitate a re-delivery. Default: a fresh one. */
  messageId?: string;
  tenantId?: string;
}

const LOCAL_TENANT = '72f988bf-0000-4000-8000-000000000000';

/** A channel @mention as Teams delivers it to an outgoing webhook (the fields the janitor reads, and the usual others). */
function teamsActivity(options: TeamsMessageOptions): Record<string, unknown> {
  const now = options.now ?? new Date();
  const name = options.mentionName ?? 'Janitor';
  const id = options.messageId ?? String(now.getTime());
  const tenant = options.tenantId ?? LOCAL_TENANT;
  const channel = '19:local0channel0id@thread.tacv2';
  return {
    type: 'message',
    id,
    timestamp: now.toISOString().replace('Z', '0000Z'),
    localTimestamp: now.toISOString().replace('Z', '+00:00'),
    serviceUrl: 'https://smba.trafficmanager.net/emea/',
    channelId: 'msteams',
    from: { id: `29:local-${options.aadObjectId}`, name: options.userName ?? 'Local User', aadObjectId: options.aadObjectId },
    conversation: { isGroup: true, id: `${channel};messageid=${id}`, name: null, conversationType: 'channel', tenantId: tenant },
    recipient: null,
    textFormat: 'plain',
    attachmentLayout: null,
    membersAdded: [],
    membersRemoved: [],
    topicName: null,
    historyDisclosed: null,
    locale: 'en-US',
    text: `<at>${name}</at> ${options.text}\n`,
    speak: null,
    inputHint: null,
    summary: null,
    suggestedActions: null,
    attachments: [
      {
        contentType: 'text/html',
        content: `<div><div><span itemscope="" itemtype="http://schema.skype.com/Mention" itemid="0">${name}</span>&nbsp;${options.text}</div></div>`,
      },
    ],
    entities: [{ type: 'clientInfo', locale: 'en-US', country: 'US', platform: 'Web', timezone: 'Europe/Berlin' }],
    channelData: {
      teamsChannelId: channel,
      teamsTeamId: '19:local0team0id@thread.tacv2',
      channel: { id: channel },
      team: { id: '19:local0team0id@thread.tacv2' },
      tenant: { id: tenant },
    },
    action: null,
    replyToId: null,
    value: null,
    name: null,
    relatesTo: null,
    code: null,
  };
}

/**
 * @example
 * const request = signedTeamsMessage({ securityToken, text: 'plan', aadObjectId: randomUUID() });
 * await fetch(`${httpUrl}/teams/messages`, { method: 'POST', ...request });
 */
function signedTeamsMessage(options: TeamsMessageOptions): SignedHttpRequest {
  const body = JSON.stringify(teamsActivity(options));
  return {
    headers: { 'content-type': 'application/json; charset=utf-8', authorization: teamsSignature(options.securityToken, body) },
    body,
  };
}

async function main(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      url: { type: 'string', default: 'http://localhost:3000/teams/messages' },
      user: { type: 'string', default: '00000000-0000-4000-8000-00000000a11c' },
      name: { type: 'string', default: 'Local User' },
      mention: { type: 'string', default: 'Janitor' },
    },
  });
  const securityToken = process.env.TEAMS_SECURITY_TOKEN;
  if (securityToken === undefined || securityToken === '') {
    process.stderr.write('set TEAMS_SECURITY_TOKEN to the outgoing webhook security token the webhook verifies with\n');
    return 2;
  }
  const request = signedTeamsMessage({
    securityToken,
    text: positionals.join(' '),
    aadObjectId: values.user ?? randomUUID(),
    userName: values.name ?? 'Local User',
    mentionName: values.mention ?? 'Janitor',
  });
  return sendSigned(values.url ?? 'http://localhost:3000/teams/messages', request);
}

runWhenExecuted(import.meta.url, main);

export { signedTeamsMessage, teamsActivity };
export type { TeamsMessageOptions };
