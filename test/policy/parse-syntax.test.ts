/**
 * Syntax errors in a policy file: each is reported once, where the author has to look, with a hint
 * when the fix is known (a trailing comma in JSON, a bracket never closed).
 */
import { describe, expect, it } from 'vitest';
import { formatPolicyIssues, parsePolicy, type PolicyIssue } from '../../lib/policy/index.js';

function errorsOf(text: string, file = 'policy.yaml'): PolicyIssue[] {
  const result = parsePolicy(text, file);
  if (result.ok) throw new Error('expected the policy to be rejected');
  return result.errors;
}

describe('Function: parsePolicy (syntax)', () => {
  it('points a JSON trailing comma at the comma, with the fix', () => {
    const [error, ...rest] = errorsOf('{\n  "version": 1,\n  "rules": [],\n}\n', 'p.JSON');
    expect(rest).toEqual([]);
    expect(error).toMatchObject({ path: '(syntax)', line: 3, column: 14 });
    expect(error?.message).toMatch(/^not valid JSON: .*\(JSON allows no comma before `\]` or `\}`\)$/);
  });

  it('reports JSON that ends early without a position it cannot know, and other JSON errors where JSON found them', () => {
    expect(errorsOf('', 'p.json')).toEqual([{ path: '(syntax)', message: 'not valid JSON: Unexpected end of JSON input' }]);
    const [error] = errorsOf('{"version": 1 "rules": []}', 'p.json');
    expect(error).toMatchObject({ path: '(syntax)', line: 1, column: 15 });
    expect(error?.message).not.toMatch(/position/);
  });

  it('reports an unclosed bracket where it opened, ignoring brackets in quotes and comments', () => {
    const text = [
      'version: 1',
      "description: 'a [quoted] {text}'",
      'notes: "an \\"escaped [\\" quote"',
      '# a comment [ with a bracket',
      'rules: [ { id: a, resource: executions, match: { status: [RUNNING] }, action: stop }',
      '',
    ].join('\n');
    const errors = errorsOf(text);
    expect(errors[0]).toEqual({
      path: '(syntax)',
      message: '`[` opened here is never closed: add the matching `]`',
      line: 5,
      column: 8,
    });
    expect(errors.slice(1).every((e) => !/flow/i.test(e.message))).toBe(true);
  });

  it('names a `{` that is never closed', () => {
    expect(errorsOf('version: 1\nrules: []\ncaps: { maxActionsPerRun: 3\n')[0]).toMatchObject({
      message: '`{` opened here is never closed: add the matching `}`',
      line: 3,
      column: 7,
    });
  });

  it('reports other YAML errors on their first line only, with their position', () => {
    const errors = errorsOf('version: 1\nrules: []\n  bad: indent\n');
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error.path).toBe('(syntax)');
      expect(error.message).not.toContain('\n');
      expect(error.line).toBeGreaterThan(0);
    }
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...Array.from({ length: 60 }, (_, i) => `b${i}: *a`),
      'version: 1',
      'rules: []',
    ].join('\n');
    const [error] = errorsOf(bomb);
    expect(error?.path).toBe('(syntax)');
    expect(error?.message).toMatch(/alias/i);
  });

  it('locates a problem under a key that is missing at the nearest existing parent', () => {
    const errors = errorsOf('version: 1\nrules:\n  - id: a\n    resource: executions\n    action: stop\n');
    expect(errors).toContainEqual({ path: 'rules[0].match', message: 'missing required key `match`', line: 3, column: 5 });
  });

  it('quotes keys that are not identifiers in paths', () => {
    const errors = errorsOf('version: 1\nrules: []\nprotect:\n  resourceGroupLabels:\n    "ext.ai.sap.com/env": []\n');
    expect(errors[0]?.path).toBe('protect.resourceGroupLabels["ext.ai.sap.com/env"]');
  });
});

describe('Function: parsePolicy (locating problems)', () => {
  it('treats `#` as a comment only at the start of the text or after a space', () => {
    const errors = errorsOf('# notes [ here\ndescription: a#[b\nversion: 1\nrules: [\n');
    expect(errors[0]).toMatchObject({ message: '`[` opened here is never closed: add the matching `]`', line: 2, column: 16 });
  });

  it('keeps two problems of one node in the order they were found', () => {
    const text =
      'version: 1\nrules:\n  - { id: "a b", resource: executions, match: { status: [RUNNING] }, action: stop }\n  - { id: "a b", resource: executions, match: { status: [RUNNING] }, action: stop }\n';
    expect(errorsOf(text).map((e) => `${e.path} ${e.message}`)).toEqual([
      'rules[0].id a rule id is letters, digits, `-`, `_` or `.`',
      'rules[1].id a rule id is letters, digits, `-`, `_` or `.`',
      'rules[1].id duplicate rule id `a b` (also rules[0])',
    ]);
  });

  it('diagnoses a value under a label map as a glob, not as a condition', () => {
    const errors = errorsOf(
      'version: 1\nrules:\n  - { id: a, resource: executions, match: { resourceGroupLabels: { env: { all: 1 } } }, action: stop }\n',
    );
    expect(errors).toEqual([
      { path: 'rules[0].match.resourceGroupLabels.env', message: 'expected a glob or a non-empty list of globs', line: 3, column: 68 },
    ]);
  });
});

describe('Function: formatPolicyIssues', () => {
  it('prints the line, the column when known, and nothing when the position is unknown', () => {
    expect(
      formatPolicyIssues([
        { path: 'a', message: 'one', line: 3, column: 4 },
        { path: 'b', message: 'two', line: 5 },
        { path: 'c', message: 'three' },
      ]),
    ).toBe('✖ one\n  → at a (line 3, column 4)\n✖ two\n  → at b (line 5)\n✖ three\n  → at c');
  });
});
