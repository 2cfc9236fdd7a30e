/**
 * Protection always beats selection. It is checked before any rule: ids, scenario / executable /
 * configuration globs, resource groups and their labels, snoozes (from the policy and from the
 * store), and the built-in generative-AI protection. A protection glob that would have to read a
 * missing field cannot be decided, and that makes the item unknown (skipped), never unprotected.
 */
import type { Resource } from '../resources.js';
import { type CompiledGlob, compileGlobs, globMatcher } from './glob.js';
import type { Observations } from './observations.js';
import type { Policy } from './schema.js';
import { GENERATIVE_AI_SCENARIOS } from './schema.js';
import { parseInstantOrDate } from './time.js';

interface ProtectionVerdict {
  /** Each protection that applies, e.g. "protected by protect.scenarios prod-* (scenarioId prod-chat)". */
  readonly reasons: readonly string[];
  /** Protections that could not be checked, e.g. "scenarioId is missing (protect.scenarios)". */
  readonly unknown: readonly string[];
}

/** What most items get: shared, so that checking a fleet allocates nothing for them. */
const UNPROTECTED: ProtectionVerdict = Object.freeze({ reasons: Object.freeze([]), unknown: Object.freeze([]) });

/** Where one check writes what it found (reused for every item of a compiled policy). */
interface Findings {
  reasons: string[];
  unknown: string[];
}

interface ProtectionInput {
  resource: Resource;
  labels: Readonly<Record<string, string>>;
  policy: Policy;
  observations: Observations;
  nowMs: number;
}

/** The policy's protections, compiled once: globs to matchers, ids and snoozes indexed. */
type CompiledProtection = (input: Omit<ProtectionInput, 'policy'>) => ProtectionVerdict;

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** The first glob that matches the field, 'missing' when the field is missing or empty, or null. */
function matchField(globs: readonly CompiledGlob[], raw: unknown): CompiledGlob | 'missing' | null {
  const value = text(raw);
  if (value === null) return 'missing';
  for (const glob of globs) if (glob.test(value)) return glob;
  return null;
}

/**
 * Checks one list of globs against one or two fields (configurations read both); every field
 * missing and none matching ⇒ unknown. Called only when the setting lists globs.
 */
function checkGlobs(
  verdict: Findings,
  setting: string,
  globs: readonly CompiledGlob[],
  name: string,
  raw: unknown,
  other?: { name: string; raw: unknown },
): void {
  const first = matchField(globs, raw);
  if (first !== null && first !== 'missing') {
    verdict.reasons.push(`protected by ${setting} ${first.glob} (${name} ${String(raw)})`);
    return;
  }
  const second = other === undefined ? null : matchField(globs, other.raw);
  if (other !== undefined && second !== null && second !== 'missing') {
    verdict.reasons.push(`protected by ${setting} ${second.glob} (${other.name} ${String(other.raw)})`);
    return;
  }
  // A field we could not read might have matched: fail closed.
  const missing = first === 'missing' ? name : second === 'missing' ? other?.name : undefined;
  if (missing !== undefined) verdict.unknown.push(`${missing} is missing, so ${setting} cannot be checked`);
}

function checkSnooze(verdict: Findings, source: string, id: string, until: string, nowMs: number): void {
  const end = parseInstantOrDate(until);
  if (end === null) verdict.reasons.push(`protected by ${source}: snoozed (its end ${JSON.stringify(until)} is unreadable)`);
  else if (nowMs < end) verdict.reasons.push(`protected by ${source}: ${id} snoozed until ${until}`);
}

/**
 * Compiles the policy's protections for checking every item of a fleet.
 *
 * @example
 * const protection = compileProtection(policy);
 * const verdict = protection({ resource, labels, observations, nowMs });
 */
function compileProtection(policy: Policy): CompiledProtection {
  const { protect, builtInProtection } = policy;
  const ids = new Set(protect.ids);
  const scenarios = compileGlobs(protect.scenarios, ['protect', 'scenarios']);
  const executables = compileGlobs(protect.executables, ['protect', 'executables']);
  const configurations = compileGlobs(protect.configurations, ['protect', 'configurations']);
  const resourceGroups = compileGlobs(protect.resourceGroups, ['protect', 'resourceGroups']);
  const labels = Object.entries(protect.resourceGroupLabels).map(([key, globs]) => ({
    key,
    matches: globMatcher(globs, ['protect', 'resourceGroupLabels', key]),
  }));
  const snoozes = new Map<string, string[]>();
  for (const snooze of protect.snoozes) snoozes.set(snooze.id, [...(snoozes.get(snooze.id) ?? []), snooze.until]);
  const guarded: readonly string[] = builtInProtection.generativeAi
    ? GENERATIVE_AI_SCENARIOS.filter((s) => !builtInProtection.allowScenarios.includes(s))
    : [];

  const verdict: Findings = { reasons: [], unknown: [] };
  return ({ resource, labels: groupLabels, observations, nowMs }) => {
    const item = resource.item;
    // Emptied only when used: setting an array's length is a slow call, and most items leave both empty.
    if (verdict.reasons.length > 0) verdict.reasons.length = 0;
    if (verdict.unknown.length > 0) verdict.unknown.length = 0;
    if (ids.has(item.id)) verdict.reasons.push(`protected by protect.ids (${item.id})`);
    if (scenarios.length > 0) checkGlobs(verdict, 'protect.scenarios', scenarios, 'scenarioId', item.scenarioId);
    if (executables.length > 0) checkGlobs(verdict, 'protect.executables', executables, 'executableId', item.executableId);
    if (configurations.length > 0) {
      checkGlobs(verdict, 'protect.configurations', configurations, 'configurationId', item.configurationId, {
        name: 'configurationName',
        raw: item.configurationName,
      });
    }
    if (resourceGroups.length > 0) checkGlobs(verdict, 'protect.resourceGroups', resourceGroups, 'resourceGroup', resource.group);
    for (const { key, matches } of labels) {
      const actual = groupLabels[key];
      if (actual !== undefined && matches(actual)) verdict.reasons.push(`protected by protect.resourceGroupLabels (${key}=${actual})`);
    }
    const snoozed = snoozes.size === 0 ? undefined : snoozes.get(item.id);
    if (snoozed !== undefined) for (const until of snoozed) checkSnooze(verdict, 'protect.snoozes', item.id, until, nowMs);
    const stored = observations.snoozes[item.id];
    if (stored !== undefined) checkSnooze(verdict, 'a snooze', item.id, stored, nowMs);

    if (resource.type === 'deployments' && guarded.length > 0) {
      const scenario = text(item.scenarioId);
      if (scenario === null) verdict.unknown.push('scenarioId is missing, so the built-in generative-AI protection cannot be checked');
      else if (guarded.includes(scenario)) {
        verdict.reasons.push(
          `protected by built-in generative-AI protection (scenario ${scenario} is billed by tokens; stopping saves nothing and breaks callers)`,
        );
      }
    }
    if (verdict.reasons.length === 0 && verdict.unknown.length === 0) return UNPROTECTED;
    return { reasons: [...verdict.reasons], unknown: [...verdict.unknown] };
  };
}

export { compileProtection };
export type { ProtectionVerdict, ProtectionInput, CompiledProtection };
