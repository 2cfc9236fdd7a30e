/**
 * The decision for one listed item, in a fixed order that the reference documents:
 * protection → documented status → rules (first match decides) → minimum age → legal transition
 * (and, for deletes, the grace period). Caps come later, over all of a group's decisions.
 * The full assessment (every rule's trace) is kept so that `explain` shows the same reasoning.
 */
import { isKnownStatus, isLegalTransition, LEGAL_ORIGINS, TARGET_STATUS, type Action, type Status } from '../lifecycle.js';
import type { Resource } from '../resources.js';
import { durationSeconds, formatAge } from './duration.js';
import {
  evaluateCondition,
  matchedConditions,
  matchedLeaves,
  ruleTimestampField,
  unknownDetails,
  type ConditionTrace,
  type Truth,
} from './conditions.js';
import { observationKey, type Observations } from './observations.js';
import type { MatchedCondition, SkipKind } from './plan.js';
import { checkProtection, type ProtectionVerdict } from './protection.js';
import type { Policy, Rule } from './schema.js';
import { parseInstant } from './time.js';

interface RuleVerdict {
  rule: Rule;
  truth: Truth;
  trace: ConditionTrace;
}

type Outcome =
  | {
      kind: 'action';
      action: Action;
      ruleId: string;
      reason: string;
      matched: MatchedCondition[];
      ageSeconds: number | null;
      sortMs: number;
    }
  | { kind: 'skip'; skip: SkipKind; reason: string; ruleId: string | null };

interface Assessment {
  resource: Resource;
  protection: ProtectionVerdict;
  statusKnown: boolean;
  /** Every rule for the item's resource type, in policy order. */
  rules: RuleVerdict[];
  /** The first rule that was not false: it decides (or, when unknown, blocks every later rule). */
  deciding: RuleVerdict | null;
  minimumAge: { truth: Truth; detail: string };
  outcome: Outcome;
}

interface AssessInput {
  resource: Resource;
  labels: Readonly<Record<string, string>>;
  policy: Policy;
  observations: Observations;
  nowMs: number;
}

function skip(skipKind: SkipKind, reason: string, ruleId: string | null = null): Outcome {
  return { kind: 'skip', skip: skipKind, reason, ruleId };
}

function checkMinimumAge(resource: Resource, minimumAge: string, nowMs: number): { truth: Truth; detail: string } {
  const created = parseInstant(resource.item.createdAt);
  const minimum = durationSeconds(minimumAge);
  if (created === null || minimum === null) {
    return {
      truth: 'unknown',
      detail: `createdAt is ${resource.item.createdAt == null ? 'missing' : 'unreadable'}, so the minimum age ${minimumAge} cannot be checked`,
    };
  }
  const age = Math.floor((nowMs - created) / 1000);
  return age >= minimum
    ? { truth: true, detail: `created ${formatAge(age)} ago (minimum age ${minimumAge})` }
    : { truth: false, detail: `created ${formatAge(age)} ago, younger than the minimum age ${minimumAge}` };
}

/** Which lifecycle action the rule asks for now, given the status; or why none. */
function phase(rule: Rule, resource: Resource, status: Status, input: AssessInput): { action: Action; note: string } | Outcome {
  const { type } = resource;
  const wantsStop = rule.action === 'stop' || rule.action === 'stop-then-delete';
  const wantsDelete = rule.action === 'delete' || rule.action === 'stop-then-delete';
  if (wantsStop && isLegalTransition(type, status, 'stop')) {
    return { action: 'stop', note: rule.action === 'stop-then-delete' ? 'stop now, delete on a later run' : '' };
  }
  if (!wantsDelete) {
    return skip('ineligible', `${rule.id}: stop needs ${LEGAL_ORIGINS.stop[type].join(' or ')}; status is ${status}`, rule.id);
  }
  if (status === 'STOPPING') return skip('waiting', `${rule.id}: STOPPING; delete once STOPPED`, rule.id);
  if (!isLegalTransition(type, status, 'delete')) {
    const why = isLegalTransition(type, status, 'stop')
      ? 'stop it first (use stop-then-delete)'
      : `delete needs ${LEGAL_ORIGINS.delete[type].join(', ')}`;
    return skip('ineligible', `${rule.id}: ${status} cannot be deleted; ${why}`, rule.id);
  }
  // The grace period counts from when the ledger first saw the item STOPPED; only STOPPED is recorded.
  if (rule.gracePeriod === undefined || status !== 'STOPPED') return { action: 'delete', note: '' };
  const grace = durationSeconds(rule.gracePeriod);
  const seen = input.observations.firstSeenStopped[observationKey(resource.group, type, resource.item.id)];
  if (seen === undefined) return skip('waiting', `${rule.id}: first seen STOPPED now; delete after ${rule.gracePeriod}`, rule.id);
  const seenMs = parseInstant(seen);
  if (seenMs === null || grace === null)
    return skip('unknown', `${rule.id}: first-seen-STOPPED time ${JSON.stringify(seen)} is unreadable`, rule.id);
  const stoppedFor = Math.floor((input.nowMs - seenMs) / 1000);
  if (stoppedFor < grace) {
    return skip('waiting', `${rule.id}: first seen STOPPED ${formatAge(stoppedFor)} ago; delete after ${rule.gracePeriod}`, rule.id);
  }
  return { action: 'delete', note: `STOPPED for ${formatAge(stoppedFor)} (grace ${rule.gracePeriod})` };
}

function actionOutcome(verdict: RuleVerdict, resource: Resource, action: Action, note: string, nowMs: number): Outcome {
  const { rule, trace } = verdict;
  const field = ruleTimestampField(rule.match);
  const fieldMs = field === null ? null : parseInstant(resource.item[field]);
  const createdMs = parseInstant(resource.item.createdAt);
  const details = matchedLeaves(trace)
    .filter((l) => l.field !== 'status')
    .map((l) => l.detail);
  const reason = [`${rule.id}: ${resource.item.status}`, ...details, ...(note === '' ? [] : [note])].join(', ');
  return {
    kind: 'action',
    action,
    ruleId: rule.id,
    reason,
    matched: matchedConditions(trace),
    ageSeconds: fieldMs === null ? null : Math.floor((nowMs - fieldMs) / 1000),
    // oldest-first orders by the rule's own timestamp; createdAt when it has none (known: min age passed).
    sortMs: fieldMs ?? createdMs ?? nowMs,
  };
}

/**
 * Assesses one item against the policy.
 *
 * @example
 * const a = assess({ resource, labels: {}, policy, observations: NO_OBSERVATIONS, nowMs: now.getTime() });
 * a.outcome.kind; // 'action' | 'skip'
 */
function assess(input: AssessInput): Assessment {
  const { resource, labels, policy, nowMs } = input;
  const protection = checkProtection(input);
  const status = resource.item.status;
  const statusKnown = isKnownStatus(status);
  const rules = policy.rules
    .filter((rule) => rule.resource === resource.type)
    .map((rule) => {
      const trace = evaluateCondition(rule.match, { resource, labels, nowMs });
      return { rule, truth: trace.truth, trace };
    });
  const deciding = rules.find((r) => r.truth !== false) ?? null;
  const minimumAge = checkMinimumAge(resource, policy.minimumAge, nowMs);
  const base = { resource, protection, statusKnown, rules, deciding, minimumAge };

  if (protection.reasons.length > 0) return { ...base, outcome: skip('protected', protection.reasons.join('; ')) };
  if (protection.unknown.length > 0) return { ...base, outcome: skip('unknown', protection.unknown.join('; ')) };
  if (!statusKnown) return { ...base, outcome: skip('unknown', `status ${status} is not a documented status; never acted on`) };
  if (deciding === null) {
    return { ...base, outcome: skip('no-match', rules.length === 0 ? `no rule for ${resource.type}` : 'no rule matched') };
  }
  const ruleId = deciding.rule.id;
  if (deciding.truth === 'unknown') {
    // First match decides: a later rule may not act while an earlier one might have matched.
    return { ...base, outcome: skip('unknown', `${ruleId} cannot be decided: ${unknownDetails(deciding.trace).join('; ')}`, ruleId) };
  }
  if (minimumAge.truth === 'unknown') return { ...base, outcome: skip('unknown', `${ruleId}: ${minimumAge.detail}`, ruleId) };
  if (minimumAge.truth === false) return { ...base, outcome: skip('too-young', `${ruleId}: ${minimumAge.detail}`, ruleId) };
  const next = phase(deciding.rule, resource, status, input);
  if ('kind' in next) return { ...base, outcome: next };
  // AI Core shows an accepted request as targetStatus before the status follows: asking again would
  // only repeat it (and count against the caps), so the item waits.
  const target = TARGET_STATUS[next.action];
  if (resource.item.targetStatus === target) {
    return {
      ...base,
      outcome: skip('waiting', `${ruleId}: ${next.action} already requested (targetStatus ${target}); waiting for AI Core`, ruleId),
    };
  }
  return { ...base, outcome: actionOutcome(deciding, resource, next.action, next.note, nowMs) };
}

export { assess };
export type { Assessment, Outcome, RuleVerdict, AssessInput };
