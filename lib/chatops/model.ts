/**
 * The platform-neutral shape of every chat message the janitor sends: the run digest, help, notices,
 * refusals, `status` and `snooze` answers. Builders (digest.ts, messages.ts, approval.ts) produce
 * this model; renderers turn it into one platform's wire format — Block Kit for Slack
 * (slack-render.ts), an Adaptive Card for Microsoft Teams (adaptive-card.ts). A new platform is one
 * renderer (and one inbound adapter), never a second copy of the digest logic.
 *
 * Text is rich but tiny: plain strings (always literal — renderers escape them for their markup),
 * inline code, emphasis, a user, a date and a handful of icons. Nothing in the model is markup, so
 * a group name or a reason can never inject formatting, mentions or links into either platform.
 */

const ICONS = [
  'warning',
  'no_entry',
  'no_entry_sign',
  'x',
  'white_check_mark',
  'hourglass',
  'grey_question',
  'mag',
  'broom',
  'zzz',
] as const;
type IconName = (typeof ICONS)[number];

type Inline =
  | string
  | { code: string }
  | { strong: string }
  | { em: string }
  /** A chat user by the janitor's user id (`U123`, `webhook:ci`, `teams:<aad object id>`); `name` when known. */
  | { user: string; name?: string | undefined }
  /** An ISO-8601 instant, shown in the reader's time zone where the platform can. */
  | { date: string }
  | { icon: IconName };

/** One line (or paragraph) of rich text. */
type Rich = readonly Inline[];

/** A run's per-group counts, as the digest's group overview shows them. */
interface GroupSummary {
  name: string;
  stop: number;
  delete: number;
  skipped: number;
  protected: number;
  listingError: string | null;
  aborted: string | null;
}

/**
 * A titled list that renderers cut to fit, ending with "… and N more <noun><after>" when they leave
 * items out. Plain data (no functions): a message crosses thread and process boundaries as JSON.
 */
interface ListPart {
  kind: 'list';
  title: Rich;
  items: readonly Rich[];
  /** At most this many items are shown, whatever room there is. */
  maxShown: number;
  more: { noun?: string; after?: Rich };
}

type Part =
  | { kind: 'header'; text: string }
  /** A paragraph of lines. */
  | { kind: 'section'; lines: readonly Rich[] }
  | { kind: 'groups'; shown: readonly GroupSummary[]; hidden: { count: number; stop: number; delete: number; skipped: number } | null }
  | ListPart
  /** Small print: plan hash, policy digest, run id, notes. */
  | { kind: 'context'; items: readonly Rich[] }
  | { kind: 'divider' }
  /**
   * An actionable plan's approval. Slack renders a button; Teams (Workflows cards cannot carry
   * working buttons) renders the command to type.
   */
  | { kind: 'approve'; hash: string; stop: number; delete: number }
  /**
   * Snoozes for noticed items ("Coming up"): Slack renders a 1-day and a 1-week button per id;
   * Teams the command to type. Each snooze is the command text `snooze <id> <duration>`.
   */
  | { kind: 'snooze'; ids: readonly string[]; durations: readonly SnoozeChoice[] };

/** A snooze a button offers: the duration the command takes and the words on the button. */
interface SnoozeChoice {
  duration: string;
  label: string;
}

interface ChatMessage {
  /** Slack: ephemeral (only the asker sees it) or in the channel. Teams posts everything to the channel. */
  audience: 'ephemeral' | 'in_channel';
  /** Plain-text summary: notification fallback, the ledger's record of the answer. */
  text: string;
  parts: readonly Part[];
}

/** The literal text of a rich line, for fallbacks and logs. */
function plainText(rich: Rich): string {
  return rich
    .map((inline) => {
      if (typeof inline === 'string') return inline;
      if ('code' in inline) return inline.code;
      if ('strong' in inline) return inline.strong;
      if ('em' in inline) return inline.em;
      if ('user' in inline) return displayName(inline.user, inline.name);
      if ('date' in inline) return utcMinute(inline.date);
      return '';
    })
    .join('');
}

/** Namespaces of user ids: Slack ids are bare, the others carry a prefix. */
const WEBHOOK_USER_PREFIX = 'webhook:';
const TEAMS_USER_PREFIX = 'teams:';

type ChatPlatform = 'slack' | 'webhook' | 'teams';

function platformOfUser(userId: string): ChatPlatform {
  if (userId.startsWith(WEBHOOK_USER_PREFIX)) return 'webhook';
  if (userId.startsWith(TEAMS_USER_PREFIX)) return 'teams';
  return 'slack';
}

/** A user as plain text: the name when known, else the id without its namespace (Teams: shortened). */
function displayName(userId: string, name?: string): string {
  if (name !== undefined && name.trim() !== '') return name;
  const platform = platformOfUser(userId);
  if (platform === 'webhook') return userId.slice(WEBHOOK_USER_PREFIX.length);
  if (platform === 'teams') return `Teams user ${userId.slice(TEAMS_USER_PREFIX.length, TEAMS_USER_PREFIX.length + 8)}`;
  return userId;
}

/** `2026-11-23 13:00 UTC`, or the text itself when it is not a date. */
function utcMinute(iso: string): string {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? iso : `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The closing line of a list that left `hidden` items out. */
function moreLine(list: Pick<ListPart, 'more'>, hidden: number): Rich {
  return [`… and ${hidden} more${list.more.noun === undefined ? '' : ` ${list.more.noun}`}`, ...(list.more.after ?? [])];
}

/** Upper-cases the first letter of a sentence. */
function capitalise(text: string): string {
  return `${text[0]?.toUpperCase() ?? ''}${text.slice(1)}`;
}

export { ICONS, WEBHOOK_USER_PREFIX, TEAMS_USER_PREFIX, plainText, platformOfUser, displayName, utcMinute, capitalise, moreLine };
export type { IconName, Inline, Rich, GroupSummary, ListPart, Part, ChatMessage, ChatPlatform, SnoozeChoice };
