/**
 * The condition registry, the way Cloud Custodian registers filters: one entry per kind, with its
 * schema, the fields it reads, the resource types it applies to and how it is compiled and
 * evaluated. The policy schema (the `Condition` union), the diagnostics (condition names, "did you
 * mean", "applies to … only"), evaluation and explain all read this table. A new condition is a
 * module in this folder plus its entry here: its schema in the `Condition` union (which fixes the
 * JSON Schema's order) and its definition in `CONDITIONS`.
 *
 * The combinators live here because they are the recursion: all / any / not hold conditions. Their
 * truth follows Kleene's logic: all = false if any is false, else unknown if any is unknown; any =
 * true if any is true, else unknown if any is unknown; not(unknown) = unknown.
 */
import * as z from 'zod';
import { RESOURCE_TYPES } from '../../lifecycle.js';
import { InvalidConditionError } from '../errors.js';
import type { PathKey } from '../path.js';
import type { CompiledCondition, ConditionDefinition, ConditionOf, ConditionTrace, Truth } from './definition.js';
import {
  ConfigurationCondition,
  ConfigurationNameCondition,
  configuration,
  configurationName,
  ExecutableCondition,
  executable,
  ResourceGroupCondition,
  resourceGroup,
  ScenarioCondition,
  scenario,
} from './globs.js';
import { ResourceGroupLabelsCondition, resourceGroupLabels } from './labels.js';
import { OlderThanCondition, olderThan } from './older-than.js';
import { ExecutionScheduleCondition, executionSchedule, TtlCondition, ttl } from './presence.js';
import { StatusCondition, status } from './status.js';

const AllCondition = z
  .strictObject({
    get all(): z.ZodArray<typeof Condition> {
      return z.array(Condition).min(1, { error: 'all: needs at least one condition' });
    },
  })
  .meta({ description: 'Every condition holds (unknown if none is false and one is unknown).' });

const AnyCondition = z
  .strictObject({
    get any(): z.ZodArray<typeof Condition> {
      return z.array(Condition).min(1, { error: 'any: needs at least one condition' });
    },
  })
  .meta({ description: 'At least one condition holds (unknown if none is true and one is unknown).' });

const NotCondition = z
  .strictObject({
    get not(): typeof Condition {
      return Condition;
    },
  })
  .meta({ description: 'The condition does not hold. not(unknown) is unknown.' });

const Condition = z
  .union([
    StatusCondition,
    OlderThanCondition,
    ScenarioCondition,
    ExecutableCondition,
    ConfigurationCondition,
    ConfigurationNameCondition,
    ResourceGroupCondition,
    ResourceGroupLabelsCondition,
    ExecutionScheduleCondition,
    TtlCondition,
    AllCondition,
    AnyCondition,
    NotCondition,
  ])
  .meta({ id: 'Condition', description: 'One condition: an object with exactly one key naming its kind.' });
type Condition = z.infer<typeof Condition>;

/** Every key some condition has: the kinds. */
type ConditionKind = Condition extends infer C ? (C extends unknown ? keyof C : never) : never;

function allOf(truths: readonly Truth[]): Truth {
  if (truths.includes(false)) return false;
  return truths.includes('unknown') ? 'unknown' : true;
}

function anyOf(truths: readonly Truth[]): Truth {
  if (truths.includes(true)) return true;
  return truths.includes('unknown') ? 'unknown' : false;
}

function notOf(truth: Truth): Truth {
  return truth === 'unknown' ? 'unknown' : !truth;
}

function combined(text: string, truth: Truth, children: ConditionTrace[]): ConditionTrace {
  return { condition: text, truth, field: null, value: null, detail: `${text}: ${String(truth)}`, ageSeconds: null, children };
}

function firstTimestampField(children: readonly CompiledCondition[]): CompiledCondition['timestampField'] {
  return children.find((c) => c.timestampField !== null)?.timestampField ?? null;
}

/** all / any: Kleene's logic over the children; every child is traced (no short-circuit) so explain shows them all. */
function listCombinator<K extends 'all' | 'any'>(
  kind: K,
  schema: z.ZodType,
  decisive: boolean,
  listOf: (condition: ConditionOf<K>) => readonly Condition[],
): ConditionDefinition<K> {
  const combine = decisive ? anyOf : allOf;
  return {
    schema,
    fields: [],
    resources: RESOURCE_TYPES,
    compile(condition, child, path) {
      const children = listOf(condition).map((c, i) => child(c, [...path, kind, i]));
      return {
        text: kind,
        timestampField: firstTimestampField(children),
        truth(ctx) {
          // The verdict alone may stop early: the decisive value settles it, unknown only postpones.
          let open = false;
          for (const c of children) {
            const truth = c.truth(ctx);
            if (truth === decisive) return decisive;
            if (truth === 'unknown') open = true;
          }
          return open ? 'unknown' : !decisive;
        },
        trace(ctx) {
          const traces = children.map((c) => c.trace(ctx));
          return combined(kind, combine(traces.map((t) => t.truth)), traces);
        },
      };
    },
  };
}

const not: ConditionDefinition<'not'> = {
  schema: NotCondition,
  fields: [],
  resources: RESOURCE_TYPES,
  compile(condition, child, path) {
    const inner = child(condition.not, [...path, 'not']);
    return {
      text: 'not',
      timestampField: inner.timestampField,
      truth: (ctx) => notOf(inner.truth(ctx)),
      trace(ctx) {
        const trace = inner.trace(ctx);
        return combined('not', notOf(trace.truth), [trace]);
      },
    };
  },
};

/** The registry: kind → definition, in the order the schema lists them. */
const CONDITIONS: { readonly [K in ConditionKind]: ConditionDefinition<K> } = {
  status,
  olderThan,
  scenario,
  executable,
  configuration,
  configurationName,
  resourceGroup,
  resourceGroupLabels,
  executionSchedule,
  ttl,
  all: listCombinator('all', AllCondition, false, (c) => c.all),
  any: listCombinator('any', AnyCondition, true, (c) => c.any),
  not,
};

// Object.keys loses the key type; the registry's type guarantees these are exactly the kinds.
const CONDITION_KINDS = Object.keys(CONDITIONS) as readonly ConditionKind[];

function isConditionKind(key: string): key is ConditionKind {
  return Object.hasOwn(CONDITIONS, key);
}

function isKind<K extends ConditionKind>(condition: Condition, kind: K): condition is ConditionOf<K> {
  return Object.hasOwn(condition, kind);
}

function compileAs<K extends ConditionKind>(kind: K, condition: Condition, path: readonly PathKey[]): CompiledCondition | null {
  if (!isKind(condition, kind)) return null;
  const definition: ConditionDefinition<K> = CONDITIONS[kind];
  try {
    return definition.compile(condition, compileCondition, path);
  } catch (error) {
    if (error instanceof InvalidConditionError) throw error;
    // A library's complaint (picomatch rejecting a glob) becomes the author's error, with the path.
    throw new InvalidConditionError(`cannot compile condition \`${kind}\`: ${String(error)}`, path, Object.keys(condition), {
      cause: error,
    });
  }
}

/**
 * Compiles a condition tree once, for evaluating any number of items.
 *
 * @example
 * const match = compileCondition({ all: [{ status: ['RUNNING'] }, { olderThan: { field: 'startTime', age: '24h' } }] });
 * match.truth({ resource, labels: {}, nowMs }); // true | false | 'unknown'
 */
function compileCondition(condition: Condition, path: readonly PathKey[] = []): CompiledCondition {
  if (typeof condition === 'object' && condition !== null) {
    for (const kind of CONDITION_KINDS) {
      const compiled = compileAs(kind, condition, path);
      if (compiled !== null) return compiled;
    }
  }
  const keys = typeof condition === 'object' && condition !== null ? Object.keys(condition) : [];
  throw new InvalidConditionError(`not a condition: expected one key, one of ${CONDITION_KINDS.join(', ')}`, path, keys);
}

export { Condition, CONDITIONS, CONDITION_KINDS, compileCondition, isConditionKind };
export type { ConditionKind };
