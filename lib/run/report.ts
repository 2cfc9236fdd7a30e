/**
 * The run report: the plan plus what happened to each action. It is what the scheduled handler
 * returns and logs, what the CLI prints or emits with `--json`, and what chat digests summarise.
 */
import type { Action, ResourceType } from '../lifecycle.js';
import type { Plan } from '../policy/plan.js';

const REPORT_VERSION = 1;

/**
 * Final state of one planned action in this run. `already-submitted` means an earlier run (or a
 * duplicate trigger) holds the ledger entry: this run did not send it again.
 */
const OUTCOME_STATES = ['confirmed', 'submitted', 'failed', 'already-submitted', 'not-applied'] as const;
type OutcomeState = (typeof OUTCOME_STATES)[number];

interface ItemOutcome {
  group: string;
  type: ResourceType;
  id: string;
  action: Action;
  state: OutcomeState;
  message: string;
}

interface RunTotals {
  planned: number;
  submitted: number;
  confirmed: number;
  failed: number;
  alreadySubmitted: number;
}

interface RunReport {
  version: typeof REPORT_VERSION;
  runId: string;
  trigger: string;
  startedAt: string;
  finishedAt: string;
  /** True unless both the policy (`mode: apply`) and the trigger consented. */
  dryRun: boolean;
  /** Why the run did not act, when it did not (dry-run, cap abort, refusal). */
  notApplied: string | null;
  plan: Plan;
  outcomes: ItemOutcome[];
  totals: RunTotals;
  /** HTTP requests sent to AI Core, retries included. */
  apiCalls: number;
}

function totalsOf(planned: number, outcomes: readonly ItemOutcome[]): RunTotals {
  const count = (state: OutcomeState): number => outcomes.filter((o) => o.state === state).length;
  return {
    planned,
    submitted: count('submitted') + count('confirmed'),
    confirmed: count('confirmed'),
    failed: count('failed'),
    alreadySubmitted: count('already-submitted'),
  };
}

export { REPORT_VERSION, OUTCOME_STATES, totalsOf };
export type { OutcomeState, ItemOutcome, RunTotals, RunReport };
