/**
 * The short answers: help, acknowledgements, refusals, `status` and `snooze` confirmations. Each
 * is one message; the run digest (digest.ts) is the only long one.
 */
import { code, context, escapeText, header, lineList, message, section, slackDate, type SlackMessage } from './blocks.js';
import { USAGE, type Command } from './command.js';
import { mention } from './job.js';

/** A run as the ledger remembers it (structurally the store's RunRecord). */
interface RunLine {
  runId: string;
  trigger: string;
  startedAt: string;
  dryRun: boolean;
  planHash: string;
  summary: string;
}

function helpMessage(note?: string): SlackMessage {
  const usage = USAGE.map(([syntax, meaning]) => `\`/janitor ${syntax}\` — ${meaning}`).join('\n');
  const blocks = [...(note === undefined ? [] : [section(`:grey_question: ${escapeText(note)}`)]), section(usage)];
  blocks.push(context(['Plans are dry runs. `apply` acts only when the policy says `mode: apply` and the plan has not changed since it was shown.']));
  return message('ephemeral', note === undefined ? 'aicore-janitor commands' : `${note}. Try /janitor help`, blocks);
}

/** What the webhook answers at once, before the worker starts (Slack waits at most 3 s). */
function ackText(command: Command): string {
  switch (command.name) {
    case 'plan':
      return 'Planning… the digest will be posted here.';
    case 'apply':
      return `Checking the approval of plan \`${command.hash.slice(0, 12)}\` and applying it…`;
    case 'status':
      return 'Reading the ledger…';
    case 'snooze':
      return `Snoozing ${code(command.id)}…`;
    case 'help':
      return 'aicore-janitor commands';
  }
}

function refusalMessage(reason: string): SlackMessage {
  return message('ephemeral', reason, [section(`:no_entry_sign: ${reason}`)]);
}

function failureMessage(what: string, error: string): SlackMessage {
  const text = `:x: ${what} failed: ${escapeText(error)}`;
  return message('ephemeral', `${what} failed`, [section(text), context(['Nothing further was retried. Details are in the worker log.'])]);
}

function noticeMessage(text: string): SlackMessage {
  return message('ephemeral', text, [section(escapeText(text))]);
}

function statusMessage(runs: readonly RunLine[]): SlackMessage {
  if (runs.length === 0) return message('ephemeral', 'No runs recorded yet', [section('No runs recorded yet. Try `/janitor plan`.')]);
  const lines = runs.map(
    (r) => `${r.dryRun ? ':mag:' : ':broom:'} ${slackDate(r.startedAt)} · ${escapeText(r.trigger)} · plan ${code(r.planHash.slice(0, 12))} · ${r.dryRun ? 'dry run' : 'applied'} — ${escapeText(r.summary)}`,
  );
  return message('ephemeral', `Last ${runs.length} run(s)`, [header('Janitor status'), section(lineList(`*Last ${runs.length} run(s)*, newest first`, lines, (n) => `… and ${n} more`))]);
}

function snoozedMessage(id: string, until: Date, by: string, reason: string | undefined): SlackMessage {
  const text = `:zzz: ${code(id)} is snoozed until ${slackDate(until.toISOString())} by ${mention(by)}${reason === undefined ? '' : ` — ${escapeText(reason)}`}. Runs leave it alone until then.`;
  return message('in_channel', `${id} snoozed until ${until.toISOString()}`, [section(text)]);
}

export { helpMessage, ackText, refusalMessage, failureMessage, noticeMessage, statusMessage, snoozedMessage };
export type { RunLine };
