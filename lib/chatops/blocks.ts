/**
 * The small part of Slack's Block Kit that digests use, with Slack's documented limits enforced at
 * construction: every builder clips its text, so no plan, however large or oddly named, can produce
 * a message Slack rejects (`invalid_blocks`) — the digest would then be lost entirely.
 * Limits: https://api.slack.com/reference/block-kit/blocks
 */
import { clip } from '../util/text.js';

const LIMITS = {
  blocksPerMessage: 50,
  /** section / context text objects */
  text: 3000,
  headerText: 150,
  fieldsPerSection: 10,
  fieldText: 2000,
  contextElements: 10,
  buttonText: 75,
  buttonValue: 2000,
  /** The message's top-level `text` (notification fallback); Slack truncates at 40 000. */
  fallbackText: 3000,
} as const;

interface PlainText {
  type: 'plain_text';
  text: string;
  emoji?: boolean;
}
interface Mrkdwn {
  type: 'mrkdwn';
  text: string;
}

interface ButtonElement {
  type: 'button';
  action_id: string;
  text: PlainText;
  value: string;
  style?: 'primary' | 'danger';
  confirm?: { title: PlainText; text: Mrkdwn; confirm: PlainText; deny: PlainText };
}

type Block =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; text: Mrkdwn }
  | { type: 'section'; fields: Mrkdwn[] }
  | { type: 'context'; elements: Mrkdwn[] }
  | { type: 'divider' }
  | { type: 'actions'; elements: ButtonElement[] };

/** What the worker POSTs to a response_url (Slack's message payload). */
interface SlackMessage {
  response_type: 'in_channel' | 'ephemeral';
  /** Notification and accessibility fallback; Slack shows blocks when present. */
  text: string;
  blocks: Block[];
  replace_original?: boolean;
}

/** Slack's three control characters in mrkdwn; everything else is shown as written. */
function escapeText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Inline code that cannot be broken out of by a backtick in the value. */
function code(text: string): string {
  return `\`${escapeText(text).replace(/`/g, "'")}\``;
}

/** A time every reader sees in their own time zone; clients that cannot render it show UTC. */
function slackDate(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return escapeText(iso);
  const fallback = `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${fallback}>`;
}

function header(text: string): Block {
  return { type: 'header', text: { type: 'plain_text', text: clip(text, LIMITS.headerText), emoji: true } };
}

function section(text: string): Block {
  return { type: 'section', text: { type: 'mrkdwn', text: clip(text === '' ? ' ' : text, LIMITS.text) } };
}

function fields(texts: readonly string[]): Block {
  return {
    type: 'section',
    fields: texts.slice(0, LIMITS.fieldsPerSection).map((text) => ({ type: 'mrkdwn', text: clip(text, LIMITS.fieldText) })),
  };
}

function context(texts: readonly string[]): Block {
  return {
    type: 'context',
    elements: texts.slice(0, LIMITS.contextElements).map((text) => ({ type: 'mrkdwn', text: clip(text, LIMITS.text) })),
  };
}

const divider: Block = { type: 'divider' };

/**
 * A titled list as one section text of at most `LIMITS.text` characters: whole lines only (each
 * clipped to 500), at most `maxLines` of them, and a closing `more(hidden)` line when some were
 * left out.
 */
function lineList(title: string, lines: readonly string[], more: (hidden: number) => string, maxLines: number = lines.length): string {
  const out = [title];
  let length = title.length;
  // Room for the closing line is kept free whenever a line might still be left out.
  const reserve = more(lines.length).length + 1;
  const limit = Math.min(maxLines, lines.length);
  let shown = 0;
  for (; shown < limit; shown += 1) {
    const line = clip(lines[shown] ?? '', 500);
    if (length + line.length + 1 + reserve > LIMITS.text) break;
    out.push(line);
    length += line.length + 1;
  }
  if (shown < lines.length) out.push(more(lines.length - shown));
  return out.join('\n');
}

/** Keeps a message within the block limit (the last block is kept: it holds the buttons). */
function capBlocks(blocks: readonly Block[]): Block[] {
  if (blocks.length <= LIMITS.blocksPerMessage) return [...blocks];
  const last = blocks[blocks.length - 1];
  const head = blocks.slice(0, LIMITS.blocksPerMessage - 2);
  return [...head, context(['… more was left out of this digest']), ...(last === undefined ? [] : [last])];
}

function message(responseType: SlackMessage['response_type'], fallback: string, blocks: readonly Block[]): SlackMessage {
  return { response_type: responseType, text: clip(fallback, LIMITS.fallbackText), blocks: capBlocks(blocks), replace_original: false };
}

export { LIMITS, escapeText, code, slackDate, header, section, fields, context, divider, lineList, capBlocks, message };
export type { Block, ButtonElement, Mrkdwn, PlainText, SlackMessage };
