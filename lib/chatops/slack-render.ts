/**
 * The Slack renderer: a platform-neutral chat message (model.ts) → one Block Kit message. The
 * builders in blocks.ts enforce Slack's documented limits, so whatever the model holds, the result
 * is a message Slack accepts.
 */
import {
  capBlocks,
  code,
  context,
  divider,
  escapeText,
  fields,
  header,
  lineList,
  LIMITS,
  message,
  section,
  slackDate,
  type Block,
  type SlackMessage,
} from './blocks.js';
import { clip } from '../util/text.js';
import { mention } from './job.js';
import { moreLine, type ChatMessage, type GroupSummary, type Inline, type Part, type Rich } from './model.js';

const APPROVE_ACTION_ID = 'janitor_apply';
/** Snooze buttons: `janitor_snooze_<n>_<duration>` (action ids must be unique within a message). */
const SNOOZE_ACTION_PREFIX = 'janitor_snooze';

function slackInline(inline: Inline): string {
  if (typeof inline === 'string') return escapeText(inline);
  if ('code' in inline) return code(inline.code);
  if ('strong' in inline) return `*${escapeText(inline.strong)}*`;
  if ('em' in inline) return `_${escapeText(inline.em)}_`;
  if ('user' in inline) return mention(inline.user);
  if ('date' in inline) return slackDate(inline.date);
  return `:${inline.icon}:`;
}

/** A rich line as Slack mrkdwn. */
function slackText(rich: Rich): string {
  return rich.map(slackInline).join('');
}

function groupField(group: GroupSummary): string {
  const lines = [
    `*${escapeText(group.name)}*`,
    `stop ${group.stop} · delete ${group.delete} · skipped ${group.skipped} · protected ${group.protected}`,
  ];
  if (group.listingError !== null) lines.push(`:warning: listing failed: ${escapeText(group.listingError)}`);
  if (group.aborted !== null) lines.push(`:no_entry: aborted: ${escapeText(group.aborted)}`);
  return lines.join('\n');
}

function approveButton(hash: string, stop: number, del: number): Block {
  const short = hash.slice(0, 12);
  return {
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: APPROVE_ACTION_ID,
        style: 'primary',
        text: { type: 'plain_text', text: `Approve ${short}` },
        value: `apply ${hash}`,
        confirm: {
          title: { type: 'plain_text', text: 'Apply this plan?' },
          text: {
            type: 'mrkdwn',
            text: `Stop ${stop} and delete ${del} item(s) in SAP AI Core, if the live fleet still yields plan \`${short}\`.`,
          },
          confirm: { type: 'plain_text', text: 'Apply' },
          deny: { type: 'plain_text', text: 'Cancel' },
        },
      },
    ],
  };
}

/** One actions block per noticed item: its snooze buttons (the value is the command they send). */
function snoozeButtons(ids: readonly string[], durations: ReadonlyArray<{ duration: string; label: string }>): Block[] {
  return ids.map((id, i) => ({
    type: 'actions',
    elements: durations.map((d) => ({
      type: 'button',
      action_id: `${SNOOZE_ACTION_PREFIX}_${i}_${d.duration}`,
      text: { type: 'plain_text', text: clip(`Snooze ${id}: ${d.label}`, LIMITS.buttonText) },
      value: clip(`snooze ${id} ${d.duration}`, LIMITS.buttonValue),
    })),
  }));
}

function blocksOf(part: Part): Block[] {
  switch (part.kind) {
    case 'header':
      return [header(part.text)];
    case 'section':
      return [section(part.lines.map(slackText).join('\n'))];
    case 'groups': {
      const blocks: Block[] = [];
      for (let i = 0; i < part.shown.length; i += 10) blocks.push(fields(part.shown.slice(i, i + 10).map(groupField)));
      const h = part.hidden;
      if (h !== null)
        blocks.push(context([`… and ${h.count} more group(s): ${h.stop} to stop, ${h.delete} to delete, ${h.skipped} skipped`]));
      return blocks;
    }
    case 'list':
      return [section(lineList(slackText(part.title), part.items.map(slackText), (n) => slackText(moreLine(part, n)), part.maxShown))];
    case 'context':
      return [context(part.items.map(slackText))];
    case 'divider':
      return [divider];
    case 'approve':
      return [approveButton(part.hash, part.stop, part.delete)];
    case 'snooze':
      return snoozeButtons(part.ids, part.durations);
  }
}

/**
 * @example
 * await post(job.responseUrl, toBlockKit(digestModel(report, options)), job.source);
 */
function toBlockKit(chat: ChatMessage): SlackMessage {
  return message(chat.audience, chat.text, capBlocks(chat.parts.flatMap(blocksOf)));
}

export { toBlockKit, slackText, APPROVE_ACTION_ID };
