/**
 * Turns zod's issues into messages a policy author can act on: unknown keys name the nearest allowed
 * key, conditions are diagnosed by their one key (a union's "invalid input" says nothing useful),
 * enum typos suggest the nearest value, and rules the schema alone cannot express (unique rule ids,
 * `ttl` only on deployments, …) are checked on the raw input so that every mistake is reported at once.
 */
import * as z from 'zod';
import { CONDITION_KINDS, CONDITIONS, Condition, isConditionKind } from './conditions/registry.js';
import { DURATION_HINT } from './duration.js';
import type { PathKey } from './path.js';
import { didYouMean } from './suggest.js';

/** A problem found in a policy, before it is located in the source text. */
interface RawIssue {
  path: PathKey[];
  message: string;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The raw input value at `path`, or undefined. */
function rawAt(root: unknown, path: readonly PathKey[]): unknown {
  let current: unknown = root;
  for (const key of path) {
    if (Array.isArray(current) && typeof key === 'number') current = current[key];
    else if (isPlainObject(current) && typeof key === 'string') current = current[key];
    else return undefined;
  }
  return current;
}

/** Strips optional/default/prefault/nullable wrappers. */
function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  for (;;) {
    if (current instanceof z.ZodOptional || current instanceof z.ZodNullable) current = current.unwrap() as z.ZodType;
    else if (current instanceof z.ZodDefault || current instanceof z.ZodPrefault) current = current.unwrap() as z.ZodType;
    else return current;
  }
}

/** Picks the union member the raw value was meant to be: the object with its key, or the array. */
function resolveUnion(schema: z.ZodType, raw: unknown): z.ZodType {
  const unwrapped = unwrap(schema);
  if (!(unwrapped instanceof z.ZodUnion)) return unwrapped;
  const options = unwrapped.options as readonly z.ZodType[];
  const keys = isPlainObject(raw) ? Object.keys(raw) : [];
  const byKey = options.find((o) => o instanceof z.ZodObject && keys.some((k) => k in o.shape));
  const byShape = options.find((o) => (Array.isArray(raw) ? o instanceof z.ZodArray : o instanceof z.ZodObject));
  return unwrap(byKey ?? byShape ?? options[0] ?? unwrapped);
}

/** The schema that validates the value at `path` (unions left unresolved at the end), or null. */
function schemaAt(root: z.ZodType, rootRaw: unknown, path: readonly PathKey[]): z.ZodType | null {
  let schema: z.ZodType = root;
  for (let i = 0; i < path.length; i += 1) {
    const key = path[i];
    const current = resolveUnion(schema, rawAt(rootRaw, path.slice(0, i)));
    if (current instanceof z.ZodObject && typeof key === 'string' && key in current.shape) schema = current.shape[key] as z.ZodType;
    else if (current instanceof z.ZodArray && typeof key === 'number') schema = current.element as z.ZodType;
    else if (current instanceof z.ZodRecord) schema = current.valueType as z.ZodType;
    else return null;
  }
  return schema;
}

function allowedKeysAt(root: z.ZodType, rootRaw: unknown, path: readonly PathKey[]): string[] {
  const schema = schemaAt(root, rootRaw, path);
  if (schema === null) return [];
  const resolved = resolveUnion(schema, rawAt(rootRaw, path));
  return resolved instanceof z.ZodObject ? Object.keys(resolved.shape) : [];
}

function hint(word: string, allowed: readonly string[]): string {
  const suggestion = didYouMean(word, allowed);
  return suggestion === null ? '' : `; did you mean \`${suggestion}\`?`;
}

function toPathKeys(path: readonly PropertyKey[]): PathKey[] {
  return path.map((k) => (typeof k === 'number' ? k : String(k)));
}

/** Maps zod issues found under `base` to author-facing issues. */
function mapIssues(issues: readonly z.core.$ZodIssue[], base: readonly PathKey[], root: z.ZodType, rootRaw: unknown): RawIssue[] {
  const out: RawIssue[] = [];
  for (const issue of issues) {
    const path = [...base, ...toPathKeys(issue.path)];
    const value = rawAt(rootRaw, path);
    if (issue.code === 'unrecognized_keys') {
      const allowed = allowedKeysAt(root, rootRaw, path);
      for (const key of issue.keys) {
        out.push({ path: [...path, key], message: `unknown key \`${key}\`${hint(key, allowed)} (allowed here: ${allowed.join(', ')})` });
      }
    } else if (issue.code === 'invalid_union' && schemaAt(root, rootRaw, path) === Condition) {
      out.push(...diagnoseCondition(value, path, root, rootRaw));
    } else if (issue.code === 'invalid_value' && typeof value === 'string' && issue.values.every((v) => typeof v === 'string')) {
      const values = issue.values.map(String);
      out.push({ path, message: `\`${value}\` is not allowed${hint(value, values)} (expected one of: ${values.join(', ')})` });
    } else if (issue.code === 'invalid_type' && value === undefined) {
      out.push({ path, message: `missing required key \`${String(path[path.length - 1] ?? '')}\`` });
    } else if (isDurationIssue(issue.message) && (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value)))) {
      out.push({
        path,
        message: `\`${String(value)}\` has no unit: a duration is a number followed by a unit, e.g. \`${String(value)}h\` or \`${String(value)}d\` (units m, h, d, w; combined largest first, e.g. 1d12h)`,
      });
    } else if (issue.code === 'invalid_type' && issue.expected === 'array' && (typeof value === 'string' || typeof value === 'number')) {
      out.push({ path, message: `expected a list; write \`[${String(value)}]\` (or several: \`[${String(value)}, …]\`)` });
    } else if (issue.code === 'invalid_type' && issue.expected === 'string' && (typeof value === 'number' || typeof value === 'boolean')) {
      // YAML reads 0123456789 or `yes` as a number or boolean: the fix is quoting.
      out.push({ path, message: `${issue.message}; put the value in quotes` });
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}

function isDurationIssue(message: string): boolean {
  return message.includes(DURATION_HINT);
}

/** A condition is an object with exactly one key naming its kind; diagnose it by that key. */
function diagnoseCondition(value: unknown, path: PathKey[], root: z.ZodType, rootRaw: unknown): RawIssue[] {
  if (value === undefined) return [{ path, message: `missing required key \`${String(path[path.length - 1] ?? '')}\`` }];
  const expected = `expected a condition: an object with one key, one of ${CONDITION_KINDS.join(', ')}`;
  if (!isPlainObject(value) || Object.keys(value).length === 0) return [{ path, message: expected }];
  const keys = Object.keys(value);
  const unknown = keys.filter((k) => !isConditionKind(k));
  const issues: RawIssue[] = unknown.map((k) => ({
    path: [...path, k],
    message: `unknown condition \`${k}\`${hint(k, CONDITION_KINDS)} (conditions: ${CONDITION_KINDS.join(', ')})`,
  }));
  const known = keys.filter(isConditionKind);
  if (known.length > 1) {
    issues.push({
      path,
      message: `a condition has exactly one key, found ${known.map((k) => `\`${k}\``).join(', ')}: combine conditions with \`all: [...]\` or \`any: [...]\``,
    });
  }
  const [kind] = known;
  if (unknown.length > 0 || known.length !== 1 || kind === undefined) return issues;
  const parsed = CONDITIONS[kind].schema.safeParse(value);
  return parsed.success ? [] : mapIssues(parsed.error.issues, path, root, rootRaw);
}

/** Checks across fields, on the raw input so they run even when other parts are broken. */
function crossFieldIssues(raw: unknown): RawIssue[] {
  const rules = rawAt(raw, ['rules']);
  if (!Array.isArray(rules)) return [];
  const issues: RawIssue[] = [];
  const firstIndexOfId = new Map<string, number>();
  rules.forEach((rule: unknown, index) => {
    if (!isPlainObject(rule)) return;
    const { id, action, gracePeriod, resource, match } = rule;
    if (typeof id === 'string') {
      const first = firstIndexOfId.get(id);
      if (first === undefined) firstIndexOfId.set(id, index);
      else issues.push({ path: ['rules', index, 'id'], message: `duplicate rule id \`${id}\` (also rules[${first}])` });
    }
    if (action === 'stop' && gracePeriod !== undefined) {
      issues.push({ path: ['rules', index, 'gracePeriod'], message: 'gracePeriod applies to `delete` and `stop-then-delete` only' });
    }
    if (typeof resource === 'string') issues.push(...resourceMismatches(match, ['rules', index, 'match'], resource));
  });
  return issues;
}

/** Conditions that read a field the rule's resource type does not have (`ttl` on executions, …), from the registry. */
function resourceMismatches(condition: unknown, path: PathKey[], resource: string): RawIssue[] {
  if (!isPlainObject(condition)) return [];
  return Object.entries(condition).flatMap(([key, value]): RawIssue[] => {
    const only = isConditionKind(key) ? CONDITIONS[key].resources : null;
    if (only !== null && !only.some((r) => r === resource)) {
      return [{ path: [...path, key], message: `\`${key}\` applies to ${only.join(', ')} only; this rule is for ${resource}` }];
    }
    if ((key === 'all' || key === 'any') && Array.isArray(value)) {
      return value.flatMap((child: unknown, i) => resourceMismatches(child, [...path, key, i], resource));
    }
    return key === 'not' ? resourceMismatches(value, [...path, key], resource) : [];
  });
}

export { mapIssues, crossFieldIssues, rawAt, isPlainObject };
export type { RawIssue };
