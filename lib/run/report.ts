/**
 * The run report: the plan plus what happened to each action. It is what the scheduled handler
 * returns and logs, what the CLI prints or emits with `--json`, and what chat digests summarise.
 */
import type { Action, ResourceType } from '../lifecycle.js';
import type { Plan } from '../policy/plan.js';
import type { WarmNodes } from '../resources.js';

/** 3: skipped items may be `noticed`; group plans carry `comingUp` and `notices` (heads-up notices). */
const REPORT_VERSION = 3;

/**
 * Where each planned action ended this run:
 * - `confirmed`: a listing shows the change (or AI Core says a deleted item is gone);
 * - `awaiting-confirmation`: sent (by this run or an earlier one) and accepted, or sent with its
 *   answer lost, and not visible yet: the next run confirms it from its listing, and sends again
 *   only if no effect shows after the resubmit guard;
 * - `failed`: AI Core refused it (the message says why);
 * - `not-attempted`: the deadline or a lost lease came first; nothing was sent, the next run may.
 */
const OUTCOME_STATES = ['confirmed', 'awaiting-confirmation', 'failed', 'not-attempted'] as const;
type OutcomeState = (typeof OUTCOME_STATES)[number];

interface ItemOutcome {
  group: string;
  type: ResourceType;
  id: string;
  action: Action;
  state: OutcomeState;
  /** Whether this run sent the request (false: an earlier run did, or nothing was sent). */
  sent: boolean;
  message: string;
}

/**
 * What became of one planned action.
 *
 * @example
 * outcomeOf(action, 'not-attempted', false, 'not sent: the deadline came first');
 */
function outcomeOf(
  action: Pick<ItemOutcome, 'group' | 'type' | 'id' | 'action'>,
  state: OutcomeState,
  sent: boolean,
  message: string,
): ItemOutcome {
  return { group: action.group, type: action.type, id: action.id, action: action.action, state, sent, message };
}

interface RunTotals {
  planned: number;
  /** Requests this run sent for planned actions (each item counted once). */
  sent: number;
  confirmed: number;
  awaitingConfirmation: number;
  failed: number;
  notAttempted: number;
}

interface ListingFailure {
  group: string;
  error: string;
}

interface RunReport {
  version: typeof REPORT_VERSION;
  runId: string;
  trigger: string;
  startedAt: string;
  finishedAt: string;
  /** No new request starts after this instant (ISO-8601). */
  deadline: string;
  /** True unless both the policy (`mode: apply`) and the trigger consented. */
  dryRun: boolean;
  /** Why the run did not act, when it did not (dry-run, cap abort, refusal). */
  notApplied: string | null;
  /** Why the run stopped sending early (deadline, lost lease), or null. */
  stopped: string | null;
  /** Groups whose listing failed: they were not planned, so the run could not see everything. */
  listingFailures: ListingFailure[];
  /** Every group was listed: only then is a run a success. */
  complete: boolean;
  plan: Plan;
  outcomes: ItemOutcome[];
  totals: RunTotals;
  /** The tenant's warm nodes: standing cost, never acted on (null: not read). */
  warmNodes: WarmNodes | null;
  /** HTTP requests sent to AI Core, retries included. */
  apiCalls: number;
  /** Requests sent to the store (ledger, observations, lock, trigger, run record). */
  storeRequests: number;
}

function totalsOf(planned: number, outcomes: readonly ItemOutcome[]): RunTotals {
  const count = (state: OutcomeState): number => outcomes.filter((o) => o.state === state).length;
  return {
    planned,
    sent: outcomes.filter((o) => o.sent).length,
    confirmed: count('confirmed'),
    awaitingConfirmation: count('awaiting-confirmation'),
    failed: count('failed'),
    notAttempted: count('not-attempted'),
  };
}

/** One line for logs, run records and duplicate deliveries. */
function summaryLine(report: Pick<RunReport, 'totals' | 'listingFailures' | 'stopped'>): string {
  const t = report.totals;
  const parts = [
    `${t.planned} planned`,
    `${t.sent} sent`,
    `${t.confirmed} confirmed`,
    `${t.awaitingConfirmation} awaiting confirmation`,
    `${t.failed} failed`,
    `${t.notAttempted} not attempted`,
  ];
  if (report.listingFailures.length > 0) parts.push(`${report.listingFailures.length} group(s) not listed`);
  if (report.stopped !== null) parts.push(`stopped early: ${report.stopped}`);
  return parts.join(', ');
}

export { REPORT_VERSION, OUTCOME_STATES, outcomeOf, totalsOf, summaryLine };
export type { OutcomeState, ItemOutcome, RunTotals, RunReport, ListingFailure };
