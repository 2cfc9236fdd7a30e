/**
 * The Microsoft Teams renderer: a platform-neutral chat message (model.ts) → one Adaptive Card, in
 * the `{ type: 'message', attachments: [card] }` envelope that a Teams Workflows webhook ("Post to
 * a channel when a webhook request is received") and an outgoing webhook's synchronous answer both
 * take.
 *
 * - **No markup from data.** Every piece of text is a `TextRun` inside a `RichTextBlock`, which
 *   Adaptive Cards never parse as Markdown: a group name or a reason cannot add links, mentions or
 *   formatting. Emphasis and code are TextRun properties (weight, italic, monospace).
 * - **No buttons.** Workflows cards cannot carry working actions, so an actionable plan shows the
 *   command to type (`@Janitor apply <hash>`) instead of Slack's Approve button.
 * - **Within Teams' message size limit (about 28 KB).** The card is rendered at decreasing levels
 *   of detail — fewer list items and groups, shorter lines — until its JSON fits
 *   `TEAMS_MESSAGE_BUDGET_BYTES`; whatever a level leaves out is counted ("… and N more"). The last
 *   level is a minimal card that always fits.
 */
import { clip } from '../util/text.js';
import {
  displayName,
  moreLine,
  utcMinute,
  type ChatMessage,
  type GroupSummary,
  type IconName,
  type Inline,
  type Part,
  type Rich,
} from './model.js';

/** Teams' documented limit is "approximately 28 KB" per message; this leaves room for the flow's own wrapping. */
const TEAMS_MESSAGE_BUDGET_BYTES = 25_600;
const CARD_VERSION = '1.4';
const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

interface TextRun {
  type: 'TextRun';
  text: string;
  weight?: 'Bolder';
  italic?: boolean;
  fontType?: 'Monospace';
  size?: 'Medium';
  isSubtle?: boolean;
}

type CardElement = { type: 'RichTextBlock'; inlines: TextRun[]; spacing?: 'None' | 'Medium'; separator?: boolean };

interface AdaptiveCard {
  $schema: 'http://adaptivecards.io/schemas/adaptive-card.json';
  type: 'AdaptiveCard';
  version: typeof CARD_VERSION;
  body: CardElement[];
  msteams: { width: 'Full' };
}

interface TeamsMessage {
  type: 'message';
  /** Notification text (shown where the card is not, e.g. in a toast); never Markdown from data. */
  summary: string;
  attachments: [{ contentType: typeof ADAPTIVE_CARD; contentUrl: null; content: AdaptiveCard }];
}

interface TeamsRenderOptions {
  /** The outgoing webhook's name, for the commands to type (`@Janitor apply …`). */
  mentionName: string;
  /** Default TEAMS_MESSAGE_BUDGET_BYTES (tests lower it). */
  budgetBytes: number;
}

const EMOJI: Readonly<Record<IconName, string>> = {
  warning: '⚠️',
  no_entry: '⛔',
  no_entry_sign: '🚫',
  x: '❌',
  white_check_mark: '✅',
  hourglass: '⏳',
  grey_question: '❔',
  mag: '🔍',
  broom: '🧹',
  zzz: '💤',
};

/** How much detail a rendering keeps. */
interface Level {
  /** Characters per line (all of its runs together). */
  lineChars: number;
  /** Share of each list's `maxShown` that is shown. */
  listShare: number;
  groups: number;
  /** Lines per section. */
  sectionLines: number;
}

const LEVELS: readonly Level[] = [
  { lineChars: 500, listShare: 1, groups: 20, sectionLines: 30 },
  { lineChars: 300, listShare: 0.5, groups: 10, sectionLines: 15 },
  { lineChars: 200, listShare: 0.2, groups: 5, sectionLines: 8 },
  { lineChars: 120, listShare: 0, groups: 0, sectionLines: 4 },
];

function run(inline: Inline): TextRun {
  if (typeof inline === 'string') return { type: 'TextRun', text: inline };
  if ('code' in inline) return { type: 'TextRun', text: inline.code, fontType: 'Monospace' };
  if ('strong' in inline) return { type: 'TextRun', text: inline.strong, weight: 'Bolder' };
  if ('em' in inline) return { type: 'TextRun', text: inline.em, italic: true };
  if ('user' in inline) return { type: 'TextRun', text: displayName(inline.user, inline.name), weight: 'Bolder' };
  if ('date' in inline) return { type: 'TextRun', text: utcMinute(inline.date) };
  return { type: 'TextRun', text: EMOJI[inline.icon] };
}

/** One line as a RichTextBlock of at most `max` characters (runs after the cut are dropped). */
function line(rich: Rich, max: number, extra: Partial<CardElement> = {}): CardElement {
  const inlines: TextRun[] = [];
  let left = max;
  for (const inline of rich) {
    const r = run(inline);
    // Newlines inside a run are not line breaks in every client: lines are separate blocks.
    const text = r.text.replace(/\s*\n\s*/g, ' ');
    if (text === '') continue;
    if (left <= 1) break;
    const cut = clip(text, left);
    inlines.push({ ...r, text: cut });
    left -= cut.length;
    if (cut.length < text.length) break;
  }
  return { type: 'RichTextBlock', inlines: inlines.length === 0 ? [{ type: 'TextRun', text: ' ' }] : inlines, ...extra };
}

function groupLines(group: GroupSummary): Rich[] {
  const lines: Rich[] = [
    [{ strong: group.name }, `  stop ${group.stop} · delete ${group.delete} · skipped ${group.skipped} · protected ${group.protected}`],
  ];
  if (group.listingError !== null) lines.push([{ icon: 'warning' }, ` listing failed: ${group.listingError}`]);
  if (group.aborted !== null) lines.push([{ icon: 'no_entry' }, ` aborted: ${group.aborted}`]);
  return lines;
}

function elementsOf(part: Part, level: Level, options: TeamsRenderOptions): CardElement[] {
  const tight = { spacing: 'None' as const };
  switch (part.kind) {
    case 'header':
      return [{ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: clip(part.text, 150), weight: 'Bolder', size: 'Medium' }] }];
    case 'section': {
      const shown = part.lines.slice(0, level.sectionLines).map((l, i) => line(l, level.lineChars, i === 0 ? {} : tight));
      const hidden = part.lines.length - level.sectionLines;
      return hidden > 0 ? [...shown, line([`… and ${hidden} more line(s)`], level.lineChars, tight)] : shown;
    }
    case 'groups': {
      const shown = part.shown.slice(0, level.groups);
      const out = shown.flatMap((g) => groupLines(g).map((l, i) => line(l, level.lineChars, i === 0 ? {} : tight)));
      const cut = part.shown.slice(level.groups);
      const hidden = {
        count: cut.length + (part.hidden?.count ?? 0),
        stop: cut.reduce((n, g) => n + g.stop, part.hidden?.stop ?? 0),
        delete: cut.reduce((n, g) => n + g.delete, part.hidden?.delete ?? 0),
        skipped: cut.reduce((n, g) => n + g.skipped, part.hidden?.skipped ?? 0),
      };
      if (hidden.count > 0)
        out.push(
          line(
            [`… and ${hidden.count} more group(s): ${hidden.stop} to stop, ${hidden.delete} to delete, ${hidden.skipped} skipped`],
            level.lineChars,
          ),
        );
      return out;
    }
    case 'list': {
      const max = Math.min(part.items.length, Math.floor(part.maxShown * level.listShare));
      const out = [line(part.title, level.lineChars), ...part.items.slice(0, max).map((item) => line(item, level.lineChars, tight))];
      if (max < part.items.length) out.push(line(moreLine(part, part.items.length - max), level.lineChars, tight));
      return out;
    }
    case 'context':
      return part.items.map((item, i) => {
        const element = line(item, level.lineChars, i === 0 ? {} : tight);
        return { ...element, inlines: element.inlines.map((r) => ({ ...r, isSubtle: true })) };
      });
    case 'divider':
      return [{ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: ' ' }], separator: true, spacing: 'Medium' }];
    case 'approve':
      // Workflows cards cannot carry working buttons: the command to type instead.
      return [
        line(
          [
            `To apply it (stop ${part.stop}, delete ${part.delete} item(s) in SAP AI Core, only while the live fleet still yields this plan), send in the team's channel:`,
          ],
          300,
          { separator: true },
        ),
        line([{ code: `@${options.mentionName} apply ${part.hash}` }], 200, tight),
      ];
    case 'snooze': {
      // No working buttons here either: the command, once, with the first noticed id as the example.
      const [first] = part.ids;
      const [choice] = part.durations;
      if (first === undefined || choice === undefined) return [];
      return [
        line(["To snooze a noticed item (its notice then ends later), send in the team's channel:"], 300, { separator: true }),
        line([{ code: `@${options.mentionName} snooze ${first} ${choice.duration} reason…` }], 200, tight),
      ];
    }
  }
}

function envelope(summary: string, body: CardElement[]): TeamsMessage {
  return {
    type: 'message',
    summary: clip(summary, 300),
    attachments: [
      {
        contentType: ADAPTIVE_CARD,
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: CARD_VERSION,
          body,
          msteams: { width: 'Full' },
        },
      },
    ],
  };
}

function byteSize(message: TeamsMessage): number {
  return Buffer.byteLength(JSON.stringify(message), 'utf8');
}

/**
 * @example
 * await post(workflowUrl, toTeamsMessage(digestModel(report, options), { mentionName: 'Janitor' }), 'teams');
 */
function toTeamsMessage(chat: ChatMessage, overrides: Partial<TeamsRenderOptions> = {}): TeamsMessage {
  const options: TeamsRenderOptions = {
    mentionName: clip(overrides.mentionName ?? 'Janitor', 60),
    budgetBytes: overrides.budgetBytes ?? TEAMS_MESSAGE_BUDGET_BYTES,
  };
  for (const level of LEVELS) {
    const message = envelope(
      chat.text,
      chat.parts.flatMap((part) => elementsOf(part, level, options)),
    );
    if (byteSize(message) <= options.budgetBytes) return message;
  }
  // Whatever the model holds, this fits: a title, the summary and a pointer to the full plan.
  const header = chat.parts.find((p) => p.kind === 'header');
  return envelope(chat.text, [
    ...(header === undefined ? [] : elementsOf(header, LEVELS[LEVELS.length - 1] as Level, options)),
    line([chat.text], 300),
    line(['This message was too large for Teams. ', { code: 'aicore-janitor plan' }, ' shows the plan in full.'], 200),
  ]);
}

export { toTeamsMessage, TEAMS_MESSAGE_BUDGET_BYTES, ADAPTIVE_CARD };
export type { TeamsMessage, AdaptiveCard, CardElement, TextRun, TeamsRenderOptions };
