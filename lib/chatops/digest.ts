/**
 * One digest per run: the plan (or what applying it did) as one platform-neutral message (model.ts)
 * — counts per group, the top actions with their reasons, notable skips, the plan hash and, for an
 * actionable plan, its approval (a button in Slack, the command to type in Teams). Renderers cut long
 * lists with "… and N more" to fit each platform's limits: Slack's block limits (slack-render.ts,
 * blocks.ts), Teams' message size (adaptive-card.ts). A digest never grows with the fleet.
 */
import type { ComingUp } from '../policy/notices.js';
import { comingUpOf, comingUpSavings, type Plan, type GroupPlan } from '../policy/plan.js';
import { savingsCell, savingsSummary, warmNodesSummary } from '../policy/savings.js';
import type { WarmNodes } from '../resources.js';
import { capitalise, type ChatMessage, type GroupSummary, type Part, type Rich } from './model.js';
import { APPROVE_ACTION_ID, toBlockKit } from './slack-render.js';
import type { SlackMessage } from './blocks.js';

/** What a digest needs of a run report (lib/run's RunReport has this shape). */
interface DigestRun {
  runId: string;
  dryRun: boolean;
  notApplied: string | null;
  plan: Plan;
  outcomes: ReadonlyArray<{ group: string; type: string; id: string; action: string; state: string; message: string }>;
  totals: { planned: number; sent: number; confirmed: number; awaitingConfirmation: number; failed: number; notAttempted: number };
  listingFailures: ReadonlyArray<{ group: string; error: string }>;
  stopped: string | null;
  /** The tenant's warm nodes (standing cost); absent or null when the run did not read them. */
  warmNodes?: WarmNodes | null;
}

interface DigestOptions {
  command: 'plan' | 'apply';
  /** User id of whoever asked for the plan (or for this apply). */
  requester: string;
  /** The requester's display name, when known (Teams shows names, not ids). */
  requesterName?: string | undefined;
  /** `apply`: who approved. */
  approver?: string | undefined;
  approverName?: string | undefined;
  /** `plan`: when the approval window closes (ISO-8601). */
  expiresAt?: string | undefined;
  /** The policy's `approval.required`. */
  approvalRequired: boolean;
}

const MAX_GROUPS_SHOWN = 20;
const MAX_ACTIONS_SHOWN = 15;
const MAX_SAVINGS_SHOWN = 10;
const MAX_SKIPS_SHOWN = 8;
const MAX_OUTCOMES_SHOWN = 10;
const MAX_COMING_UP_SHOWN = 10;
/** Noticed items that get snooze buttons (one actions block each): the soonest, well under Slack's 50 blocks. */
const MAX_SNOOZE_BUTTONS = 5;
const SNOOZE_CHOICES = [
  { duration: '1d', label: '1 day' },
  { duration: '1w', label: '1 week' },
] as const;

function short(hash: string): string {
  return hash.slice(0, 12);
}

/** A plan worth approving: the policy may act, no cap aborted it, and something would change. */
function actionable(plan: Plan): boolean {
  return plan.mode === 'apply' && plan.aborted === null && plan.groups.some((g) => g.aborted === null && g.actions.length > 0);
}

function summaryOf(group: GroupPlan): GroupSummary {
  const t = group.totals;
  return {
    name: group.group,
    stop: t.stop,
    delete: t.delete,
    skipped: t.skipped,
    protected: t.protected,
    listingError: group.listingError,
    aborted: group.aborted?.reason ?? null,
  };
}

function groupsPart(plan: Plan): Part {
  // Groups with work first, so the ones that matter survive the cut.
  const weight = (g: GroupPlan): number => g.totals.stop + g.totals.delete + (g.listingError !== null || g.aborted !== null ? 1e9 : 0);
  const ordered = [...plan.groups].sort((a, b) => weight(b) - weight(a) || (a.group < b.group ? -1 : 1));
  const hidden = ordered.slice(MAX_GROUPS_SHOWN);
  const sum = (key: 'stop' | 'delete' | 'skipped'): number => hidden.reduce((n, g) => n + g.totals[key], 0);
  return {
    kind: 'groups',
    shown: ordered.slice(0, MAX_GROUPS_SHOWN).map(summaryOf),
    hidden: hidden.length === 0 ? null : { count: hidden.length, stop: sum('stop'), delete: sum('delete'), skipped: sum('skipped') },
  };
}

function actionLines(plan: Plan): Rich[] {
  return plan.groups.flatMap((g) =>
    g.actions.map(
      (a): Rich => [
        { code: a.action.toUpperCase() },
        ` ${a.group} · ${a.type} `,
        { code: a.id },
        ` — ${a.reason}`,
        ...(g.aborted === null ? [] : [' ', { em: '(group aborted)' }]),
      ],
    ),
  );
}

function skipLines(plan: Plan): Rich[] {
  return plan.groups.flatMap((g) =>
    g.skipped
      // Noticed items have their own section ("Coming up").
      .filter((s) => s.kind !== 'no-match' && s.kind !== 'noticed')
      .map((s): Rich => [`${s.group} · ${s.type} `, { code: s.id ?? '?' }, ' ', { em: s.kind }, ` — ${s.reason}`]),
  );
}

function comingUpLines(items: readonly ComingUp[], command: DigestOptions['command']): Rich[] {
  return items.map(
    (c): Rich => [
      { code: c.action.toUpperCase() },
      ` ${c.group} · ${c.type} `,
      { code: c.id },
      ' after ',
      { date: c.actAfter },
      ` — ${c.ruleId}, frees ${savingsCell(c.savings)}`,
      ...(c.snoozedBy === null ? [] : [', snoozed by ', { user: c.snoozedBy }]),
      ...(c.recorded ? [] : [' ', { em: command === 'plan' ? '(a plan gives no notice: the next scheduled run does)' : '(new notice)' }]),
    ],
  );
}

/** `coming`: the plan's noticed items, soonest first (comingUpOf). */
function overview(run: DigestRun, options: DigestOptions, coming: readonly ComingUp[]): Rich[] {
  const t = run.plan.totals;
  const lines: Rich[] = [
    [
      { strong: String(t.listed) },
      ' listed in ',
      { strong: String(run.plan.groups.length) },
      ' group(s): ',
      { strong: String(t.stop) },
      ' to stop, ',
      { strong: String(t.delete) },
      ` to delete, ${t.skipped} skipped (${t.protected} protected)`,
    ],
  ];
  if (run.plan.aborted !== null) lines.push([{ icon: 'no_entry' }, ` Aborted before acting: ${run.plan.aborted.reason}`]);
  if (t.stop + t.delete > 0) lines.push([{ strong: 'Savings:' }, ` ${savingsSummary(run.plan.savings)}`]);
  const warm = run.warmNodes === undefined || run.warmNodes === null ? null : warmNodesSummary(run.warmNodes);
  if (warm !== null) lines.push([{ strong: 'Standing cost:' }, ` ${warm}`]);
  if (coming.length > 0) {
    const frees = savingsSummary(comingUpSavings(coming));
    lines.push([
      { icon: 'hourglass' },
      ' ',
      { strong: `${coming.length} noticed:` },
      ` acted on once their notice has passed unless snoozed; ${frees}`,
    ]);
  }
  if (options.command === 'plan') {
    lines.push(['Dry run: nothing was changed. Requested by ', { user: options.requester, name: options.requesterName }, '.']);
  } else if (run.notApplied !== null) {
    lines.push([{ icon: 'x' }, ' ', { strong: 'Not applied:' }, ` ${run.notApplied}`]);
  } else {
    const o = run.totals;
    lines.push([
      { icon: 'white_check_mark' },
      ' ',
      { strong: 'Applied:' },
      ` ${o.planned} planned, ${o.sent} sent, ${o.confirmed} confirmed, ${o.awaitingConfirmation} awaiting confirmation, ${o.failed} failed, ${o.notAttempted} not attempted`,
    ]);
    if (run.stopped !== null) lines.push([{ icon: 'hourglass' }, ` Stopped early: ${run.stopped}; the rest is left for the next run.`]);
  }
  for (const f of run.listingFailures)
    lines.push([{ icon: 'warning' }, ` Resource group ${f.group} could not be listed, so it was not planned: ${f.error}`]);
  if (options.approver !== undefined) {
    lines.push([
      'Approved by ',
      { user: options.approver, name: options.approverName },
      ' (plan requested by ',
      { user: options.requester, name: options.requesterName },
      ').',
    ]);
  }
  return lines;
}

function approvalNote(plan: Plan, options: DigestOptions): Rich | null {
  if (options.command !== 'plan') return null;
  if (plan.mode !== 'apply') return ['The policy says ', { code: 'mode: dry-run' }, ': approving this plan would change nothing.'];
  if (!actionable(plan)) return null;
  const who = options.approvalRequired ? 'someone other than the requester' : 'anyone here';
  return [
    `${capitalise(who)} may approve until `,
    options.expiresAt === undefined ? 'the approval window closes' : { date: options.expiresAt },
    ', and only while the live fleet still yields this exact plan.',
  ];
}

/**
 * The run's digest as the neutral model; `toBlockKit` / `toTeamsMessage` render it.
 *
 * @example
 * const digest = digestModel(report, { command: 'plan', requester: 'U123', expiresAt, approvalRequired: true });
 */
function digestModel(run: DigestRun, options: DigestOptions): ChatMessage {
  const { plan } = run;
  const state = options.command === 'plan' ? 'dry run' : run.notApplied === null ? 'applied' : 'not applied';
  const coming = comingUpOf(plan);
  const parts: Part[] = [
    { kind: 'header', text: `Janitor ${options.command} ${short(plan.hash)}${options.command === 'apply' ? `: ${state}` : ''}` },
    { kind: 'section', lines: overview(run, options, coming) },
    groupsPart(plan),
  ];

  const actions = actionLines(plan);
  if (actions.length > 0) {
    parts.push(
      { kind: 'divider' },
      {
        kind: 'list',
        title: [{ strong: 'Actions' }],
        items: actions,
        maxShown: MAX_ACTIONS_SHOWN,
        more: { noun: 'action(s);', after: [' ', { code: 'aicore-janitor plan' }, ' lists them all'] },
      },
    );
  }
  const savingsByGroup = plan.groups
    .filter((g) => g.actions.length > 0)
    .map((g): Rich => [{ strong: g.group }, ` — ${savingsSummary(g.savings)}`]);
  if (savingsByGroup.length > 1)
    parts.push({
      kind: 'list',
      title: [{ strong: 'Savings by group' }],
      items: savingsByGroup,
      maxShown: MAX_SAVINGS_SHOWN,
      more: { noun: 'group(s)' },
    });
  if (coming.length > 0) {
    parts.push(
      { kind: 'divider' },
      {
        kind: 'list',
        title: [{ strong: 'Coming up' }],
        items: comingUpLines(coming, options.command),
        maxShown: MAX_COMING_UP_SHOWN,
        more: { noun: 'noticed item(s);', after: [' ', { code: 'aicore-janitor plan' }, ' lists them all'] },
      },
      { kind: 'snooze', ids: coming.slice(0, MAX_SNOOZE_BUTTONS).map((c) => c.id), durations: SNOOZE_CHOICES },
    );
  }
  const skips = skipLines(plan);
  if (skips.length > 0) parts.push({ kind: 'list', title: [{ strong: 'Left alone' }], items: skips, maxShown: MAX_SKIPS_SHOWN, more: {} });
  if (options.command === 'apply' && !run.dryRun) {
    const notable = run.outcomes.filter((o) => o.state === 'failed' || o.state === 'not-attempted');
    const lines = notable.map((o): Rich => [{ code: o.state }, ` ${o.group} · ${o.type} `, { code: o.id }, ` — ${o.message}`]);
    if (lines.length > 0)
      parts.push({ kind: 'list', title: [{ strong: 'Needs a look' }], items: lines, maxShown: MAX_OUTCOMES_SHOWN, more: {} });
  }
  const note = approvalNote(plan, options);
  parts.push({
    kind: 'context',
    items: [
      ['plan hash ', { code: plan.hash }],
      ['policy ', { code: short(plan.policyDigest) }],
      ['run ', { code: run.runId }],
      ...(note === null ? [] : [note]),
    ],
  });
  if (options.command === 'plan' && actionable(plan))
    parts.push({ kind: 'approve', hash: plan.hash, stop: plan.totals.stop, delete: plan.totals.delete });

  const t = plan.totals;
  return {
    audience: 'in_channel',
    text: `Janitor ${options.command} ${short(plan.hash)}: ${t.stop} to stop, ${t.delete} to delete, ${t.skipped} skipped (${state})`,
    parts,
  };
}

/**
 * The run's digest as a Slack Block Kit message.
 *
 * @example
 * await post(job.responseUrl, runDigest(report, { command: 'plan', requester: 'U123', expiresAt, approvalRequired: true }));
 */
function runDigest(run: DigestRun, options: DigestOptions): SlackMessage {
  return toBlockKit(digestModel(run, options));
}

export { digestModel, runDigest, actionable, APPROVE_ACTION_ID, MAX_GROUPS_SHOWN, MAX_ACTIONS_SHOWN, MAX_SNOOZE_BUTTONS };
export type { DigestRun, DigestOptions };
