/**
 * validatePolicyDocument (what a function runs at cold start on the policy compiled into its
 * bundle) must judge a document exactly as parsePolicy judges the same document as JSON text: the
 * same policy and digest, or the same problems at the same paths (without line numbers).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { parsePolicy } from '../../lib/policy/index.js';
import { formatIssueLines, validatePolicyDocument } from '../../lib/policy/validate.js';

const EXAMPLE: unknown = parseYaml(readFileSync(new URL('../../examples/policy.yaml', import.meta.url), 'utf8'));

function both(document: unknown) {
  const fromText = parsePolicy(JSON.stringify(document, null, 2), 'policy.json');
  const fromDocument = validatePolicyDocument(document);
  return { fromText, fromDocument };
}

function problems(result: ReturnType<typeof validatePolicyDocument>): string[] {
  return result.ok ? [] : result.errors.map((e) => `${e.path}: ${e.message}`).sort();
}

/** A JSON value that replaces a part of the example: wrong types, typos, empty things. */
const replacement = fc.oneof(
  fc.constantFrom(null, 0, 101, -1, '', 'banana', '36', '2x', true, [], {}, ['RUNNING'], { olderThen: 1 }, { ttl: 'present' }),
  fc.constantFrom({ status: ['RUNNING'], scenario: 'x' }, { all: [] }, { executionSchedule: 'present' }, 'stop', 'stopp'),
);

/** Paths into the example document to change or delete. */
const target = fc.constantFrom(
  ['mode'],
  ['minimumAge'],
  ['caps', 'maxPercentOfGroup'],
  ['caps', 'onCapExceeded'],
  ['protect', 'scenarios'],
  ['approval', 'expiresAfter'],
  ['rules', 0, 'match'],
  ['rules', 0, 'match', 'all', 1],
  ['rules', 1, 'action'],
  ['rules', 2, 'id'],
  ['rules', 3, 'gracePeriod'],
  ['rules', 3, 'resource'],
  ['version'],
  ['unknownKey'],
);

function withChange(document: unknown, path: readonly (string | number)[], value: unknown, remove: boolean): unknown {
  const copy: unknown = structuredClone(document);
  let node: unknown = copy;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[key];
  const last = path[path.length - 1] ?? '';
  const parent = node as Record<string | number, unknown>;
  // Removing from a list shortens it (a hole would be `null` in the JSON text but `undefined` in the document).
  if (remove && Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
  else if (remove) delete parent[last];
  else parent[last] = value;
  return copy;
}

describe('Function: validatePolicyDocument', () => {
  it('accepts the example policy with the same policy and digest as parsePolicy', () => {
    const { fromText, fromDocument } = both(EXAMPLE);
    expect(fromDocument.ok).toBe(true);
    expect(fromDocument).toEqual(fromText);
  });

  it('agrees with parsePolicy on changed documents: same verdict, same problems at the same paths', () => {
    fc.assert(
      fc.property(target, replacement, fc.boolean(), (path, value, remove) => {
        const { fromText, fromDocument } = both(withChange(EXAMPLE, path, value, remove));
        expect(fromDocument.ok).toBe(fromText.ok);
        expect(problems(fromDocument)).toEqual(problems(fromText));
        if (fromDocument.ok && fromText.ok) expect(fromDocument.digest).toBe(fromText.digest);
      }),
      { numRuns: 300 },
    );
  });

  it('reports each problem once, with its path, and prints them as ✖/→ pairs', () => {
    const result = validatePolicyDocument({
      version: 2,
      rules: [{ id: 'a', resource: 'executions', match: { ttl: 'present' }, action: 'stop' }],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      { path: 'version', message: 'expected version: 1' },
      { path: 'rules[0].match.ttl', message: '`ttl` applies to deployments only; this rule is for executions' },
    ]);
    expect(formatIssueLines(result.errors)).toBe(
      '✖ expected version: 1\n  → at version\n✖ `ttl` applies to deployments only; this rule is for executions\n  → at rules[0].match.ttl',
    );
  });

  it('rejects what is not a policy document at all', () => {
    expect(problems(validatePolicyDocument(null))).toEqual(['(root): Invalid input: expected object, received null']);
    expect(validatePolicyDocument('version: 1').ok).toBe(false);
    expect(validatePolicyDocument([]).ok).toBe(false);
  });
});
