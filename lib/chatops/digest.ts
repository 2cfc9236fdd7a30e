/**
 * One digest per run: the plan (or what applying it did) as a single Block Kit message — counts per
 * group, the top actions with their reasons, notable skips, the plan hash and, for an actionable
 * plan, an Approve button carrying `apply <hash>`. Long lists are cut with "… and N more"; a
 * digest never grows with the fleet beyond Slack's limits (see blocks.ts).
 */
import type { Plan, GroupPlan } from '../policy/plan.js';
import { code, context, divider, escapeText, slackDate, fields, header, lineList, message, section, type Block, type SlackMessage } from './blocks.js';
import { mention } from './job.js';

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
}

interface DigestOptions {
  command: 'plan' | 'apply';
  /** User id of whoever asked for the plan (or for this apply). */
  requester: string;
  /** `apply`: who approved. */
  approver?: string | undefined;
  /** `plan`: when the approval window closes (ISO-8601). */
  expiresAt?: string | undefined;
  /** The policy's `approval.required`. */
  approvalRequired: boolean;
}

const MAX_GROUPS_SHOWN = 20;
const MAX_ACTIONS_SHOWN = 15;
const MAX_SKIPS_SHOWN = 8;
const MAX_OUTCOMES_SHOWN = 10;
const APPROVE_ACTION_ID = 'janitor_apply';

function short(hash: string): string {
  return hash.slice(0, 12);
}

/** A plan worth approving: the policy may act, no cap aborted it, and something would change. */
function actionable(plan: Plan): boolean {
  return plan.mode === 'apply' && plan.aborted === null && plan.groups.some((g) => g.aborted === null && g.actions.length > 0);
}

function groupField(group: GroupPlan): string {
  const t = group.totals;
  const lines = [`*${escapeText(group.group)}*`, `stop ${t.stop} · delete ${t.delete} · skipped ${t.skipped} · protected ${t.protected}`];
  if (group.listingError !== null) lines.push(`:warning: listing failed: ${escapeText(group.listingError)}`);
  if (group.aborted !== null) lines.push(`:no_entry: aborted: ${escapeText(group.aborted.reason)}`);
  return lines.join('\n');
}

function groupBlocks(plan: Plan): Block[] {
  // Groups with work first, so the ones that matter survive the cut.
  const weight = (g: GroupPlan): number => g.totals.stop + g.totals.delete + (g.listingError !== null || g.aborted !== null ? 1e9 : 0);
  const ordered = [...plan.groups].sort((a, b) => weight(b) - weight(a) || (a.group < b.group ? -1 : 1));
  const shown = ordered.slice(0, MAX_GROUPS_SHOWN);
  const blocks: Block[] = [];
  for (let i = 0; i < shown.length; i += 10) blocks.push(fields(shown.slice(i, i + 10).map(groupField)));
  const hidden = ordered.slice(MAX_GROUPS_SHOWN);
  if (hidden.length > 0) {
    const sum = (key: 'stop' | 'delete' | 'skipped') => hidden.reduce((n, g) => n + g.totals[key], 0);
    blocks.push(context([`… and ${hidden.length} more group(s): ${sum('stop')} to stop, ${sum('delete')} to delete, ${sum('skipped')} skipped`]));
  }
  return blocks;
}

function actionLines(plan: Plan): string[] {
  return plan.groups.flatMap((g) =>
    g.actions.map((a) => `\`${a.action.toUpperCase()}\` ${escapeText(a.group)} · ${a.type} ${code(a.id)} — ${escapeText(a.reason)}${g.aborted === null ? '' : ' _(group aborted)_'}`),
  );
}

function skipLines(plan: Plan): string[] {
  return plan.groups.flatMap((g) => g.skipped.filter((s) => s.kind !== 'no-match').map((s) => `${escapeText(s.group)} · ${s.type} ${code(s.id ?? '?')} _${s.kind}_ — ${escapeText(s.reason)}`));
}

function overview(run: DigestRun, options: DigestOptions): string {
  const t = run.plan.totals;
  const lines = [
    `*${t.listed}* listed in *${run.plan.groups.length}* group(s): *${t.stop}* to stop, *${t.delete}* to delete, ${t.skipped} skipped (${t.protected} protected)`,
  ];
  if (run.plan.aborted !== null) lines.push(`:no_entry: Aborted before acting: ${escapeText(run.plan.aborted.reason)}`);
  if (options.command === 'plan') {
    lines.push(`Dry run: nothing was changed. Requested by ${mention(options.requester)}.`);
  } else if (run.notApplied !== null) {
    lines.push(`:x: *Not applied:* ${escapeText(run.notApplied)}`);
  } else {
    const o = run.totals;
    lines.push(`:white_check_mark: *Applied:* ${o.planned} planned, ${o.sent} sent, ${o.confirmed} confirmed, ${o.awaitingConfirmation} awaiting confirmation, ${o.failed} failed, ${o.notAttempted} not attempted`);
    if (run.stopped !== null) lines.push(`:hourglass: Stopped early: ${escapeText(run.stopped)}; the rest is left for the next run.`);
  }
  for (const f of run.listingFailures) lines.push(`:warning: Resource group ${escapeText(f.group)} could not be listed, so it was not planned: ${escapeText(f.error)}`);
  if (options.approver !== undefined) lines.push(`Approved by ${mention(options.approver)} (plan requested by ${mention(options.requester)}).`);
  return lines.join('\n');
}

function approvalNote(plan: Plan, options: DigestOptions): string | null {
  if (options.command !== 'plan') return null;
  if (plan.mode !== 'apply') return 'The policy says `mode: dry-run`: approving this plan would change nothing.';
  if (!actionable(plan)) return null;
  const who = options.approvalRequired ? 'someone other than the requester' : 'anyone here';
  const until = options.expiresAt === undefined ? 'the approval window closes' : slackDate(options.expiresAt);
  return `${who[0]?.toUpperCase() ?? ''}${who.slice(1)} may approve until ${until}, and only while the live fleet still yields this exact plan.`;
}

function approveButton(plan: Plan): Block {
  const t = plan.totals;
  return {
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: APPROVE_ACTION_ID,
        style: 'primary',
        text: { type: 'plain_text', text: `Approve ${short(plan.hash)}` },
        value: `apply ${plan.hash}`,
        confirm: {
          title: { type: 'plain_text', text: 'Apply this plan?' },
          text: { type: 'mrkdwn', text: `Stop ${t.stop} and delete ${t.delete} item(s) in SAP AI Core, if the live fleet still yields plan \`${short(plan.hash)}\`.` },
          confirm: { type: 'plain_text', text: 'Apply' },
          deny: { type: 'plain_text', text: 'Cancel' },
        },
      },
    ],
  };
}

/**
 * The run's digest.
 *
 * @example
 * await post(job.responseUrl, runDigest(report, { command: 'plan', requester: 'U123', expiresAt, approvalRequired: true }));
 */
function runDigest(run: DigestRun, options: DigestOptions): SlackMessage {
  const { plan } = run;
  const state = options.command === 'plan' ? 'dry run' : run.notApplied === null ? 'applied' : 'not applied';
  const blocks: Block[] = [header(`Janitor ${options.command} ${short(plan.hash)}${options.command === 'apply' ? `: ${state}` : ''}`), section(overview(run, options)), ...groupBlocks(plan)];

  const actions = actionLines(plan);
  if (actions.length > 0) blocks.push(divider, section(lineList('*Actions*', actions, (n) => `… and ${n} more action(s); \`aicore-janitor plan\` lists them all`, MAX_ACTIONS_SHOWN)));
  const skips = skipLines(plan);
  if (skips.length > 0) blocks.push(section(lineList('*Left alone*', skips, (n) => `… and ${n} more`, MAX_SKIPS_SHOWN)));
  if (options.command === 'apply' && !run.dryRun) {
    const notable = run.outcomes.filter((o) => o.state === 'failed' || o.state === 'not-attempted');
    const lines = notable.map((o) => `\`${o.state}\` ${escapeText(o.group)} · ${o.type} ${code(o.id)} — ${escapeText(o.message)}`);
    if (lines.length > 0) blocks.push(section(lineList('*Needs a look*', lines, (n) => `… and ${n} more`, MAX_OUTCOMES_SHOWN)));
  }
  const note = approvalNote(plan, options);
  blocks.push(context([`plan hash ${code(plan.hash)}`, `policy ${code(short(plan.policyDigest))}`, `run ${code(run.runId)}`, ...(note === null ? [] : [note])]));
  if (options.command === 'plan' && actionable(plan)) blocks.push(approveButton(plan));

  const t = plan.totals;
  return message('in_channel', `Janitor ${options.command} ${short(plan.hash)}: ${t.stop} to stop, ${t.delete} to delete, ${t.skipped} skipped (${state})`, blocks);
}

export { runDigest, actionable, APPROVE_ACTION_ID };
export type { DigestRun, DigestOptions };
