/**
 * Three-valued evaluation of a rule's `match` against one item: every condition is true, false or
 * unknown. A condition that reads a missing, null or unparseable field is unknown, and the
 * combinators follow Kleene's logic (conditions/registry.ts). The engine acts only on true, so a
 * decision can never rest on data we do not have.
 *
 * The conditions themselves are defined in the registry (conditions/); this module reads traces:
 * what held, what was unknown, for reasons and explanations.
 */
import type { ConditionContext, ConditionTrace, Truth } from './conditions/definition.js';
import { type Condition, compileCondition } from './conditions/registry.js';
import type { MatchedCondition } from './plan.js';

const compiledTrees = new WeakMap<Condition, ReturnType<typeof compileCondition>>();

/**
 * Evaluates a condition tree against one item, with the full trace (every condition is evaluated,
 * no short-circuit, so that an explanation shows all of them). The engine compiles each policy once
 * instead (decide.ts); this is the one-off form.
 *
 * @example
 * const trace = evaluateCondition({ status: ['RUNNING'] }, { resource, labels: {}, nowMs: Date.parse(now) });
 * trace.truth; // true | false | 'unknown'
 */
function evaluateCondition(condition: Condition, ctx: ConditionContext): ConditionTrace {
  let compiled = compiledTrees.get(condition);
  if (compiled === undefined) {
    compiled = compileCondition(condition);
    compiledTrees.set(condition, compiled);
  }
  return compiled.trace(ctx);
}

/** The conditions that made a true trace true, with the values seen (for PlannedAction.matched). */
function matchedConditions(trace: ConditionTrace): MatchedCondition[] {
  if (trace.truth !== true) return [];
  if (trace.condition === 'all' || trace.condition === 'any') return trace.children.flatMap(matchedConditions);
  // not holds one child: what held is that the child did not.
  if (trace.condition === 'not') return trace.children.map((child) => ({ condition: `not (${child.condition})`, value: child.value }));
  return [{ condition: trace.condition, value: trace.value }];
}

/** The leaves of a trace that were unknown, e.g. "startTime is missing". */
function unknownDetails(trace: ConditionTrace): string[] {
  if (trace.truth !== 'unknown') return [];
  if (trace.children.length === 0) return [trace.detail];
  return trace.children.flatMap(unknownDetails);
}

/** Leaves of a true trace, for building reasons (olderThan leaves carry their age). */
function matchedLeaves(trace: ConditionTrace): ConditionTrace[] {
  if (trace.truth !== true) return [];
  if (trace.children.length === 0) return [trace];
  if (trace.condition === 'not') return [];
  return trace.children.flatMap(matchedLeaves);
}

export { evaluateCondition, matchedConditions, matchedLeaves, unknownDetails };
export type { Truth, ConditionTrace, ConditionContext };
