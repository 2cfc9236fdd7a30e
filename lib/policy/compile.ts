/**
 * A policy compiled once for evaluating a whole fleet: each rule's `match` through the condition
 * registry (globs to matchers, durations to seconds), rules grouped by resource type, the
 * protections indexed, the minimum age and each rule's notice in seconds. Cached per policy object, so every entry point
 * (evaluate, explain, assess) shares one compilation.
 */
import type { ResourceType } from '../lifecycle.js';
import type { CompiledCondition } from './conditions/definition.js';
import { compileCondition } from './conditions/registry.js';
import { durationSeconds } from './duration.js';
import { type CompiledProtection, compileProtection } from './protection.js';
import type { Policy, Rule } from './schema.js';

interface CompiledRule {
  rule: Rule;
  match: CompiledCondition;
  /** The grace period in seconds; null when the rule has none or it is not a duration. */
  graceSeconds: number | null;
  /** The notice that applies (the rule's, else the policy's) in seconds; null when none does (unset, 0, or not a duration). */
  noticeSeconds: number | null;
}

interface CompiledPolicy {
  /** Each type's rules, in policy order. */
  rules: Readonly<Record<ResourceType, readonly CompiledRule[]>>;
  protection: CompiledProtection;
  /** null when `minimumAge` is not a duration (a policy that skipped validation): every item is then unknown. */
  minimumAgeSeconds: number | null;
  /** Whether any rule gives notices (has a noticeSeconds). */
  givesNotices: boolean;
}

const compiled = new WeakMap<Policy, CompiledPolicy>();

/** The notice length in seconds that applies to the rule; null when none does (unset or 0). */
function noticeSeconds(rule: Rule, policy: Policy): number | null {
  const text = rule.notice ?? policy.notice;
  if (text === undefined) return null;
  const seconds = durationSeconds(text);
  return seconds === null || seconds === 0 ? null : seconds;
}

/**
 * @example
 * const { rules } = compilePolicy(policy);
 * rules.executions[0]?.match.truth({ resource, labels, nowMs }); // true | false | 'unknown'
 */
function compilePolicy(policy: Policy): CompiledPolicy {
  const cached = compiled.get(policy);
  if (cached !== undefined) return cached;
  const all = policy.rules.map(
    (rule, index): CompiledRule => ({
      rule,
      match: compileCondition(rule.match, ['rules', index, 'match']),
      graceSeconds: rule.gracePeriod === undefined ? null : durationSeconds(rule.gracePeriod),
      noticeSeconds: noticeSeconds(rule, policy),
    }),
  );
  const result: CompiledPolicy = {
    rules: {
      executions: all.filter((r) => r.rule.resource === 'executions'),
      deployments: all.filter((r) => r.rule.resource === 'deployments'),
    },
    protection: compileProtection(policy),
    minimumAgeSeconds: durationSeconds(policy.minimumAge),
    givesNotices: all.some((r) => r.noticeSeconds !== null),
  };
  compiled.set(policy, result);
  return result;
}

export { compilePolicy };
export type { CompiledPolicy, CompiledRule };
