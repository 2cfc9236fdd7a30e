/**
 * The short answers: help, acknowledgements, refusals, `status` and `snooze` confirmations, as
 * platform-neutral messages (model.ts). Each is one message; the run digest (digest.ts) is the only
 * long one.
 */
import type { Notice } from '../policy/notices.js';
import { USAGE, type Command } from './command.js';
import type { ChatMessage, ChatPlatform, Rich } from './model.js';

/** A run as the ledger remembers it (structurally the store's RunRecord). */
interface RunLine {
  runId: string;
  trigger: string;
  startedAt: string;
  dryRun: boolean;
  planHash: string;
  summary: string;
}

/**
 * How a person invokes the janitor on each platform, for the usage text: Slack's slash command,
 * Teams' @mention of the outgoing webhook (its name as the message carried it), nothing for the
 * JSON webhook's `text`.
 */
function invocationOf(platform: ChatPlatform, teamsName = 'Janitor'): string {
  if (platform === 'teams') return `@${teamsName} `;
  return platform === 'webhook' ? '' : '/janitor ';
}

function helpMessage(note?: string, invocation = '/janitor '): ChatMessage {
  const usage = USAGE.map(([syntax, meaning]): Rich => [{ code: `${invocation}${syntax}` }, ` — ${meaning}`]);
  return {
    audience: 'ephemeral',
    text: note === undefined ? 'aicore-janitor commands' : `${note}. Try ${invocation}help`,
    parts: [
      ...(note === undefined ? [] : [{ kind: 'section' as const, lines: [[{ icon: 'grey_question' as const }, ` ${note}`]] }]),
      { kind: 'section', lines: usage },
      {
        kind: 'context',
        items: [
          [
            'Plans are dry runs. ',
            { code: 'apply' },
            ' acts only when the policy says ',
            { code: 'mode: apply' },
            ' and the plan has not changed since it was shown.',
          ],
        ],
      },
    ],
  };
}

/** What the webhook answers at once, before the worker starts (Slack waits at most 3 s, Teams 10 s). */
function ack(command: Command, where = 'here'): Rich {
  switch (command.name) {
    case 'plan':
      return [`Planning… the digest will be posted ${where}.`];
    case 'apply':
      return ['Checking the approval of plan ', { code: command.hash.slice(0, 12) }, ' and applying it…'];
    case 'status':
      return ['Reading the ledger…'];
    case 'snooze':
      return ['Snoozing ', { code: command.id }, '…'];
    case 'help':
      return ['aicore-janitor commands'];
  }
}

function refusalMessage(reason: Rich): ChatMessage {
  const text = reason.map((i) => (typeof i === 'string' ? i : 'code' in i ? `\`${i.code}\`` : '')).join('');
  return { audience: 'ephemeral', text, parts: [{ kind: 'section', lines: [[{ icon: 'no_entry_sign' }, ' ', ...reason]] }] };
}

function failureMessage(what: Rich, error: string): ChatMessage {
  const label = what.map((i) => (typeof i === 'string' ? i : 'code' in i ? `\`${i.code}\`` : '')).join('');
  return {
    audience: 'ephemeral',
    text: `${label} failed`,
    parts: [
      { kind: 'section', lines: [[{ icon: 'x' }, ' ', ...what, ` failed: ${error}`]] },
      { kind: 'context', items: [['Nothing further was retried. Details are in the worker log.']] },
    ],
  };
}

function noticeMessage(text: string): ChatMessage {
  return { audience: 'ephemeral', text, parts: [{ kind: 'section', lines: [[text]] }] };
}

function statusMessage(runs: readonly RunLine[]): ChatMessage {
  if (runs.length === 0)
    return {
      audience: 'ephemeral',
      text: 'No runs recorded yet',
      parts: [{ kind: 'section', lines: [['No runs recorded yet. Ask for a ', { code: 'plan' }, '.']] }],
    };
  const lines = runs.map(
    (r): Rich => [
      { icon: r.dryRun ? 'mag' : 'broom' },
      ' ',
      { date: r.startedAt },
      ` · ${r.trigger} · plan `,
      { code: r.planHash.slice(0, 12) },
      ` · ${r.dryRun ? 'dry run' : 'applied'} — ${r.summary}`,
    ],
  );
  return {
    audience: 'ephemeral',
    text: `Last ${runs.length} run(s)`,
    parts: [
      { kind: 'header', text: 'Janitor status' },
      { kind: 'list', title: [{ strong: `Last ${runs.length} run(s)` }, ', newest first'], items: lines, maxShown: lines.length, more: {} },
    ],
  };
}

function snoozedMessage(id: string, until: Date, by: { id: string; name?: string | undefined }, reason: string | undefined): ChatMessage {
  const line: Rich = [
    { icon: 'zzz' },
    ' ',
    { code: id },
    ' is snoozed until ',
    { date: until.toISOString() },
    ' by ',
    { user: by.id, name: by.name },
    `${reason === undefined ? '' : ` — ${reason}`}. Runs leave it alone until then.`,
  ];
  return { audience: 'in_channel', text: `${id} snoozed until ${until.toISOString()}`, parts: [{ kind: 'section', lines: [line] }] };
}

/** A snooze of a noticed item: its heads-up notice now ends later (per group and type it was listed in). */
function noticeSnoozedMessage(
  id: string,
  notices: ReadonlyArray<Pick<Notice, 'group' | 'action' | 'actAfter'>>,
  by: { id: string; name?: string | undefined },
  reason: string | undefined,
): ChatMessage {
  const lines = notices.map(
    (n): Rich => [
      { icon: 'zzz' },
      ' ',
      { code: id },
      ` (${n.group}): its notice now ends `,
      { date: n.actAfter },
      ' — snoozed by ',
      { user: by.id, name: by.name },
      `${reason === undefined ? '' : ` — ${reason}`}. The janitor will ${n.action} it after that unless snoozed again.`,
    ],
  );
  const first = notices[0]?.actAfter ?? '';
  return { audience: 'in_channel', text: `${id}: notice snoozed until ${first}`, parts: [{ kind: 'section', lines }] };
}

export {
  helpMessage,
  invocationOf,
  ack,
  refusalMessage,
  failureMessage,
  noticeMessage,
  statusMessage,
  snoozedMessage,
  noticeSnoozedMessage,
};
export type { RunLine };
