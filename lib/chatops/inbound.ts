/**
 * A verified request body → the worker's job, or an immediate answer. Four front doors:
 *
 * - `slack-command`: a slash command, `application/x-www-form-urlencoded`;
 * - `slack-interaction`: a button click, the same form encoding with one `payload=<json>` field;
 * - `webhook`: our own JSON `{ text, user, responseUrl?, id? }` for CI and other chat tools;
 * - `teams`: a Microsoft Teams outgoing-webhook activity (teams-inbound.ts).
 *
 * Pure: the signature has already been checked (signature.ts) by the time this runs. Bodies that
 * do not have the expected shape are answered 400 with what is wrong; so is a reply URL that the
 * reply policy refuses (reply-url.ts: Slack's hosts for Slack, the stage's allowlist for the
 * webhook, loopback only on a local stage) — such a request dispatches nothing. `help` and
 * anything the command parser does not understand are answered at once, without the worker.
 */
import * as z from 'zod';
import { sha256Hex } from '../policy/hash.js';
import { parseCommandText, type Command } from './command.js';
import { ChatJob, JOB_VERSION, ResponseUrl, WEBHOOK_USER_PREFIX, type JobSource } from './job.js';
import { ack, helpMessage } from './messages.js';
import { checkReplyUrl, replyKindOf, replyPolicyFromEnv, type ReplyPolicy } from './reply-url.js';
import { slackText, toBlockKit } from './slack-render.js';
import { fromTeamsMessage } from './teams-inbound.js';
import { jsonOrUndefined } from '../util/json.js';

/** Path suffixes (API Gateway may prefix a stage) → front door. */
const ROUTES: ReadonlyArray<readonly [string, JobSource]> = [
  ['/slack/commands', 'slack-command'],
  ['/slack/interactions', 'slack-interaction'],
  ['/webhook', 'webhook'],
  ['/teams/messages', 'teams'],
];

function routeOf(path: string): JobSource | undefined {
  const trimmed = path.replace(/\/+$/, '');
  return ROUTES.find(([suffix]) => trimmed.endsWith(suffix))?.[1];
}

/** Slack sends more fields than these; the rest are ignored. */
const SlashCommandForm = z.looseObject({
  command: z.string().startsWith('/'),
  text: z.string().default(''),
  user_id: z.string().min(1).max(200),
  user_name: z.string().max(200).optional(),
  response_url: ResponseUrl,
  trigger_id: z.string().min(1).max(400),
});

const BlockActionsPayload = z.looseObject({
  type: z.string(),
  user: z.looseObject({ id: z.string().min(1).max(200), username: z.string().max(200).optional(), name: z.string().max(200).optional() }),
  trigger_id: z.string().min(1).max(400),
  response_url: ResponseUrl,
  actions: z.array(z.looseObject({ action_id: z.string(), value: z.string().optional() })).min(1),
});

/** Our own format, so strict: a misspelt key is an error, not silently ignored. */
const WebhookBody = z.strictObject({
  text: z.string().max(1000),
  user: z.string().min(1).max(200),
  responseUrl: ResponseUrl.optional(),
  /** A delivery id; retries of one delivery must repeat it. Default: the request's signature. */
  id: z.string().min(1).max(200).optional(),
});

interface Answer {
  statusCode: number;
  /** JSON body, or null for an empty 200 (what Slack expects for a button click). */
  body: unknown;
}

type Inbound = { kind: 'dispatch'; job: ChatJob; answer: Answer } | { kind: 'answer'; answer: Answer };

interface InboundMeta {
  now: Date;
  /** The verified signature header: unique per signed delivery, repeated by its retries. */
  signature: string;
  /** Where replies may go. Default: read from the environment (JANITOR_*_REPLY_HOSTS, JANITOR_ALLOW_LOOPBACK_REPLIES). */
  replies?: ReplyPolicy;
}

function invalid(what: string, error: z.ZodError): Inbound {
  const detail = error.issues.map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(body)'}: ${issue.message}`).join('; ');
  return { kind: 'answer', answer: { statusCode: 400, body: { error: `malformed ${what}: ${detail}` } } };
}

function malformed(message: string): Inbound {
  return { kind: 'answer', answer: { statusCode: 400, body: { error: message } } };
}

/**
 * A reply URL the policy refuses: 400 with the reason (it names the host, never the whole URL).
 * Slack shows an ephemeral `text`; webhook callers read `error`.
 */
function refusedReplyUrl(source: JobSource, url: string, meta: InboundMeta): Inbound | undefined {
  const verdict = checkReplyUrl(url, meta.replies ?? replyPolicyFromEnv(), [replyKindOf(source)]);
  if (verdict.ok) return undefined;
  const field = source === 'webhook' ? 'responseUrl' : 'response_url';
  const error = `refused ${field}: ${verdict.reason}`;
  return {
    kind: 'answer',
    answer: {
      statusCode: 400,
      body: source === 'webhook' ? { error } : { response_type: 'ephemeral', text: `The janitor did not run this: ${error}.`, error },
    },
  };
}

function dispatch(
  source: JobSource,
  command: Command,
  user: ChatJob['user'],
  responseUrl: string | undefined,
  triggerId: string,
  now: Date,
  answer: Answer,
): Inbound {
  const job = ChatJob.parse({
    version: JOB_VERSION,
    source,
    command,
    user,
    ...(responseUrl === undefined ? {} : { responseUrl }),
    triggerId,
    receivedAt: now.toISOString(),
  });
  return { kind: 'dispatch', job, answer };
}

function fromSlashCommand(body: string, meta: InboundMeta): Inbound {
  const form = SlashCommandForm.safeParse(Object.fromEntries(new URLSearchParams(body)));
  if (!form.success) return invalid('slash command', form.error);
  const refused = refusedReplyUrl('slack-command', form.data.response_url, meta);
  if (refused !== undefined) return refused;
  const command = parseCommandText(form.data.text);
  if (command.name === 'help') return { kind: 'answer', answer: { statusCode: 200, body: toBlockKit(helpMessage(command.note)) } };
  const user = { id: form.data.user_id, ...(form.data.user_name === undefined ? {} : { name: form.data.user_name }) };
  // Slack repeats trigger_id in a retry of the same command: the worker runs it once.
  const acknowledgement = { response_type: 'ephemeral', text: slackText(ack(command)) };
  return dispatch('slack-command', command, user, form.data.response_url, `slack:${form.data.trigger_id}`, meta.now, {
    statusCode: 200,
    body: acknowledgement,
  });
}

function fromInteraction(body: string, meta: InboundMeta): Inbound {
  const raw = new URLSearchParams(body).get('payload');
  if (raw === null) return malformed('malformed interaction: expected a form field `payload` holding JSON');
  const json = jsonOrUndefined(raw);
  if (json === undefined) return malformed('malformed interaction: `payload` is not JSON');
  const payload = BlockActionsPayload.safeParse(json);
  if (!payload.success) return invalid('interaction', payload.error);
  const refused = refusedReplyUrl('slack-interaction', payload.data.response_url, meta);
  if (refused !== undefined) return refused;
  const empty: Answer = { statusCode: 200, body: null };
  // Only our Approve and Snooze buttons act; other interaction types are acknowledged and ignored.
  const value = payload.data.actions.find((a) => a.value !== undefined)?.value;
  if (payload.data.type !== 'block_actions' || value === undefined) return { kind: 'answer', answer: empty };
  const command = parseCommandText(value);
  if (command.name !== 'apply' && command.name !== 'snooze') return { kind: 'answer', answer: empty };
  const { user } = payload.data;
  const name = user.username ?? user.name;
  return dispatch(
    'slack-interaction',
    command,
    { id: user.id, ...(name === undefined ? {} : { name }) },
    payload.data.response_url,
    `slack:${payload.data.trigger_id}`,
    meta.now,
    empty,
  );
}

function fromWebhook(body: string, meta: InboundMeta): Inbound {
  const json = jsonOrUndefined(body);
  if (json === undefined) return malformed('malformed webhook body: expected JSON like {"text":"plan","user":"ci"}');
  const parsed = WebhookBody.safeParse(json);
  if (!parsed.success) return invalid('webhook body', parsed.error);
  const refused = parsed.data.responseUrl === undefined ? undefined : refusedReplyUrl('webhook', parsed.data.responseUrl, meta);
  if (refused !== undefined) return refused;
  const command = parseCommandText(parsed.data.text);
  if (command.name === 'help') return { kind: 'answer', answer: { statusCode: 200, body: toBlockKit(helpMessage(command.note)) } };
  const triggerId = parsed.data.id === undefined ? `webhook:sig:${sha256Hex(meta.signature).slice(0, 32)}` : `webhook:id:${parsed.data.id}`;
  const answer = { statusCode: 202, body: { accepted: true, command: command.name, triggerId } };
  return dispatch(
    'webhook',
    command,
    { id: `${WEBHOOK_USER_PREFIX}${parsed.data.user}` },
    parsed.data.responseUrl,
    triggerId,
    meta.now,
    answer,
  );
}

/**
 * @example
 * const inbound = parseInbound('slack-command', 'command=%2Fjanitor&text=plan&…', { now, signature });
 * if (inbound.kind === 'dispatch') await invokeWorker(inbound.job);
 */
function parseInbound(source: JobSource, body: string, meta: InboundMeta): Inbound {
  switch (source) {
    case 'slack-command':
      return fromSlashCommand(body, meta);
    case 'slack-interaction':
      return fromInteraction(body, meta);
    case 'webhook':
      return fromWebhook(body, meta);
    case 'teams':
      return fromTeamsMessage(body, meta);
  }
}

export { parseInbound, routeOf, ROUTES };
export type { Inbound, Answer, InboundMeta };
