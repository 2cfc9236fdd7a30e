/**
 * Three-valued evaluation of a rule's `match` against one item: every condition is true, false or
 * unknown. A condition that reads a missing, null or unparseable field is unknown, and the
 * combinators follow Kleene's logic: all = false if any is false, else unknown if any is unknown;
 * any = true if any is true, else unknown if any is unknown; not(unknown) = unknown. The engine acts
 * only on true, so a decision can never rest on data we do not have.
 *
 * Every condition is evaluated (no short-circuit) so that an explanation shows all of them.
 */
import picomatch from 'picomatch';
import { isKnownStatus } from '../lifecycle.js';
import type { Resource } from '../resources.js';
import type { MatchedCondition } from './plan.js';
import { formatAge, durationSeconds } from './duration.js';
import type { Condition, TimestampField } from './schema.js';
import { parseInstant } from './time.js';

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

const matchers = new Map<string, (text: string) => boolean>();

/** picomatch with a cache: the same globs are compared against every item of a fleet. */
function globMatch(text: string, globs: string | readonly string[]): boolean {
  const list = typeof globs === 'string' ? [globs] : globs;
  return list.some((glob) => {
    let matcher = matchers.get(glob);
    if (matcher === undefined) {
      matcher = picomatch(glob, { dot: true });
      matchers.set(glob, matcher);
    }
    return matcher(text);
  });
}

function showGlobs(globs: string | readonly string[]): string {
  return typeof globs === 'string' ? globs : `[${globs.join(', ')}]`;
}

/** A field of the listed item, whatever its type; the schemas are loose, so read generically. */
function fieldOf(resource: Resource, field: string): unknown {
  const item: Readonly<Record<string, unknown>> = resource.item;
  return item[field];
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

function combine(condition: string, truth: Truth, children: ConditionTrace[]): ConditionTrace {
  const detail = `${condition}: ${truth === 'unknown' ? 'unknown' : String(truth)}`;
  return { condition, truth, field: null, value: null, detail, ageSeconds: null, children };
}

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

function globLeaf(name: string, field: string, raw: unknown, globs: string | readonly string[]): ConditionTrace {
  const text = `${field} ~ ${showGlobs(globs)}`;
  if (typeof raw !== 'string' || raw === '') return leaf(text, field, 'unknown', null, `${field} is missing`);
  const truth = globMatch(raw, globs);
  return leaf(text, field, truth, raw, `${field} ${raw} ${truth ? 'matches' : 'does not match'} ${showGlobs(globs)}`);
}

function olderThanLeaf(field: TimestampField, age: string, ctx: ConditionContext): ConditionTrace {
  const text = `${field} older than ${age}`;
  const raw = fieldOf(ctx.resource, field);
  if (raw === null || raw === undefined) return leaf(text, field, 'unknown', null, `${field} is missing`);
  const at = parseInstant(raw);
  const limit = durationSeconds(age);
  const shown = typeof raw === 'string' ? raw : JSON.stringify(raw);
  if (at === null) return leaf(text, field, 'unknown', shown, `${field} ${JSON.stringify(raw)} is not an ISO-8601 instant with a zone`);
  if (limit === null) return leaf(text, field, 'unknown', shown, `age ${age} is not a duration`);
  const seconds = Math.floor((ctx.nowMs - at) / 1000);
  const truth = seconds > limit;
  return leaf(text, field, truth, shown, `${field} ${formatAge(seconds)} ago (${truth ? '>' : 'not >'} ${age})`, seconds);
}

function labelsLeaf(wanted: Readonly<Record<string, string | string[]>>, ctx: ConditionContext): ConditionTrace {
  const entries = Object.entries(wanted);
  const text = `resource group labels ${entries.map(([k, g]) => `${k}~${showGlobs(g)}`).join(', ')}`;
  // Labels come from the admin listing: an absent key is a known "not set", not unknown.
  const parts = entries.map(([key, globs]) => {
    const actual = ctx.labels[key];
    if (actual === undefined) return { truth: false, detail: `label ${key} is not set` };
    const truth = globMatch(actual, globs);
    return { truth, detail: `label ${key}=${actual} ${truth ? 'matches' : 'does not match'} ${showGlobs(globs)}` };
  });
  const shown = entries.map(([key]) => `${key}=${ctx.labels[key] ?? '(unset)'}`).join(', ');
  return leaf(text, 'resourceGroupLabels', allOf(parts.map((p) => p.truth)), shown, parts.map((p) => p.detail).join('; '));
}

function presenceLeaf(field: string, wanted: 'present' | 'absent', ctx: ConditionContext): ConditionTrace {
  // Presence is the one question a null answers: null or missing means absent.
  const raw = fieldOf(ctx.resource, field);
  const present = raw !== null && raw !== undefined && raw !== '';
  const truth = present === (wanted === 'present');
  const shown = present ? (typeof raw === 'string' ? raw : JSON.stringify(raw)) : null;
  return leaf(`${field} ${wanted}`, field, truth, shown, present ? `${field} is ${shown ?? ''}` : `${field} is absent`);
}

/**
 * Evaluates a condition tree against one item.
 *
 * @example
 * const trace = evaluateCondition({ status: ['RUNNING'] }, { resource, labels: {}, nowMs: Date.parse(now) });
 * trace.truth; // true | false | 'unknown'
 */
function evaluateCondition(condition: Condition, ctx: ConditionContext): ConditionTrace {
  if ('all' in condition) {
    const children = condition.all.map((c) => evaluateCondition(c, ctx));
    return combine('all', allOf(children.map((c) => c.truth)), children);
  }
  if ('any' in condition) {
    const children = condition.any.map((c) => evaluateCondition(c, ctx));
    return combine('any', anyOf(children.map((c) => c.truth)), children);
  }
  if ('not' in condition) {
    const child = evaluateCondition(condition.not, ctx);
    return combine('not', notOf(child.truth), [child]);
  }
  if ('status' in condition) {
    const status = ctx.resource.item.status;
    const text = `status in [${condition.status.join(', ')}]`;
    if (!isKnownStatus(status)) return leaf(text, 'status', 'unknown', status, `status ${status} is not a documented status`);
    const truth = condition.status.includes(status);
    return leaf(text, 'status', truth, status, `status ${status}${truth ? '' : ` not in [${condition.status.join(', ')}]`}`);
  }
  if ('olderThan' in condition) return olderThanLeaf(condition.olderThan.field, condition.olderThan.age, ctx);
  if ('scenario' in condition) return globLeaf('scenario', 'scenarioId', ctx.resource.item.scenarioId, condition.scenario);
  if ('executable' in condition) return globLeaf('executable', 'executableId', ctx.resource.item.executableId, condition.executable);
  if ('configuration' in condition)
    return globLeaf('configuration', 'configurationId', ctx.resource.item.configurationId, condition.configuration);
  if ('configurationName' in condition) {
    return globLeaf('configurationName', 'configurationName', ctx.resource.item.configurationName, condition.configurationName);
  }
  if ('resourceGroup' in condition) return globLeaf('resourceGroup', 'resourceGroup', ctx.resource.group, condition.resourceGroup);
  if ('resourceGroupLabels' in condition) return labelsLeaf(condition.resourceGroupLabels, ctx);
  if ('executionSchedule' in condition) return presenceLeaf('executionScheduleId', condition.executionSchedule, ctx);
  return presenceLeaf('ttl', condition.ttl, ctx);
}

/** The conditions that made a true trace true, with the values seen (for PlannedAction.matched). */
function matchedConditions(trace: ConditionTrace): MatchedCondition[] {
  if (trace.truth !== true) return [];
  if (trace.condition === 'all' || trace.condition === 'any') return trace.children.flatMap(matchedConditions);
  if (trace.condition === 'not') {
    const [child] = trace.children;
    return child === undefined ? [] : [{ condition: `not (${child.condition})`, value: child.value }];
  }
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

/** The timestamp a rule is "about": the first olderThan field in its match, depth-first. */
function ruleTimestampField(condition: Condition): TimestampField | null {
  if ('olderThan' in condition) return condition.olderThan.field;
  const children = 'all' in condition ? condition.all : 'any' in condition ? condition.any : 'not' in condition ? [condition.not] : [];
  for (const child of children) {
    const field = ruleTimestampField(child);
    if (field !== null) return field;
  }
  return null;
}

export { evaluateCondition, matchedConditions, matchedLeaves, unknownDetails, ruleTimestampField, globMatch, fieldOf, allOf, anyOf, notOf };
export type { Truth, ConditionTrace, ConditionContext };
