/**
 * The assertions every matrix row must pass, as data (for docs/RELIABILITY.md) and as checks that
 * return what broke (empty: the row holds). Vitest-free.
 */
import { OUTCOME_STATES } from '../../lib/run/report.js';
import type { RowResult } from './context.js';

interface CommonAssertion {
  id: string;
  text: string;
  check: (result: RowResult) => string[];
}

const STACK_TRACE = /\n\s+at /;

function allOutput(result: RowResult): string[] {
  return [...result.output, ...result.cli.flatMap((c) => [c.stdout, c.stderr]), ...result.reports.map((r) => JSON.stringify(r))];
}

const COMMON_ASSERTIONS: readonly CommonAssertion[] = [
  {
    id: 'no-forbidden-request',
    text:
      'Zero requests the spec or the lifecycle table forbids, judged by AI Core (the simulator) as each request arrived: no bulk PATCH over 100 items, no id twice in one request, ' +
      'no body key for the other resource type, no stop of an item AI Core listed as anything but PENDING/RUNNING and no delete of one it listed as anything but STOPPED/DEAD/UNKNOWN (executions also COMPLETED).',
    check: (r) => r.observer.violations,
  },
  {
    id: 'only-selected-items',
    text: 'Zero protected or unmatched items touched: every fleet holds protected items (by id and by scenario) and items no rule selects, and no mutation names any of them (nor an item that appeared after the listing).',
    check: (r) =>
      [...new Set(r.observer.touched().filter((id) => !r.isTarget(id)))].map((id) => `touched ${id}, which the policy does not select`),
  },
  {
    id: 'never-sent-twice',
    text: 'Zero items sent again after AI Core accepted them (also when the answer was lost). A re-send after a 429, a refused connection or a refusal by AI Core is allowed.',
    check: (r) => r.observer.resends,
  },
  {
    id: 'every-item-ends',
    text: 'Every planned item of every run ends confirmed, failed (with a reason), not-attempted or awaiting-confirmation; the row ends with a follow-up run after which nothing is awaiting confirmation and the ledger holds nothing open.',
    check: (r) => {
      const problems: string[] = [];
      for (const report of r.reports) {
        if (report.dryRun) continue;
        const planned = report.plan.groups.reduce((n, g) => n + (g.aborted === null ? g.actions.length : 0), 0);
        if (report.outcomes.length !== planned)
          problems.push(`run ${report.runId}: ${planned} planned action(s) but ${report.outcomes.length} outcome(s)`);
        for (const o of report.outcomes) {
          if (!(OUTCOME_STATES as readonly string[]).includes(o.state))
            problems.push(`run ${report.runId}: ${o.id} ended in state ${o.state}`);
          if (o.state === 'failed' && o.message.trim() === '') problems.push(`run ${report.runId}: ${o.id} failed without a reason`);
        }
      }
      const last = r.reports.at(-1);
      if (last !== undefined && last.totals.awaitingConfirmation > 0)
        problems.push(`the row's last run (${last.runId}) left ${last.totals.awaitingConfirmation} item(s) awaiting confirmation`);
      if (r.openLedgerItems > 0) problems.push(`${r.openLedgerItems} ledger item(s) still open after the row's last run`);
      return problems;
    },
  },
  {
    id: 'clear-user-errors',
    text: 'User mistakes get one clear message (aicore-janitor: …) and exit 2; nothing the row printed, logged or answered contains a stack trace.',
    check: (r) => [
      ...r.cli
        .filter((c) => c.mistake && c.code !== 2)
        .map((c) => `${c.argv.join(' ')}: exit ${c.code}, expected 2 (${c.stderr.slice(0, 200)})`),
      ...r.cli
        .filter((c) => c.mistake && !/^aicore-janitor: \S/.test(c.stderr))
        .map((c) => `${c.argv.join(' ')}: no clear message on stderr (${JSON.stringify(c.stderr.slice(0, 120))})`),
      ...allOutput(r)
        .filter((text) => STACK_TRACE.test(text))
        .map((text) => `a stack trace in the output: ${text.slice(0, 300)}`),
    ],
  },
  {
    id: 'no-secrets',
    text: "Zero secrets in anything printed, logged, reported or answered: the service key's client secret, every token AI Core's token endpoint issued, Slack signing and webhook HMAC secrets.",
    check: (r) => {
      const text = allOutput(r).join('\n');
      return r.secrets.filter((s) => s.length >= 8 && text.includes(s)).map((s) => `a secret leaked: ${s.slice(0, 6)}…`);
    },
  },
];

export { COMMON_ASSERTIONS };
export type { CommonAssertion };
