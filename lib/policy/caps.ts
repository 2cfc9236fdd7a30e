/**
 * Caps stop a policy mistake from becoming an outage. They are checked over whole scopes before
 * anything is applied, as Custodian's `max-resources` is: per resource group (a count and a percent
 * of the group's listed items, unparseable ones included) and per run / per day over every group
 * that was not itself aborted. Exceeding a cap aborts the scope (nothing in it is applied), unless
 * `onCapExceeded: oldest-first`, which keeps the oldest N actions and marks the rest `capped`.
 */
import type { Abort, PlannedAction } from './plan.js';
import type { Caps } from './schema.js';

/** A planned action with the instant oldest-first sorts by (the matched rule's timestamp). */
interface Candidate {
  action: PlannedAction;
  sortMs: number;
}

interface CapResult {
  kept: Candidate[];
  /** Dropped by oldest-first, with the reason to record. */
  capped: Array<{ candidate: Candidate; reason: string }>;
  aborted: Abort | null;
}

/** Oldest first; ties by id, then group and type, so the order never depends on listing order. */
function oldestFirst(candidates: readonly Candidate[]): Candidate[] {
  const key = (c: Candidate): string => `${c.action.id}\u0000${c.action.group}\u0000${c.action.type}`;
  return [...candidates].sort((a, b) => a.sortMs - b.sortMs || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

interface Limit {
  cap: string;
  limit: number;
  /** What the cap compares: the planned count, or today's total for the day cap. */
  selected: number;
  /** How many of the candidates may be kept; the cap is exceeded when there are more. */
  allowance: number;
  reason: string;
}

function enforce(candidates: readonly Candidate[], limits: readonly Limit[], mode: Caps['onCapExceeded']): CapResult {
  const exceeded = limits.filter((l) => candidates.length > l.allowance);
  if (exceeded.length === 0) return { kept: [...candidates], capped: [], aborted: null };
  // Report the tightest cap: the one that allows the fewest actions (the first of equals).
  const tightest = exceeded.reduce((min, l) => (l.allowance < min.allowance ? l : min));
  if (mode === 'abort') {
    return {
      kept: [...candidates],
      capped: [],
      aborted: { cap: tightest.cap, limit: tightest.limit, selected: tightest.selected, reason: tightest.reason },
    };
  }
  const allowance = Math.max(0, Math.min(...exceeded.map((l) => l.allowance)));
  const sorted = oldestFirst(candidates);
  const note = `capped by ${tightest.cap} (${tightest.reason}); kept the ${allowance} oldest of ${candidates.length}`;
  return {
    kept: sorted.slice(0, allowance),
    capped: sorted.slice(allowance).map((candidate) => ({ candidate, reason: note })),
    aborted: null,
  };
}

/**
 * Per-group caps: `maxActionsPerGroup` and `maxPercentOfGroup` of the `listed` items.
 *
 * @example
 * const { kept, capped, aborted } = applyGroupCaps(candidates, 40, policy.caps);
 */
function applyGroupCaps(candidates: readonly Candidate[], listed: number, caps: Caps): CapResult {
  const percentLimit = Math.floor((caps.maxPercentOfGroup * listed) / 100);
  const selected = candidates.length;
  return enforce(
    candidates,
    [
      {
        cap: 'maxActionsPerGroup',
        limit: caps.maxActionsPerGroup,
        selected,
        allowance: caps.maxActionsPerGroup,
        reason: `${selected} actions planned in the group, more than maxActionsPerGroup ${caps.maxActionsPerGroup}`,
      },
      {
        cap: 'maxPercentOfGroup',
        limit: percentLimit,
        selected,
        allowance: percentLimit,
        reason: `${selected} of ${listed} listed items selected, more than maxPercentOfGroup ${caps.maxPercentOfGroup}% (${percentLimit})`,
      },
    ],
    caps.onCapExceeded,
  );
}

/**
 * Run-wide caps over the actions of every group that was not aborted: `maxActionsPerRun`, and
 * `maxActionsPerDay` counting the actions already submitted today. An unreadable day count is
 * treated as "no budget left" (fail closed).
 */
function applyRunCaps(candidates: readonly Candidate[], caps: Caps, actionsToday: number): CapResult {
  const today = Number.isFinite(actionsToday) && actionsToday >= 0 ? Math.floor(actionsToday) : Number.POSITIVE_INFINITY;
  const selected = candidates.length;
  const dayRemaining = Math.max(0, caps.maxActionsPerDay - today);
  const todayText = Number.isFinite(today) ? String(today) : 'an unknown number of';
  return enforce(
    candidates,
    [
      {
        cap: 'maxActionsPerRun',
        limit: caps.maxActionsPerRun,
        selected,
        allowance: caps.maxActionsPerRun,
        reason: `${selected} actions planned in the run, more than maxActionsPerRun ${caps.maxActionsPerRun}`,
      },
      {
        cap: 'maxActionsPerDay',
        limit: caps.maxActionsPerDay,
        selected: Number.isFinite(today) ? today + selected : selected,
        allowance: dayRemaining,
        reason: `${todayText} actions already today + ${selected} planned, more than maxActionsPerDay ${caps.maxActionsPerDay}`,
      },
    ],
    caps.onCapExceeded,
  );
}

export { applyGroupCaps, applyRunCaps, oldestFirst };
export type { Candidate, CapResult };
