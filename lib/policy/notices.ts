/**
 * Heads-up notices: a rule with `notice:` (or the policy's default) does not act on an item the
 * first time it selects it. That run records a notice ("will stop after <time> unless snoozed") and
 * skips the item as `noticed`; a later run acts once the notice has passed and the item still
 * matches. An item that stops matching loses its notice, so a fresh heads-up precedes any later
 * action. Notices count toward no cap: only actions do.
 *
 * Pure: the recorded notices and `now` are inputs, the notices to record or drop are outputs; the
 * run decides whether to persist them (`plan` never does).
 */
import * as z from 'zod';
import { ACTIONS, RESOURCE_TYPES, type Action } from '../lifecycle.js';
import type { Resource } from '../resources.js';
import { compilePolicy } from './compile.js';
import type { Assessment } from './decide.js';
import { observationKey } from './observations.js';
import type { Savings } from './savings.js';
import type { Policy } from './schema.js';
import { parseInstant } from './time.js';

/** One recorded notice: the store keeps these per tenant and parses what it reads back with this schema. */
const Notice = z.object({
  group: z.string(),
  type: z.enum(RESOURCE_TYPES),
  id: z.string(),
  ruleId: z.string(),
  /** The action the notice announced: a notice covers one action (a later delete gets its own). */
  action: z.enum(ACTIONS),
  noticedAt: z.string(),
  /** The item may be acted on from this instant (a snooze moves it later, never earlier). */
  actAfter: z.string(),
  snoozedBy: z.string().nullable().default(null),
  snoozeReason: z.string().nullable().default(null),
});
type Notice = z.output<typeof Notice>;

/** A noticed item, for the report's and the digest's "Coming up". */
interface ComingUp {
  group: string;
  type: Notice['type'];
  id: string;
  action: Action;
  ruleId: string;
  noticedAt: string;
  actAfter: string;
  /** Recorded by an earlier run (false: this run noticed it, or would have). */
  recorded: boolean;
  snoozedBy: string | null;
  /** What acting will free. */
  savings: Savings;
}

/** What a run should write: notices to record (new, or replacing one for another rule) and to drop. */
interface NoticeChanges {
  record: Notice[];
  drop: Array<Pick<Notice, 'group' | 'type' | 'id'>>;
}

const NO_NOTICE_CHANGES: NoticeChanges = { record: [], drop: [] };

/**
 * What the notice step made of one item's outcome:
 * - `act`: no notice applies, or its notice has passed;
 * - `noticed`: skip it; `record` is set when this run gives the notice;
 * plus whether an existing notice is to be dropped.
 */
type NoticeVerdict =
  | { kind: 'act'; drop: boolean }
  | { kind: 'noticed'; notice: Notice; record: boolean; reason: string; drop: false }
  | { kind: 'leave'; drop: boolean };

function verbOf(action: Action): string {
  return action === 'stop' ? 'stop' : 'delete';
}

/**
 * Whether any rule gives notices: only then does a run read (and write) them, so that a policy
 * without `notice:` costs and does exactly what it did before.
 */
function policyGivesNotices(policy: Policy): boolean {
  return compilePolicy(policy).givesNotices;
}

/** Outcomes that say nothing about whether the item still matches: its notice stays. */
const KEEPS_NOTICE = new Set(['protected', 'unknown', 'waiting', 'too-young']);

/**
 * Applies the notice rules to one assessed item.
 *
 * @example
 * const v = noticeVerdict(assessment, policy, observations.notices?.[key], now.getTime());
 * if (v.kind === 'noticed') skipped.push(...);
 */
function noticeVerdict(assessment: Assessment, policy: Policy, existing: Notice | undefined, nowMs: number): NoticeVerdict {
  const { outcome, resource } = assessment;
  if (outcome.kind === 'skip') {
    if (existing === undefined) return { kind: 'leave', drop: false };
    const sameRule = outcome.ruleId === existing.ruleId || outcome.skip === 'protected';
    return { kind: 'leave', drop: !(sameRule && KEEPS_NOTICE.has(outcome.skip)) };
  }
  const rule = assessment.deciding?.rule;
  const seconds = assessment.deciding?.compiled.noticeSeconds ?? null;
  if (seconds === null) return { kind: 'act', drop: existing !== undefined };
  const current = existing !== undefined && existing.ruleId === outcome.ruleId && existing.action === outcome.action ? existing : undefined;
  if (current !== undefined) {
    const after = parseInstant(current.actAfter);
    // An unreadable end is unknown, and unknown never acts: the item stays noticed.
    if (after !== null && nowMs >= after) return { kind: 'act', drop: false };
    const snoozed = current.snoozedBy === null ? '' : ` (snoozed by ${current.snoozedBy})`;
    return {
      kind: 'noticed',
      notice: current,
      record: false,
      reason: `${outcome.ruleId}: will ${verbOf(outcome.action)} after ${current.actAfter} unless snoozed${snoozed}; noticed ${current.noticedAt}`,
      drop: false,
    };
  }
  const notice: Notice = {
    group: resource.group,
    type: resource.type,
    id: resource.item.id,
    ruleId: outcome.ruleId,
    action: outcome.action,
    noticedAt: new Date(nowMs).toISOString(),
    actAfter: new Date(nowMs + seconds * 1000).toISOString(),
    snoozedBy: null,
    snoozeReason: null,
  };
  return {
    kind: 'noticed',
    notice,
    record: true,
    reason: `${outcome.ruleId}: will ${verbOf(outcome.action)} after ${notice.actAfter} unless snoozed (notice ${rule?.notice ?? policy.notice ?? ''} starts now)`,
    drop: false,
  };
}

/** Notices of a listed group whose item was not listed (deleted, or gone): dropped. */
function staleNotices(
  group: string,
  listed: readonly Resource[],
  unparseableIds: readonly (string | null)[],
  notices: Readonly<Record<string, Notice>>,
): NoticeChanges['drop'] {
  const seen = new Set([
    ...listed.map((r) => observationKey(r.group, r.type, r.item.id)),
    // An item that did not parse may still match: its notice stays.
    ...unparseableIds.flatMap((id) => (id === null ? [] : RESOURCE_TYPES.map((t) => observationKey(group, t, id)))),
  ]);
  return Object.entries(notices)
    .filter(([key, n]) => n.group === group && !seen.has(key))
    .map(([, n]) => ({ group: n.group, type: n.type, id: n.id }));
}

export { Notice, NO_NOTICE_CHANGES, noticeVerdict, policyGivesNotices, staleNotices };
export type { ComingUp, NoticeChanges, NoticeVerdict };
