/**
 * The decision for one listed item, in a fixed order that the reference documents:
 * protection → documented status → rules (first match decides) → minimum age → legal transition
 * (and, for deletes, the grace period). Caps come later, over all of a group's decisions.
 *
 * Deciding needs only truths; the traces (every rule's, for `explain`) and the texts of the
 * minimum-age check are built when first read, so evaluating a fleet builds no text it throws away
 * while explain still shows exactly the reasoning that decided.
 */
import { isKnownStatus, isLegalTransition, LEGAL_ORIGINS, TARGET_STATUS, type Action, type Status } from '../lifecycle.js';
import type { Resource } from '../resources.js';
import { type CompiledPolicy, type CompiledRule, compilePolicy } from './compile.js';
import type { ConditionContext, ConditionTrace, Truth } from './conditions/definition.js';
import { matchedConditions, matchedLeaves, unknownDetails } from './conditions.js';
import { formatAge } from './duration.js';
import { observationKey, type Observations } from './observations.js';
import type { MatchedCondition, SkipKind } from './plan.js';
import type { ProtectionVerdict } from './protection.js';
import type { Policy, Rule } from './schema.js';
import { parseInstant } from './time.js';

/** One rule's verdict on the item; the trace is built on first read. */
class RuleVerdict {
  readonly rule: Rule;
  readonly truth: Truth;
  /** The rule as compiled (its matcher, grace period and notice in seconds). */
  readonly compiled: Readonly<CompiledRule>;
  readonly #ctx: ConditionContext;
  #trace: ConditionTrace | undefined;

  constructor(compiled: CompiledRule, truth: Truth, ctx: ConditionContext) {
    this.rule = compiled.rule;
    this.truth = truth;
    this.compiled = compiled;
    this.#ctx = ctx;
  }

  get trace(): ConditionTrace {
    this.#trace ??= this.compiled.match.trace(this.#ctx);
    return this.#trace;
  }
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

/** Seconds since createdAt, or null when it is missing or unreadable (or the minimum age is not a duration). */
function ageOf(createdMs: number | null, minimumSeconds: number | null, nowMs: number): number | null {
  return createdMs === null || minimumSeconds === null ? null : Math.floor((nowMs - createdMs) / 1000);
}

function minimumAgeDetail(resource: Resource, minimumAge: string, age: number | null, truth: Truth): string {
  if (age === null) {
    return `createdAt is ${resource.item.createdAt == null ? 'missing' : 'unreadable'}, so the minimum age ${minimumAge} cannot be checked`;
  }
  return truth === true
    ? `created ${formatAge(age)} ago (minimum age ${minimumAge})`
    : `created ${formatAge(age)} ago, younger than the minimum age ${minimumAge}`;
}

/** Which lifecycle action the rule asks for now, given the status; or why none. */
function phase(
  { rule, graceSeconds }: CompiledRule,
  resource: Resource,
  status: Status,
  input: AssessInput,
): { action: Action; note: string } | Outcome {
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
  const seen = input.observations.firstSeenStopped[observationKey(resource.group, type, resource.item.id)];
  if (seen === undefined) return skip('waiting', `${rule.id}: first seen STOPPED now; delete after ${rule.gracePeriod}`, rule.id);
  const seenMs = parseInstant(seen);
  if (seenMs === null || graceSeconds === null)
    return skip('unknown', `${rule.id}: first-seen-STOPPED time ${JSON.stringify(seen)} is unreadable`, rule.id);
  const stoppedFor = Math.floor((input.nowMs - seenMs) / 1000);
  if (stoppedFor < graceSeconds) {
    return skip('waiting', `${rule.id}: first seen STOPPED ${formatAge(stoppedFor)} ago; delete after ${rule.gracePeriod}`, rule.id);
  }
  return { action: 'delete', note: `STOPPED for ${formatAge(stoppedFor)} (grace ${rule.gracePeriod})` };
}

function actionOutcome(
  verdict: RuleVerdict,
  field: CompiledRule['match']['timestampField'],
  resource: Resource,
  next: { action: Action; note: string },
  createdMs: number | null,
  nowMs: number,
): Outcome {
  const { rule, trace } = verdict;
  const fieldMs = field === null ? null : parseInstant(resource.item[field]);
  const details = matchedLeaves(trace)
    .filter((l) => l.field !== 'status')
    .map((l) => l.detail);
  const reason = [`${rule.id}: ${resource.item.status}`, ...details, ...(next.note === '' ? [] : [next.note])].join(', ');
  return {
    kind: 'action',
    action: next.action,
    ruleId: rule.id,
    reason,
    matched: matchedConditions(trace),
    ageSeconds: fieldMs === null ? null : Math.floor((nowMs - fieldMs) / 1000),
    // oldest-first orders by the rule's own timestamp; createdAt when it has none (known: min age passed).
    sortMs: fieldMs ?? createdMs ?? nowMs,
  };
}

/**
 * One item's assessment: the outcome, and what explain shows of how it was reached. `rules` (every
 * rule's trace) and `minimumAge` are worked out when first read.
 */
class Assessment {
  readonly resource: Resource;
  readonly protection: ProtectionVerdict;
  readonly statusKnown: boolean;
  /** The first rule that was not false: it decides (or, when unknown, blocks every later rule); `compiled` is that rule as compiled. */
  readonly deciding: RuleVerdict | null;
  readonly outcome: Outcome;
  /** createdAt in epoch milliseconds; null when missing or unreadable. */
  readonly createdMs: number | null;
  readonly #input: AssessInput;
  readonly #compiled: CompiledPolicy;
  readonly #ctx: ConditionContext;
  readonly #age: number | null;
  readonly #ageTruth: Truth;
  #rules: RuleVerdict[] | undefined;

  constructor(input: AssessInput) {
    const { resource, labels, policy, nowMs } = input;
    const compiled = compilePolicy(policy);
    const ctx: ConditionContext = { resource, labels, nowMs };
    this.resource = resource;
    this.#input = input;
    this.#compiled = compiled;
    this.#ctx = ctx;
    this.protection = compiled.protection(input);
    const status = resource.item.status;
    this.statusKnown = isKnownStatus(status);
    const rules = compiled.rules[resource.type];
    let deciding: RuleVerdict | null = null;
    for (const rule of rules) {
      const truth = rule.match.truth(ctx);
      if (truth !== false) {
        deciding = new RuleVerdict(rule, truth, ctx);
        break;
      }
    }
    this.deciding = deciding;
    const createdMs = parseInstant(resource.item.createdAt);
    this.createdMs = createdMs;
    this.#age = ageOf(createdMs, compiled.minimumAgeSeconds, nowMs);
    this.#ageTruth = this.#age === null || compiled.minimumAgeSeconds === null ? 'unknown' : this.#age >= compiled.minimumAgeSeconds;
    this.outcome = this.#decide(deciding, rules.length, createdMs);
  }

  /** Every rule for the item's resource type, in policy order (the deciding one is `deciding` itself). */
  get rules(): RuleVerdict[] {
    this.#rules ??= this.#compiled.rules[this.resource.type].map((rule) =>
      rule.rule === this.deciding?.rule ? this.deciding : new RuleVerdict(rule, rule.match.truth(this.#ctx), this.#ctx),
    );
    return this.#rules;
  }

  get minimumAge(): { truth: Truth; detail: string } {
    const truth = this.#ageTruth;
    return { truth, detail: minimumAgeDetail(this.resource, this.#input.policy.minimumAge, this.#age, truth) };
  }

  #decide(deciding: RuleVerdict | null, ruleCount: number, createdMs: number | null): Outcome {
    const { resource, protection } = this;
    const status = resource.item.status;
    if (protection.reasons.length > 0) return skip('protected', protection.reasons.join('; '));
    if (protection.unknown.length > 0) return skip('unknown', protection.unknown.join('; '));
    if (!isKnownStatus(status)) return skip('unknown', `status ${status} is not a documented status; never acted on`);
    if (deciding === null) return skip('no-match', ruleCount === 0 ? `no rule for ${resource.type}` : 'no rule matched');
    const ruleId = deciding.rule.id;
    if (deciding.truth === 'unknown') {
      // First match decides: a later rule may not act while an earlier one might have matched.
      return skip('unknown', `${ruleId} cannot be decided: ${unknownDetails(deciding.trace).join('; ')}`, ruleId);
    }
    if (this.#ageTruth !== true) {
      return skip(this.#ageTruth === 'unknown' ? 'unknown' : 'too-young', `${ruleId}: ${this.minimumAge.detail}`, ruleId);
    }
    const next = phase(deciding.compiled, resource, status, this.#input);
    if ('kind' in next) return next;
    // AI Core shows an accepted request as targetStatus before the status follows: asking again would
    // only repeat it (and count against the caps), so the item waits.
    const target = TARGET_STATUS[next.action];
    if (resource.item.targetStatus === target) {
      return skip('waiting', `${ruleId}: ${next.action} already requested (targetStatus ${target}); waiting for AI Core`, ruleId);
    }
    return actionOutcome(deciding, deciding.compiled.match.timestampField, resource, next, createdMs, this.#input.nowMs);
  }
}

/**
 * Assesses one item against the policy (compiled once per policy object).
 *
 * @example
 * const a = assess({ resource, labels: {}, policy, observations: NO_OBSERVATIONS, nowMs: now.getTime() });
 * a.outcome.kind; // 'action' | 'skip'
 */
function assess(input: AssessInput): Assessment {
  return new Assessment(input);
}

export { assess };
export type { Assessment, Outcome, RuleVerdict, AssessInput };
