/**
 * The report as a person reads it at a terminal: one table of decisions (acted on and notably
 * skipped), one line per outcome when the run acted, and a summary line. Items no rule matched are
 * counted, not listed: a fleet of thousands must not print thousands of "no match" rows.
 */
import type { Plan } from '../policy/plan.js';
import type { RunReport } from './report.js';

interface Row {
  group: string;
  type: string;
  id: string;
  status: string;
  age: string;
  action: string;
  reason: string;
}

const HEADERS: Row = { group: 'GROUP', type: 'TYPE', id: 'ID', status: 'STATUS', age: 'AGE', action: 'ACTION', reason: 'REASON' };

/** `3d 4h`, `5h 10m`, `45m`, `30s`. */
function formatAge(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '-';
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return h > 0 ? `${d}d ${h}h` : `${d}d`;
  if (h > 0) return m > 0 ? `${h}h ${m}m` : `${h}h`;
  return m > 0 ? `${m}m` : `${s}s`;
}

function planRows(plan: Plan): Row[] {
  const rows: Row[] = [];
  for (const group of plan.groups) {
    if (group.listingError !== null) {
      rows.push({ group: group.group, type: '-', id: '-', status: '-', age: '-', action: 'SKIP', reason: `listing failed: ${group.listingError}` });
      continue;
    }
    for (const a of group.actions) {
      rows.push({ group: a.group, type: a.type, id: a.id, status: a.status, age: formatAge(a.ageSeconds), action: a.action.toUpperCase(), reason: a.reason });
    }
    for (const s of group.skipped) {
      if (s.kind === 'no-match') continue;
      rows.push({ group: s.group, type: s.type, id: s.id ?? '?', status: s.status ?? '?', age: formatAge(s.ageSeconds), action: 'SKIP', reason: s.reason });
    }
  }
  return rows;
}

function table(rows: readonly Row[]): string {
  const keys = Object.keys(HEADERS) as Array<keyof Row>;
  const widths = keys.map((k) => Math.max(HEADERS[k].length, ...rows.map((r) => (k === 'reason' ? 0 : r[k].length))));
  const line = (r: Row): string => keys.map((k, i) => (k === 'reason' ? r[k] : r[k].padEnd(widths[i] ?? 0))).join('  ');
  return [line(HEADERS), ...rows.map(line)].join('\n');
}

function planSummary(plan: Plan): string {
  const t = plan.totals;
  const aborted = plan.aborted === null ? '' : ` — ABORTED: ${plan.aborted.reason}`;
  const groupAborts = plan.groups.filter((g) => g.aborted !== null).map((g) => `${g.group} aborted: ${g.aborted?.reason ?? ''}`);
  const lines = [`Plan ${plan.hash.slice(0, 12)}: ${t.listed} listed in ${plan.groups.length} group(s); ${t.stop} to stop, ${t.delete} to delete, ${t.skipped} skipped (${t.protected} protected)${aborted}`];
  return [...lines, ...groupAborts].join('\n');
}

function renderReport(report: RunReport): string {
  const rows = planRows(report.plan);
  const parts = [rows.length === 0 ? 'Nothing to do: no item matched a rule.' : table(rows), '', planSummary(report.plan)];
  if (report.dryRun) {
    parts.push(report.notApplied ?? 'dry run');
  } else {
    // Confirmed items are counted, not listed: only what needs a look gets a line.
    for (const o of report.outcomes) if (o.state !== 'confirmed') parts.push(`  ${o.state.padEnd(21)} ${o.action.padEnd(6)} ${o.group}/${o.type}/${o.id}: ${o.message}`);
    const t = report.totals;
    parts.push(
      `Applied: ${t.planned} planned, ${t.sent} sent, ${t.confirmed} confirmed, ${t.awaitingConfirmation} awaiting confirmation, ${t.failed} failed, ${t.notAttempted} not attempted (${report.apiCalls} API calls, ${report.storeRequests} store requests)`,
    );
    if (t.awaitingConfirmation > 0) parts.push('Awaiting confirmation: AI Core has not shown these changes yet; the next run confirms them from its listing and sends nothing again before the resubmit guard.');
    if (report.stopped !== null) parts.push(`Stopped early: ${report.stopped}. What was not attempted stays for the next run.`);
  }
  for (const f of report.listingFailures) parts.push(`INCOMPLETE: resource group ${f.group} could not be listed (${f.error}); it was not planned.`);
  return parts.join('\n');
}

export { renderReport, planRows, formatAge };
