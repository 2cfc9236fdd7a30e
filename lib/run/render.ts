/**
 * The report as a person reads it at a terminal: the plan summary first, then one table of
 * decisions (acted on and notably skipped), one line per outcome when the run acted, and the
 * totals. Items no rule matched are counted, not listed, and the table says so (`--all` lists
 * them). A big plan is summarised per group and rule instead of printing thousands of rows.
 */
import { comingUpOf, comingUpSavings, type Plan } from '../policy/plan.js';
import { formatAge } from '../policy/duration.js';
import { savingsCell, savingsSummary, warmNodesSummary } from '../policy/savings.js';
import type { RunReport } from './report.js';

interface Row {
  group: string;
  type: string;
  id: string;
  status: string;
  action: string;
  age: string;
  created: string;
  /** What acting frees (actions only): `2× infer.s`, `at least 1× basic`, `none`, `quota only`, `unknown`. */
  saves: string;
  reason: string;
}

interface RenderOptions {
  /** Every row, also items no rule matched, however big the plan. */
  all?: boolean;
  /** ANSI colour (the caller decides: a terminal, and NO_COLOR unset). */
  color?: boolean;
  /** Replaces the report's own "not applied" sentence for a dry run (the CLI's plan says it in its words). */
  dryRunNote?: string;
  /** The plan was already shown (before the question): print only what happened after. */
  planShown?: boolean;
}

/** Plans with more rows than this are summarised per group and rule unless `all` is set. */
const BIG_PLAN_ROWS = 50;

/** Per-group savings lines under the summary, at most. */
const MAX_GROUP_SAVINGS_LINES = 10;

/** "Coming up" lines under the table, at most (--json has every one). */
const MAX_COMING_UP_LINES = 20;

const HEADERS: Row = {
  group: 'GROUP',
  type: 'TYPE',
  id: 'ID',
  status: 'STATUS',
  action: 'ACTION',
  age: 'AGE',
  created: 'CREATED',
  saves: 'SAVES',
  reason: 'REASON',
};
const LEGEND =
  'AGE: how old the timestamp the rule compares is; CREATED: time since the item was created; SAVES: nodes the action frees, from the listing.';

const ANSI = { bold: '1', dim: '2', red: '31', yellow: '33', green: '32' } as const;
const ACTION_COLOR: Record<string, keyof typeof ANSI> = { STOP: 'yellow', DELETE: 'red', SKIP: 'dim' };

function paint(on: boolean, style: keyof typeof ANSI, text: string): string {
  return on ? `\x1b[${ANSI[style]}m${text}\x1b[0m` : text;
}

/** An age cell: `3d 4h`, `5h 10m`, `45m`, `30s` (the policy's wording), `-` when unknown; never negative. */
function ageCell(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '-';
  return formatAge(Math.max(0, seconds));
}

function planRows(plan: Plan, all = false): Row[] {
  const rows: Row[] = [];
  for (const group of plan.groups) {
    if (group.listingError !== null) {
      rows.push({
        group: group.group,
        type: '-',
        id: '-',
        status: '-',
        action: 'SKIP',
        age: '-',
        created: '-',
        saves: '-',
        reason: `listing failed: ${group.listingError}`,
      });
      continue;
    }
    for (const a of group.actions) {
      rows.push({
        group: a.group,
        type: a.type,
        id: a.id,
        status: a.status,
        action: a.action.toUpperCase(),
        age: ageCell(a.ageSeconds),
        created: '-',
        saves: savingsCell(a.savings),
        reason: a.reason,
      });
    }
    for (const s of group.skipped) {
      if (s.kind === 'no-match' && !all) continue;
      // A capped action carries its rule's timestamp; every other skip the item's createdAt.
      const capped = s.kind === 'capped';
      rows.push({
        group: s.group,
        type: s.type,
        id: s.id ?? '?',
        status: s.status ?? '?',
        action: 'SKIP',
        age: capped ? ageCell(s.ageSeconds) : '-',
        created: capped ? '-' : ageCell(s.ageSeconds),
        saves: '-',
        reason: s.reason,
      });
    }
  }
  return rows;
}

function table(rows: readonly Row[], color: boolean): string {
  const keys = Object.keys(HEADERS) as Array<keyof Row>;
  const widths = keys.map((k) => Math.max(HEADERS[k].length, ...rows.map((r) => (k === 'reason' ? 0 : r[k].length))));
  const line = (r: Row, header: boolean): string =>
    keys
      .map((k, i) => {
        const cell = k === 'reason' ? r[k] : r[k].padEnd(widths[i] ?? 0);
        if (header) return paint(color, 'bold', cell);
        const style = k === 'action' ? ACTION_COLOR[r.action] : undefined;
        return style === undefined ? cell : paint(color, style, cell);
      })
      .join('  ');
  return [line(HEADERS, true), ...rows.map((r) => line(r, false))].join('\n');
}

/** Per group and rule (actions) or kind (skips): what a big plan does, in a screenful. */
function groupedTable(plan: Plan, color: boolean): string {
  const counts = new Map<string, { group: string; decision: string; action: string; items: number }>();
  const add = (group: string, decision: string, action: string): void => {
    const key = `${group}\u0000${decision}\u0000${action}`;
    const entry = counts.get(key) ?? { group, decision, action, items: 0 };
    entry.items += 1;
    counts.set(key, entry);
  };
  for (const g of plan.groups) {
    if (g.listingError !== null) add(g.group, 'listing failed', 'SKIP');
    for (const a of g.actions) add(g.group, `rule ${a.ruleId}`, a.action.toUpperCase());
    for (const s of g.skipped)
      if (s.kind !== 'no-match') add(g.group, s.kind === 'capped' ? `capped (rule ${s.ruleId ?? '?'})` : s.kind, 'SKIP');
  }
  const rows = [...counts.values()];
  const head = ['GROUP', 'DECISION', 'ACTION', 'ITEMS'];
  const cells = rows.map((r) => [r.group, r.decision, r.action, r.items.toLocaleString('en-US')]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const line = (c: readonly string[], header: boolean): string =>
    c
      .map((v, i) => {
        const cell = i === c.length - 1 ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0);
        if (header) return paint(color, 'bold', cell);
        const style = i === 2 ? ACTION_COLOR[v] : undefined;
        return style === undefined ? cell : paint(color, style, cell);
      })
      .join('  ');
  return [line(head, true), ...cells.map((c) => line(c, false))].join('\n');
}

function planSummary(plan: Plan, color = false): string {
  const t = plan.totals;
  const aborted = plan.aborted === null ? '' : ` — ABORTED: ${plan.aborted.reason}`;
  const groupAborts = plan.groups.filter((g) => g.aborted !== null).map((g) => `${g.group} aborted: ${g.aborted?.reason ?? ''}`);
  const first = `Plan ${plan.hash.slice(0, 12)}: ${t.listed} listed in ${plan.groups.length} group(s); ${t.stop} to stop, ${t.delete} to delete, ${t.skipped} skipped (${t.protected} protected)${aborted}`;
  const savings = t.stop + t.delete === 0 ? [] : [`Savings: ${savingsSummary(plan.savings)}`];
  const acting = plan.groups.filter((g) => g.actions.length > 0);
  const groupSavings =
    acting.length > 1 ? acting.slice(0, MAX_GROUP_SAVINGS_LINES).map((g) => `  ${g.group}: ${savingsSummary(g.savings)}`) : [];
  if (acting.length > MAX_GROUP_SAVINGS_LINES)
    groupSavings.push(`  … and ${acting.length - MAX_GROUP_SAVINGS_LINES} more group(s); --json has every group's savings`);
  return [paint(color, 'bold', first), ...groupAborts.map((l) => paint(color, 'red', l)), ...savings, ...groupSavings].join('\n');
}

/**
 * The plan as a person reads it before being asked about it: summary, then the table (or, for a
 * big plan, the per-group summary), then what the table leaves out.
 */
function renderPlan(plan: Plan, options: RenderOptions = {}): string {
  const color = options.color ?? false;
  const all = options.all ?? false;
  const rows = planRows(plan, all);
  const noMatch = plan.groups.reduce((n, g) => n + g.skipped.filter((s) => s.kind === 'no-match').length, 0);
  const parts = [planSummary(plan, color), ''];
  if (rows.length === 0) {
    parts.push('Nothing to do: no item matched a rule.');
  } else if (rows.length > BIG_PLAN_ROWS && !all) {
    parts.push(
      groupedTable(plan, color),
      '',
      `${rows.length.toLocaleString('en-US')} rows summarised per group and rule; --all lists every row.`,
    );
  } else {
    parts.push(table(rows, color), paint(color, 'dim', LEGEND));
  }
  if (noMatch > 0 && !all) parts.push(`${noMatch.toLocaleString('en-US')} item(s) no rule matched are not listed; --all lists them.`);
  parts.push(...comingUpSection(plan, all));
  return parts.join('\n');
}

/**
 * Noticed items and when they will be acted on, soonest first. A notice this evaluation gives is
 * recorded only by a scheduled run or an apply, so `plan` says when it would start.
 */
function comingUpSection(plan: Plan, all: boolean): string[] {
  const items = comingUpOf(plan);
  if (items.length === 0) return [];
  const shown = all ? items : items.slice(0, MAX_COMING_UP_LINES);
  const lines = shown.map((c) => {
    const when = `after ${c.actAfter}${c.recorded ? '' : ' (new notice)'}`;
    const snoozed = c.snoozedBy === null ? '' : `, snoozed by ${c.snoozedBy}`;
    return `  ${c.action.toUpperCase().padEnd(6)} ${c.group}/${c.type}/${c.id} ${when} (${c.ruleId}; saves ${savingsCell(c.savings)}${snoozed})`;
  });
  const hidden = items.length - shown.length;
  return [
    '',
    `Coming up: ${items.length} item(s) noticed; each is acted on once its notice has passed, unless snoozed (\`aicore-janitor snooze ID DURATION\`).`,
    ...lines,
    ...(hidden > 0 ? [`  … and ${hidden} more; --all or --json lists them`] : []),
    ...(items.some((c) => !c.recorded) ? ['  A new notice is given by a scheduled run or an apply; `plan` only shows it.'] : []),
    `  Coming up would free: ${savingsSummary(comingUpSavings(items))}`,
  ];
}

function renderReport(report: RunReport, options: RenderOptions = {}): string {
  const parts = options.planShown === true ? [] : [renderPlan(report.plan, options), ''];
  if (report.dryRun) {
    parts.push(
      options.dryRunNote !== undefined && report.notApplied?.startsWith('dry run: the trigger') === true
        ? options.dryRunNote
        : (report.notApplied ?? 'dry run'),
    );
  } else {
    // Confirmed items are counted, not listed: only what needs a look gets a line.
    for (const o of report.outcomes)
      if (o.state !== 'confirmed') parts.push(`  ${o.state.padEnd(21)} ${o.action.padEnd(6)} ${o.group}/${o.type}/${o.id}: ${o.message}`);
    const t = report.totals;
    parts.push(
      `Applied: ${t.planned} planned, ${t.sent} sent, ${t.confirmed} confirmed, ${t.awaitingConfirmation} awaiting confirmation, ${t.failed} failed, ${t.notAttempted} not attempted (${report.apiCalls} API calls, ${report.storeRequests} store requests)`,
    );
    if (t.awaitingConfirmation > 0)
      parts.push(
        'Awaiting confirmation: AI Core has not shown these changes yet; the next run confirms them from its listing and sends nothing again before the resubmit guard.',
      );
    if (report.stopped !== null) parts.push(`Stopped early: ${report.stopped}. What was not attempted stays for the next run.`);
  }
  for (const f of report.listingFailures)
    parts.push(`INCOMPLETE: resource group ${f.group} could not be listed (${f.error}); it was not planned.`);
  const warm = report.warmNodes === null ? null : warmNodesSummary(report.warmNodes);
  if (warm !== null) parts.push(`Standing cost: ${warm}.`);
  return parts.join('\n');
}

export { renderReport, renderPlan, planSummary, planRows, BIG_PLAN_ROWS };
export type { RenderOptions };
