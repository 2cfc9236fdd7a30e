/**
 * A policy document that is already data (JSON, or YAML parsed at build time) → a validated
 * policy, with the same schema, cross-field rules and digest as {@link parsePolicy}. This is what a
 * function runs at cold start on the policy compiled into its bundle: no YAML parser is needed,
 * and nothing the build validated is trusted blindly.
 */
import { crossFieldIssues, mapIssues, type RawIssue } from './diagnose.js';
import { formatPath } from './path.js';
import { digestOf } from './hash.js';
import type { ParsePolicyResult, PolicyIssue } from './parse.js';
import { Policy } from './schema.js';

/**
 * @example
 * const result = validatePolicyDocument(JSON.parse(text));
 * if (!result.ok) console.error(formatPolicyIssues(result.errors));
 */
function validatePolicyDocument(raw: unknown): ParsePolicyResult {
  const parsed = Policy.safeParse(raw);
  const found: RawIssue[] = [...(parsed.success ? [] : mapIssues(parsed.error.issues, [], Policy, raw)), ...crossFieldIssues(raw)];
  if (found.length > 0 || !parsed.success) {
    const seen = new Set<string>();
    const errors: PolicyIssue[] = [];
    for (const issue of found) {
      const path = formatPath(issue.path);
      const key = `${path}\u0000${issue.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      errors.push({ path, message: issue.message });
    }
    return { ok: false, errors };
  }
  return { ok: true, policy: parsed.data, digest: digestOf(parsed.data) };
}

/** One `✖ message` / `→ at path` pair per issue, as `formatPolicyIssues` prints them (without lines). */
function formatIssueLines(errors: readonly PolicyIssue[]): string {
  return errors.map((error) => `✖ ${error.message}\n  → at ${error.path}`).join('\n');
}

export { validatePolicyDocument, formatIssueLines };
