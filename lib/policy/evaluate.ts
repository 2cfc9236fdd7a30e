/**
 * evaluate(): fleet + policy + now + observations → Plan. Pure and deterministic: no I/O, no clock
 * (`now` is an input), and the same input gives the same plan and hash. Each item is assessed on its
 * own (decide.ts); caps then look at each group and at the whole run (caps.ts).
 */
import { TARGET_STATUS } from '../lifecycle.js';
import type { GroupFleet, Fleet, Resource } from '../resources.js';
import { applyGroupCaps, applyRunCaps, type Candidate } from './caps.js';
import { compilePolicy } from './compile.js';
import { assess } from './decide.js';
import { InvalidNowError } from './errors.js';
import { canonicalJson, digestOf, sha256Hex } from './hash.js';
import { noticeVerdict, staleNotices, type ComingUp, type NoticeChanges } from './notices.js';
import { observationKey, type Observations } from './observations.js';
import {
  compareText,
  PLAN_VERSION,
  type Abort,
  type GroupPlan,
  type GroupTotals,
  type Plan,
  type PlannedAction,
  type SkippedItem,
} from './plan.js';
import { savingsOf, totalSavings } from './savings.js';
import type { Policy } from './schema.js';
import { parseInstant } from './time.js';

interface EvaluateInput {
  fleet: Fleet;
  policy: Policy;
  now: Date;
  observations: Observations;
}

interface Draft {
  fleet: GroupFleet;
  candidates: Candidate[];
  skipped: SkippedItem[];
  aborted: Abort | null;
  comingUp: ComingUp[];
  notices: NoticeChanges;
}

function skippedOf(
  resource: Resource,
  kind: SkippedItem['kind'],
  reason: string,
  ruleId: string | null,
  nowMs: number,
  created: number | null = parseInstant(resource.item.createdAt),
): SkippedItem {
  const ageSeconds = created === null ? null : Math.floor((nowMs - created) / 1000);
  return {
    group: resource.group,
    type: resource.type,
    id: resource.item.id,
    status: resource.item.status,
    kind,
    reason,
    ruleId,
    ageSeconds,
  };
}

function draftGroup(groupFleet: GroupFleet, input: EvaluateInput, nowMs: number): Draft {
  const unparseable: SkippedItem[] = groupFleet.unparseable.map((u) => ({
    group: u.group,
    type: u.type,
    id: u.id,
    status: null,
    kind: 'unparseable',
    reason: `item could not be parsed: ${u.reason}`,
    ruleId: null,
    ageSeconds: null,
  }));
  const { listingError } = groupFleet;
  if (listingError !== null) {
    // A failed listing means we do not know the group: nothing in it acts, whatever was seen.
    const seen = groupFleet.resources.map((r) => skippedOf(r, 'unknown', `resource group listing failed: ${listingError}`, null, nowMs));
    // Nor do its notices change: nothing is known about its items.
    return {
      fleet: groupFleet,
      candidates: [],
      skipped: [...seen, ...unparseable],
      aborted: null,
      comingUp: [],
      notices: { record: [], drop: [] },
    };
  }
  const candidates: Candidate[] = [];
  const skipped: SkippedItem[] = [...unparseable];
  const comingUp: ComingUp[] = [];
  const recorded = input.observations.notices ?? {};
  // Most runs have no recorded notices: then there is nothing to look up or drop per item.
  const anyRecorded = Object.keys(recorded).length > 0;
  const notices: NoticeChanges = {
    record: [],
    drop: anyRecorded
      ? staleNotices(
          groupFleet.group,
          groupFleet.resources,
          groupFleet.unparseable.map((u) => u.id),
          recorded,
        )
      : [],
  };
  for (const resource of groupFleet.resources) {
    const assessment = assess({ resource, labels: groupFleet.labels, policy: input.policy, observations: input.observations, nowMs });
    const { outcome } = assessment;
    const notice = noticeVerdict(
      assessment,
      input.policy,
      anyRecorded ? recorded[observationKey(resource.group, resource.type, resource.item.id)] : undefined,
      nowMs,
    );
    if (notice.drop) notices.drop.push({ group: resource.group, type: resource.type, id: resource.item.id });
    if (outcome.kind === 'skip') {
      skipped.push(skippedOf(resource, outcome.skip, outcome.reason, outcome.ruleId, nowMs, assessment.createdMs));
      continue;
    }
    if (notice.kind === 'noticed') {
      // Counted toward no cap: a noticed item is not a candidate until its notice has passed.
      skipped.push(skippedOf(resource, 'noticed', notice.reason, outcome.ruleId, nowMs, assessment.createdMs));
      if (notice.record) notices.record.push(notice.notice);
      const { noticedAt, actAfter, snoozedBy } = notice.notice;
      const savings = savingsOf(resource, outcome.action);
      comingUp.push({
        ...refOf(resource),
        action: outcome.action,
        ruleId: outcome.ruleId,
        noticedAt,
        actAfter,
        recorded: !notice.record,
        snoozedBy,
        savings,
      });
      continue;
    }
    const action: PlannedAction = {
      group: resource.group,
      type: resource.type,
      id: resource.item.id,
      action: outcome.action,
      targetStatus: TARGET_STATUS[outcome.action],
      status: resource.item.status,
      ruleId: outcome.ruleId,
      reason: outcome.reason,
      ageSeconds: outcome.ageSeconds,
      matched: outcome.matched,
      savings: savingsOf(resource, outcome.action),
    };
    candidates.push({ action, sortMs: outcome.sortMs });
  }
  const listed = groupFleet.resources.length + groupFleet.unparseable.length;
  const capped = applyGroupCaps(candidates, listed, input.policy.caps);
  for (const { candidate, reason } of capped.capped) skipped.push(cappedItem(candidate.action, reason));
  comingUp.sort((a, b) => compareText(a.actAfter, b.actAfter) || compareText(a.type, b.type) || compareText(a.id, b.id));
  return { fleet: groupFleet, candidates: capped.kept, skipped, aborted: capped.aborted, comingUp, notices };
}

function refOf(resource: Resource): { group: string; type: Resource['type']; id: string } {
  return { group: resource.group, type: resource.type, id: resource.item.id };
}

function cappedItem(action: PlannedAction, reason: string): SkippedItem {
  return {
    group: action.group,
    type: action.type,
    id: action.id,
    status: action.status,
    kind: 'capped',
    reason,
    ruleId: action.ruleId,
    ageSeconds: action.ageSeconds,
  };
}

const ACTION_ORDER = { stop: 0, delete: 1 } as const;

function sortActions(actions: PlannedAction[]): PlannedAction[] {
  return actions.sort((a, b) => compareText(a.type, b.type) || ACTION_ORDER[a.action] - ACTION_ORDER[b.action] || compareText(a.id, b.id));
}

/** Type, then id (items without one last), then kind and reason; written out because it runs n log n times per plan. */
function compareSkipped(a: SkippedItem, b: SkippedItem): number {
  if (a.type !== b.type) return a.type < b.type ? -1 : 1;
  if (a.id !== b.id) {
    if (a.id === null) return 1;
    if (b.id === null) return -1;
    return a.id < b.id ? -1 : 1;
  }
  return compareText(a.kind, b.kind) || compareText(a.reason, b.reason);
}

function sortSkipped(items: SkippedItem[]): SkippedItem[] {
  return items.sort(compareSkipped);
}

function totalsOf(plan: Pick<GroupPlan, 'actions' | 'skipped'>, listed: number): GroupTotals {
  return {
    listed,
    stop: plan.actions.filter((a) => a.action === 'stop').length,
    delete: plan.actions.filter((a) => a.action === 'delete').length,
    skipped: plan.skipped.length,
    protected: plan.skipped.filter((s) => s.kind === 'protected').length,
  };
}

/**
 * The plan hash: sha256 over the sorted decisions (group, type, id, targetStatus), the aborted
 * scopes and the policy digest. Ages and reasons are left out, so the same decisions a minute later
 * give the same hash (what a chat-ops approval refers to).
 */
function planHash(policyDigest: string, groups: readonly GroupPlan[], aborted: Abort | null): string {
  const decisions = groups
    .flatMap((g) => g.actions.map((a) => [a.group, a.type, a.id, a.targetStatus]))
    .map((d) => canonicalJson(d))
    .sort(compareText);
  const abortedScopes = [
    ...groups.flatMap((g) => (g.aborted === null ? [] : [`${g.group}:${g.aborted.cap}`])),
    ...(aborted === null ? [] : [`*:${aborted.cap}`]),
  ].sort(compareText);
  return sha256Hex(canonicalJson({ planVersion: PLAN_VERSION, policyDigest, decisions, aborted: abortedScopes }));
}

/**
 * Evaluates the policy over a listed fleet and returns the plan: what to stop or delete, why, and
 * why everything else is left alone.
 *
 * @example
 * const plan = evaluate({ fleet, policy, now: new Date(), observations: NO_OBSERVATIONS });
 * for (const g of plan.groups) console.log(g.group, g.totals, g.aborted?.reason ?? 'ok');
 *
 * Throws an InvalidNowError for an invalid `now`, and an InvalidConditionError (both PolicyErrors)
 * for a policy that skipped validation and holds a condition the registry cannot compile.
 */
function evaluate(input: EvaluateInput): Plan {
  const nowMs = input.now.getTime();
  // An invalid Date would surface as toISOString()'s RangeError at the very end; say what is wrong instead.
  if (Number.isNaN(nowMs)) throw new InvalidNowError(String(input.now));
  // Compile first, so that a condition the engine cannot run fails before any item is assessed.
  compilePolicy(input.policy);
  const policyDigest = digestOf(input.policy);
  const drafts = [...input.fleet].sort((a, b) => compareText(a.group, b.group)).map((g) => draftGroup(g, input, nowMs));

  const runCandidates = drafts.filter((d) => d.aborted === null).flatMap((d) => d.candidates);
  const run = applyRunCaps(runCandidates, input.policy.caps, input.observations.actionsToday);
  const keptByRun = new Set(run.kept.map((c) => c.action));
  const cappedByRun = new Map(run.capped.map(({ candidate, reason }) => [candidate.action, reason]));

  const groups: GroupPlan[] = drafts.map((draft) => {
    const actions: PlannedAction[] = [];
    const { skipped } = draft;
    for (const { action } of draft.candidates) {
      const reason = cappedByRun.get(action);
      if (reason !== undefined) skipped.push(cappedItem(action, reason));
      else if (draft.aborted !== null || keptByRun.has(action)) actions.push(action);
    }
    const plan = { actions: sortActions(actions), skipped: sortSkipped(skipped) };
    const listed = draft.fleet.resources.length + draft.fleet.unparseable.length;
    const savings = totalSavings(
      plan.actions.map((a) => a.savings),
      input.policy.rates,
    );
    return {
      group: draft.fleet.group,
      ...plan,
      aborted: draft.aborted,
      listingError: draft.fleet.listingError,
      totals: totalsOf(plan, listed),
      savings,
      comingUp: draft.comingUp,
      notices: draft.notices,
    };
  });

  const totals = groups.reduce<GroupTotals>(
    (sum, g) => ({
      listed: sum.listed + g.totals.listed,
      stop: sum.stop + g.totals.stop,
      delete: sum.delete + g.totals.delete,
      skipped: sum.skipped + g.totals.skipped,
      protected: sum.protected + g.totals.protected,
    }),
    { listed: 0, stop: 0, delete: 0, skipped: 0, protected: 0 },
  );
  return {
    version: PLAN_VERSION,
    hash: planHash(policyDigest, groups, run.aborted),
    policyDigest,
    mode: input.policy.mode,
    evaluatedAt: input.now.toISOString(),
    groups,
    aborted: run.aborted,
    totals,
    savings: totalSavings(
      groups.flatMap((g) => g.actions.map((a) => a.savings)),
      input.policy.rates,
    ),
  };
}

export { evaluate, planHash, compareText, sortSkipped, totalsOf };
export type { EvaluateInput };
