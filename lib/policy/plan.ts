/**
 * The plan: what the policy decided, per resource group, with a reason for every item. It is the
 * contract between lib/policy (which builds it, purely) and lib/run (which applies it) and the
 * shape behind the CLI's `--json` document, so it is versioned.
 */
import type { Action, ResourceType, TargetStatus } from '../lifecycle.js';
import type { ComingUp, NoticeChanges } from './notices.js';
import { totalSavings, type Savings, type SavingsTotals } from './savings.js';

const PLAN_VERSION = 1;

/** One condition that held for an action, with the value the engine saw (for explanations). */
interface MatchedCondition {
  condition: string;
  value: string | number | boolean | null;
}

interface PlannedAction {
  group: string;
  type: ResourceType;
  id: string;
  action: Action;
  targetStatus: TargetStatus;
  /** Status at listing time. */
  status: string;
  ruleId: string;
  /** Human-readable, e.g. "rule stale-runs: RUNNING for 3d 4h (> 24h)". */
  reason: string;
  /** Age of the rule's timestamp in seconds, null when the rule has no age condition. */
  ageSeconds: number | null;
  matched: MatchedCondition[];
  /** What acting frees, measured from the listing (never guessed). */
  savings: Savings;
}

/** Why an item was left alone. `no-match` items are counted but not listed in reports by default. */
const SKIP_KINDS = ['protected', 'unknown', 'ineligible', 'too-young', 'waiting', 'noticed', 'capped', 'no-match', 'unparseable'] as const;
type SkipKind = (typeof SKIP_KINDS)[number];

interface SkippedItem {
  group: string;
  type: ResourceType;
  id: string | null;
  status: string | null;
  kind: SkipKind;
  reason: string;
  ruleId: string | null;
  /** Seconds since the item's createdAt (a capped action: its rule's timestamp); null when unknown. */
  ageSeconds: number | null;
}

interface Abort {
  /** Which cap, e.g. "maxActionsPerGroup". */
  cap: string;
  limit: number;
  selected: number;
  reason: string;
}

interface GroupTotals {
  listed: number;
  stop: number;
  delete: number;
  skipped: number;
  protected: number;
}

interface GroupPlan {
  group: string;
  /** Ordered deterministically: type, then action (stop before delete), then id. */
  actions: PlannedAction[];
  skipped: SkippedItem[];
  /** Set when a cap aborted this group: nothing in it is applied. */
  aborted: Abort | null;
  /** Set when the group could not be listed. */
  listingError: string | null;
  totals: GroupTotals;
  /** What this group's actions free, by resource plan. */
  savings: SavingsTotals;
  /** Noticed items (skipped as `noticed`) and when they will be acted on, soonest first. */
  comingUp: ComingUp[];
  /** Notices this evaluation gives or drops; a run that records notices writes them (`plan` does not). */
  notices: NoticeChanges;
}

interface Plan {
  version: typeof PLAN_VERSION;
  /** sha256 over the sorted (group, type, id, targetStatus) decisions plus the policy digest. */
  hash: string;
  policyDigest: string;
  /** The policy's own permission; acting also needs the trigger's consent. */
  mode: 'dry-run' | 'apply';
  /** ISO-8601 instant the plan was evaluated at (the `now` input). */
  evaluatedAt: string;
  groups: GroupPlan[];
  /** Set when a run-wide cap (per run, per day) aborted everything. */
  aborted: Abort | null;
  totals: GroupTotals;
  /** What the whole run's actions free, by resource plan (the sum over the groups' actions). */
  savings: SavingsTotals;
}

/** The order a plan lists texts in: by UTF-16 code unit, as `<` compares, independent of locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The plan's noticed items, soonest first (ties keep the groups' order), for the report's and the
 * digest's "Coming up".
 *
 * @example
 * const coming = comingUpOf(plan);
 * savingsSummary(comingUpSavings(coming)); // what acting on them would free
 */
function comingUpOf(plan: Plan): ComingUp[] {
  return plan.groups.flatMap((g) => g.comingUp).sort((a, b) => compareText(a.actAfter, b.actAfter));
}

/** What acting on the noticed items would free (priced without rates, as every "Coming up" shows it). */
function comingUpSavings(items: readonly ComingUp[]): SavingsTotals {
  return totalSavings(
    items.map((c) => c.savings),
    undefined,
  );
}

export { PLAN_VERSION, SKIP_KINDS, compareText, comingUpOf, comingUpSavings };
export type { MatchedCondition, PlannedAction, SkipKind, SkippedItem, Abort, GroupTotals, GroupPlan, Plan };
