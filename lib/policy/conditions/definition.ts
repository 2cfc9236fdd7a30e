/**
 * What a condition is, in one place: the shape every entry of the registry (registry.ts) has, the
 * compiled form the engine runs, and the trace an explanation shows. A condition is compiled once
 * per policy (globs to matchers, durations to seconds, canonical texts built) and then asked, per
 * item, either for its truth alone (the hot path: no strings, no objects) or for a full trace.
 */
import type * as z from 'zod';
import type { ResourceType } from '../../lifecycle.js';
import type { Resource } from '../../resources.js';
import type { PathKey } from '../path.js';
import type { TimestampField } from '../primitives.js';
import type { Condition, ConditionKind } from './registry.js';

type Truth = true | false | 'unknown';

/** The verdict of one condition, with what the engine saw. */
interface ConditionTrace {
  /** Canonical text, e.g. `startTime older than 24h`. */
  condition: string;
  truth: Truth;
  /** The item field read; null for all / any / not. */
  field: string | null;
  value: string | number | boolean | null;
  /** What was seen, e.g. `startTime 3d 4h ago (> 24h)` or `startTime is missing`. */
  detail: string;
  /** olderThan only: the timestamp's age in seconds. */
  ageSeconds: number | null;
  children: ConditionTrace[];
}

interface ConditionContext {
  resource: Resource;
  /** Labels of the item's resource group. */
  labels: Readonly<Record<string, string>>;
  nowMs: number;
}

/** A condition ready to run against any number of items. `truth(ctx)` always equals `trace(ctx).truth`. */
interface CompiledCondition {
  /** Canonical text, e.g. `startTime older than 24h`. */
  readonly text: string;
  /** The first olderThan field in the condition, depth-first: the timestamp a rule is "about". */
  readonly timestampField: TimestampField | null;
  /** The verdict alone, for evaluating a fleet. */
  truth(ctx: ConditionContext): Truth;
  /** The verdict with the values seen, for reasons and explanations. */
  trace(ctx: ConditionContext): ConditionTrace;
}

/** The one condition of kind K, e.g. `{ olderThan: { field, age } }`. */
type ConditionOf<K extends ConditionKind> = Extract<Condition, Record<K, unknown>>;

/** Compiles a nested condition (all / any / not); `at` extends the path for error messages. */
type CompileChild = (condition: Condition, at: readonly PathKey[]) => CompiledCondition;

/** One registry entry: everything the schema, diagnostics, evaluation and explain need to know of a kind. */
interface ConditionDefinition<K extends ConditionKind> {
  /** A strict object with the one key K. */
  readonly schema: z.ZodType;
  /** The item fields the condition reads (the group's id and labels are not item fields). */
  readonly fields: readonly string[];
  /** The resource types whose items have those fields; diagnostics reject the kind on any other type. */
  readonly resources: readonly ResourceType[];
  /** Prepares the condition for evaluation; `path` is where it sits, for errors. */
  compile(condition: ConditionOf<K>, child: CompileChild, path: readonly PathKey[]): CompiledCondition;
}

function leaf(
  condition: string,
  field: string | null,
  truth: Truth,
  value: ConditionTrace['value'],
  detail: string,
  ageSeconds: number | null = null,
): ConditionTrace {
  return { condition, truth, field, value, detail, ageSeconds, children: [] };
}

/** A field of the listed item, whatever its type; the schemas are loose, so read generically. */
function fieldOf(resource: Resource, field: string): unknown {
  const item: Readonly<Record<string, unknown>> = resource.item;
  return item[field];
}

export { leaf, fieldOf };
export type { Truth, ConditionTrace, ConditionContext, CompiledCondition, ConditionOf, CompileChild, ConditionDefinition };
