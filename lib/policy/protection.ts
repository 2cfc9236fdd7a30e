/**
 * Protection always beats selection. It is checked before any rule: ids, scenario / executable /
 * configuration globs, resource groups and their labels, snoozes (from the policy and from the
 * store), and the built-in generative-AI protection. A protection glob that would have to read a
 * missing field cannot be decided, and that makes the item unknown (skipped), never unprotected.
 */
import type { Resource } from '../resources.js';
import type { Observations } from './observations.js';
import type { Policy } from './schema.js';
import { GENERATIVE_AI_SCENARIOS } from './schema.js';
import { globMatch } from './conditions.js';
import { parseInstantOrDate } from './time.js';

interface ProtectionVerdict {
  /** Each protection that applies, e.g. "protected by protect.scenarios prod-* (scenarioId prod-chat)". */
  reasons: string[];
  /** Protections that could not be checked, e.g. "scenarioId is missing (protect.scenarios)". */
  unknown: string[];
}

interface ProtectionInput {
  resource: Resource;
  labels: Readonly<Record<string, string>>;
  policy: Policy;
  observations: Observations;
  nowMs: number;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** Checks one list of globs against one or more fields; all fields missing and none matching ⇒ unknown. */
function checkGlobs(verdict: ProtectionVerdict, setting: string, globs: readonly string[], fields: ReadonlyArray<[string, unknown]>): void {
  if (globs.length === 0) return;
  let missing: string | null = null;
  for (const [name, raw] of fields) {
    const value = text(raw);
    if (value === null) {
      missing ??= name;
      continue;
    }
    const glob = globs.find((g) => globMatch(value, g));
    if (glob !== undefined) {
      verdict.reasons.push(`protected by ${setting} ${glob} (${name} ${value})`);
      return;
    }
  }
  // A field we could not read might have matched: fail closed.
  if (missing !== null) verdict.unknown.push(`${missing} is missing, so ${setting} cannot be checked`);
}

function checkSnooze(verdict: ProtectionVerdict, source: string, id: string, until: string, nowMs: number): void {
  const end = parseInstantOrDate(until);
  if (end === null) verdict.reasons.push(`protected by ${source}: snoozed (its end ${JSON.stringify(until)} is unreadable)`);
  else if (nowMs < end) verdict.reasons.push(`protected by ${source}: ${id} snoozed until ${until}`);
}

/**
 * Every protection that applies to one item.
 *
 * @example
 * const verdict = checkProtection({ resource, labels, policy, observations, nowMs });
 * if (verdict.reasons.length > 0) skip('protected', verdict.reasons[0]);
 */
function checkProtection(input: ProtectionInput): ProtectionVerdict {
  const { resource, labels, policy, observations, nowMs } = input;
  const { protect, builtInProtection } = policy;
  const item = resource.item;
  const verdict: ProtectionVerdict = { reasons: [], unknown: [] };

  if (protect.ids.includes(item.id)) verdict.reasons.push(`protected by protect.ids (${item.id})`);
  checkGlobs(verdict, 'protect.scenarios', protect.scenarios, [['scenarioId', item.scenarioId]]);
  checkGlobs(verdict, 'protect.executables', protect.executables, [['executableId', item.executableId]]);
  checkGlobs(verdict, 'protect.configurations', protect.configurations, [
    ['configurationId', item.configurationId],
    ['configurationName', item.configurationName],
  ]);
  checkGlobs(verdict, 'protect.resourceGroups', protect.resourceGroups, [['resourceGroup', resource.group]]);
  for (const [key, globs] of Object.entries(protect.resourceGroupLabels)) {
    const actual = labels[key];
    if (actual !== undefined && globMatch(actual, globs))
      verdict.reasons.push(`protected by protect.resourceGroupLabels (${key}=${actual})`);
  }
  for (const snooze of protect.snoozes) {
    if (snooze.id === item.id) checkSnooze(verdict, 'protect.snoozes', item.id, snooze.until, nowMs);
  }
  const stored = observations.snoozes[item.id];
  if (stored !== undefined) checkSnooze(verdict, 'a snooze', item.id, stored, nowMs);

  if (resource.type === 'deployments' && builtInProtection.generativeAi) {
    const guarded = GENERATIVE_AI_SCENARIOS.filter((s) => !builtInProtection.allowScenarios.includes(s));
    if (guarded.length > 0) {
      const scenario = text(item.scenarioId);
      if (scenario === null) verdict.unknown.push('scenarioId is missing, so the built-in generative-AI protection cannot be checked');
      else if ((guarded as readonly string[]).includes(scenario)) {
        verdict.reasons.push(
          `protected by built-in generative-AI protection (scenario ${scenario} is billed by tokens; stopping saves nothing and breaks callers)`,
        );
      }
    }
  }
  return verdict;
}

export { checkProtection };
export type { ProtectionVerdict, ProtectionInput };
