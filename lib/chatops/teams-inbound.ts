/**
 * A verified Microsoft Teams outgoing-webhook message → the worker's job, or an immediate answer.
 *
 * Teams POSTs a Bot Framework activity when someone @mentions the outgoing webhook in a channel of
 * its team: `text` holds the message as HTML-ish text (`<at>Janitor</at> plan`), `from.aadObjectId`
 * the sender's Azure AD (Entra ID) object id, `id` the message id. Teams waits at most 10 s for the
 * answer, which it posts as a reply in the thread, and gives no URL to answer later: the worker
 * posts digests to the stage's configured Workflows webhook instead.
 *
 * Pure: the HMAC and the activity's timestamp have been checked (signature.ts) by the time this runs.
 * - The sender is `teams:<aadObjectId>` — never the display name, which anyone can change. A
 *   message without an object id (a guest or bot the tenant does not resolve) runs nothing.
 * - The trigger id is derived from tenant, conversation and message id: a replayed or re-delivered
 *   message is the same trigger, which the worker runs at most once.
 */
import * as z from 'zod';
import { sha256Hex } from '../policy/hash.js';
import { parseCommandText } from './command.js';
import type { Answer, Inbound, InboundMeta } from './inbound.js';
import { ChatJob, JOB_VERSION } from './job.js';
import { ack, helpMessage, invocationOf, noticeMessage } from './messages.js';
import { TEAMS_USER_PREFIX, type ChatMessage } from './model.js';
import { toTeamsMessage } from './adaptive-card.js';
import { jsonOrUndefined } from '../util/json.js';

/** Azure AD object ids are GUIDs. */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Teams sends many more fields (serviceUrl, channelData, attachments …); the rest are ignored. */
const TeamsActivity = z.looseObject({
  type: z.string(),
  id: z.string().min(1).max(256),
  timestamp: z.string().min(1).max(64),
  text: z.string().max(28_000).default(''),
  from: z.looseObject({ id: z.string().min(1).max(512), name: z.string().max(256).optional(), aadObjectId: z.string().max(64).optional() }),
  conversation: z.looseObject({ id: z.string().min(1).max(1024), tenantId: z.string().max(64).optional() }),
  channelData: z.looseObject({ tenant: z.looseObject({ id: z.string().max(64) }).optional() }).optional(),
  entities: z
    .array(z.looseObject({ type: z.string(), mentioned: z.looseObject({ name: z.string().max(256).optional() }).optional() }))
    .optional(),
});
type TeamsActivity = z.infer<typeof TeamsActivity>;

const ENTITIES: Readonly<Record<string, string>> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,6});/gi, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/**
 * The command text of an @mention: mentions removed, other markup dropped, entities decoded.
 *
 * @example
 * commandTextOf('<at>Janitor</at>&nbsp;apply 3f2a9c1b7d0e\n'); // 'apply 3f2a9c1b7d0e'
 */
function commandTextOf(text: string): string {
  const withoutMentions = text.replace(/<at\b[^>]*>[\s\S]*?<\/at>/gi, ' ');
  return decodeEntities(withoutMentions.replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

/** The name the webhook was @mentioned by, for the usage text (`@Janitor plan`). */
function mentionNameOf(activity: TeamsActivity): string {
  const tagged = /<at\b[^>]*>([\s\S]*?)<\/at>/i.exec(activity.text)?.[1];
  const name = decodeEntities(tagged ?? activity.entities?.find((e) => e.type === 'mention')?.mentioned?.name ?? 'Janitor')
    .replace(/[\s<>]+/g, ' ')
    .trim();
  return name === '' ? 'Janitor' : name.slice(0, 60);
}

function answer(message: ChatMessage, mentionName: string, statusCode = 200): Answer {
  return { statusCode, body: toTeamsMessage(message, { mentionName }) };
}

/**
 * @example
 * const inbound = fromTeamsMessage(body, { now, signature });
 * if (inbound.kind === 'dispatch') await invokeWorker(inbound.job);
 */
function fromTeamsMessage(body: string, meta: InboundMeta): Inbound {
  const json = jsonOrUndefined(body);
  if (json === undefined)
    return { kind: 'answer', answer: { statusCode: 400, body: { error: 'malformed Teams message: expected a JSON activity' } } };
  const parsed = TeamsActivity.safeParse(json);
  if (!parsed.success) {
    const detail = parsed.error.issues
      .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(body)'}: ${issue.message}`)
      .join('; ');
    return { kind: 'answer', answer: { statusCode: 400, body: { error: `malformed Teams message: ${detail}` } } };
  }
  const activity = parsed.data;
  const mentionName = mentionNameOf(activity);
  if (activity.type !== 'message')
    return {
      kind: 'answer',
      answer: answer(noticeMessage(`Ignored a Teams activity of type ${activity.type.slice(0, 40)}.`), mentionName),
    };
  const aad = activity.from.aadObjectId;
  if (aad === undefined || !GUID.test(aad)) {
    return {
      kind: 'answer',
      answer: answer(
        noticeMessage('The janitor could not tell who sent this (the message carries no Azure AD object id), so it ran nothing.'),
        mentionName,
      ),
    };
  }
  const command = parseCommandText(commandTextOf(activity.text));
  if (command.name === 'help')
    return { kind: 'answer', answer: answer(helpMessage(command.note, invocationOf('teams', mentionName)), mentionName) };

  const tenant = activity.channelData?.tenant?.id ?? activity.conversation.tenantId ?? '';
  const triggerId = `teams:${sha256Hex(`${tenant}|${activity.conversation.id}|${activity.id}`).slice(0, 40)}`;
  const user = {
    id: `${TEAMS_USER_PREFIX}${aad.toLowerCase()}`,
    ...(activity.from.name === undefined ? {} : { name: activity.from.name }),
  };
  const job = ChatJob.parse({
    version: JOB_VERSION,
    source: 'teams',
    command,
    user,
    mentionName,
    triggerId,
    receivedAt: meta.now.toISOString(),
  });
  const acknowledgement: ChatMessage = {
    audience: 'in_channel',
    text: 'aicore-janitor',
    parts: [{ kind: 'section', lines: [ack(command, "to the janitor's channel by its Workflows flow")] }],
  };
  return { kind: 'dispatch', job, answer: answer(acknowledgement, mentionName) };
}

export { fromTeamsMessage, commandTextOf, TeamsActivity };
