/**
 * explain(): "why (not) this one?" for one execution or deployment. It shows every rule's verdict
 * (true / false / unknown per condition, with the values seen), protection, the minimum age, the
 * lifecycle outcome and the final word from the plan itself (which includes caps), so the
 * explanation can never disagree with what evaluate() decides.
 */
import type { Action, ResourceType } from '../lifecycle.js';
import type { ConditionTrace, Truth } from './conditions.js';
import { assess } from './decide.js';
import { compareText, evaluate, type EvaluateInput } from './evaluate.js';
import type { Notice } from './notices.js';
import { observationKey } from './observations.js';
import type { SkipKind } from './plan.js';
import type { ProtectionVerdict } from './protection.js';
import { savingsCell, type Savings } from './savings.js';
import type { RuleAction } from './schema.js';

interface ExplainInput extends EvaluateInput {
  id: string;
}

interface RuleExplanation {
  ruleId: string;
  description: string | null;
  action: RuleAction;
  truth: Truth;
  /** The first rule that was not false decides; later rules are shown but have no say. */
  decides: boolean;
  trace: ConditionTrace;
}

/** The plan's final word on the item. */
type FinalDecision =
  | { kind: 'action'; action: Action; targetStatus: string; reason: string; applied: boolean; notAppliedBecause: string | null }
  | { kind: SkipKind; reason: string };

interface ItemExplanation {
  group: string;
  type: ResourceType;
  id: string;
  status: string | null;
  /** Set for an item that did not parse: nothing else was evaluated. */
  unparseable: string | null;
  protection: ProtectionVerdict | null;
  statusKnown: boolean | null;
  rules: RuleExplanation[];
  minimumAge: { truth: Truth; detail: string } | null;
  decision: FinalDecision;
  /** The item's heads-up notice: recorded by a run, or (`recorded: false`) the one a recording run would give now. */
  notice: (Pick<Notice, 'ruleId' | 'action' | 'noticedAt' | 'actAfter' | 'snoozedBy'> & { recorded: boolean }) | null;
  /** What the planned or noticed action frees; null when nothing is planned. */
  savings: Savings | null;
}

interface Explanation {
  id: string;
  evaluatedAt: string;
  mode: 'dry-run' | 'apply';
  /** Usually one; more if the id was listed in several groups or types; none if not listed at all. */
  items: ItemExplanation[];
  /** Groups that could not be listed: the item may be in one of them. */
  unlistedGroups: Array<{ group: string; error: string }>;
}

/**
 * Explains the policy's decision for one resource id.
 *
 * @example
 * const explanation = explain({ fleet, policy, now: new Date(), observations, id: 'e1a2b3c4' });
 * console.log(formatExplanation(explanation));
 */
function explain(input: ExplainInput): Explanation {
  const plan = evaluate(input);
  const nowMs = input.now.getTime();
  const items: ItemExplanation[] = [];
  for (const groupFleet of [...input.fleet].sort((a, b) => compareText(a.group, b.group))) {
    const groupPlan = plan.groups.find((g) => g.group === groupFleet.group);
    for (const u of groupFleet.unparseable.filter((x) => x.id === input.id)) {
      const reason = `item could not be parsed: ${u.reason}`;
      items.push({
        group: u.group,
        type: u.type,
        id: input.id,
        status: null,
        unparseable: u.reason,
        protection: null,
        statusKnown: null,
        rules: [],
        minimumAge: null,
        decision: { kind: 'unparseable', reason },
        notice: null,
        savings: null,
      });
    }
    for (const resource of groupFleet.resources.filter((r) => r.item.id === input.id)) {
      const a = assess({ resource, labels: groupFleet.labels, policy: input.policy, observations: input.observations, nowMs });
      const rules = a.rules.map((r) => ({
        ruleId: r.rule.id,
        description: r.rule.description ?? null,
        action: r.rule.action,
        truth: r.truth,
        decides: r === a.deciding,
        trace: r.trace,
      }));
      const action = groupPlan?.actions.find((x) => x.id === input.id && x.type === resource.type);
      const skipped = groupPlan?.skipped.find((x) => x.id === input.id && x.type === resource.type);
      let decision: FinalDecision;
      if (action !== undefined) {
        const blocked = groupPlan?.aborted?.reason ?? plan.aborted?.reason ?? null;
        decision = {
          kind: 'action',
          action: action.action,
          targetStatus: action.targetStatus,
          reason: action.reason,
          applied: blocked === null,
          notAppliedBecause: blocked === null ? null : `aborted: ${blocked}`,
        };
      } else if (skipped !== undefined) {
        decision = { kind: skipped.kind, reason: skipped.reason };
      } else {
        decision = { kind: 'unknown', reason: 'not found in the plan' };
      }
      const coming = groupPlan?.comingUp.find((c) => c.id === input.id && c.type === resource.type);
      const recorded = input.observations.notices?.[observationKey(resource.group, resource.type, input.id)];
      const notice = coming ?? (recorded === undefined ? undefined : { ...recorded, recorded: true });
      items.push({
        group: resource.group,
        type: resource.type,
        id: input.id,
        status: resource.item.status,
        unparseable: null,
        protection: a.protection,
        statusKnown: a.statusKnown,
        rules,
        minimumAge: a.minimumAge,
        decision,
        notice:
          notice === undefined
            ? null
            : {
                ruleId: notice.ruleId,
                action: notice.action,
                noticedAt: notice.noticedAt,
                actAfter: notice.actAfter,
                snoozedBy: notice.snoozedBy,
                recorded: notice.recorded,
              },
        savings: action?.savings ?? coming?.savings ?? null,
      });
    }
  }
  const unlistedGroups = input.fleet.flatMap((g) => (g.listingError === null ? [] : [{ group: g.group, error: g.listingError }]));
  return { id: input.id, evaluatedAt: plan.evaluatedAt, mode: plan.mode, items, unlistedGroups };
}

const MARK = { true: '✔', false: '✘', unknown: '?' } as const;

function mark(truth: Truth): string {
  return truth === 'unknown' ? MARK.unknown : truth ? MARK.true : MARK.false;
}

function traceLines(trace: ConditionTrace, depth: number): string[] {
  const pad = '  '.repeat(depth);
  if (trace.children.length === 0) return [`${pad}${mark(trace.truth)} ${trace.condition} — ${trace.detail}`];
  return [`${pad}${mark(trace.truth)} ${trace.condition}`, ...trace.children.flatMap((c) => traceLines(c, depth + 1))];
}

function itemLines(item: ItemExplanation): string[] {
  const lines = [
    `${item.id}: ${item.type === 'executions' ? 'execution' : 'deployment'} in resource group ${item.group}, status ${item.status ?? '(unparseable)'}`,
  ];
  if (item.unparseable !== null)
    return [...lines, `  unparseable: ${item.unparseable}`, '  decision: skipped (unparseable items are never acted on)'];
  const p = item.protection;
  if (p !== null) {
    const text = p.reasons.length > 0 ? p.reasons.join('; ') : p.unknown.length > 0 ? `cannot be checked: ${p.unknown.join('; ')}` : 'none';
    lines.push(`  protection: ${text}`);
  }
  if (item.statusKnown === false) lines.push(`  status: ${item.status ?? ''} is not a documented status (never acted on)`);
  if (item.rules.length === 0) lines.push(`  rules: none for ${item.type}`);
  for (const rule of item.rules) {
    const verdict = rule.truth === 'unknown' ? 'UNKNOWN' : rule.truth ? 'MATCH' : 'no match';
    lines.push(`  rule ${rule.ruleId} (${rule.action}): ${verdict}${rule.decides ? '  ← decides (first rule that is not false)' : ''}`);
    if (rule.description !== null) lines.push(`    ${rule.description}`);
    lines.push(...traceLines(rule.trace, 2));
  }
  if (item.minimumAge !== null) lines.push(`  minimum age: ${mark(item.minimumAge.truth)} ${item.minimumAge.detail}`);
  const n = item.notice;
  if (n !== null) {
    const snoozed = n.snoozedBy === null ? '' : `, snoozed by ${n.snoozedBy}`;
    const given = n.recorded ? `given ${n.noticedAt}` : 'not given yet: the next scheduled run or apply gives it';
    lines.push(`  notice: ${n.ruleId} will ${n.action} after ${n.actAfter} unless snoozed (${given}${snoozed})`);
  }
  if (item.savings !== null)
    lines.push(
      `  savings: ${savingsCell(item.savings)}${item.savings.kind === 'compute' ? ` (${item.savings.nodeHoursPerDay} node h/day)` : ''}`,
    );
  const d = item.decision;
  if (d.kind === 'action') {
    lines.push(`  decision: ${d.action.toUpperCase()} → ${d.targetStatus} (${d.reason})`);
    if (d.notAppliedBecause !== null) lines.push(`  not applied: ${d.notAppliedBecause}`);
  } else {
    lines.push(`  decision: skipped, ${d.kind}: ${d.reason}`);
  }
  return lines;
}

/**
 * The explanation as text for the CLI's `explain ID`.
 *
 * @example
 * io.out(formatExplanation(explain({ fleet, policy, now, observations, id })));
 */
function formatExplanation(explanation: Explanation): string {
  const header = `explain ${explanation.id} at ${explanation.evaluatedAt} (policy mode ${explanation.mode}; ${MARK.true} true, ${MARK.false} false, ${MARK.unknown} unknown)`;
  const body =
    explanation.items.length === 0
      ? [`no execution or deployment with id ${explanation.id} was listed`]
      : explanation.items.flatMap((item) => ['', ...itemLines(item)]);
  const unlisted = explanation.unlistedGroups.map(
    (g) => `note: resource group ${g.group} could not be listed (${g.error}); the item may be there`,
  );
  return [header, ...body, ...(unlisted.length > 0 ? ['', ...unlisted] : [])].join('\n');
}

export { explain, formatExplanation };
export type { Explanation, ExplainInput, ItemExplanation, RuleExplanation, FinalDecision };
