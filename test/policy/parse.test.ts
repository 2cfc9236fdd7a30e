import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatPolicyIssues, parsePolicy, policyJsonSchemaText, type PolicyIssue } from '../../lib/policy/index.js';
import { didYouMean } from '../../lib/policy/suggest.js';

function errorsOf(text: string, fileName = 'policy.yaml'): PolicyIssue[] {
  const result = parsePolicy(text, fileName);
  if (result.ok) throw new Error('expected the policy to be invalid');
  return result.errors;
}

const RULE = `
  - id: r1
    resource: executions
    action: stop
    match:
      all:
        - status: [RUNNING]
        - olderThan: { field: startTime, age: 24h }
`;

describe('Function: parsePolicy', () => {
  it('parses a minimal policy and fills the documented defaults', () => {
    // Act
    const result = parsePolicy('version: 1\nrules: []\n', 'p.yaml');
    // Assess
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.policy.mode).toBe('dry-run');
    expect(result.policy.minimumAge).toBe('1h');
    expect(result.policy.caps).toEqual({
      maxActionsPerRun: 200,
      maxActionsPerGroup: 100,
      maxActionsPerDay: 500,
      maxPercentOfGroup: 100,
      onCapExceeded: 'abort',
    });
    expect(result.policy.builtInProtection).toEqual({ generativeAi: true, allowScenarios: [] });
    expect(result.policy.protect.scenarios).toEqual([]);
    expect(result.digest).toMatch(/^[0-9a-f]{64}$/);
  });

  it('parses examples/policy.yaml', () => {
    const result = parsePolicy(readFileSync('examples/policy.yaml', 'utf8'), 'examples/policy.yaml');
    if (!result.ok) throw new Error(formatPolicyIssues(result.errors));
    expect(result.policy.mode).toBe('dry-run');
    expect(result.policy.rules.map((r) => r.id)).toEqual(['stale-runs', 'stuck-pending', 'finished-runs', 'dev-deployments']);
    expect(result.policy.protect.scenarios).toEqual(['prod-*']);
  });

  it('accepts JSON and gives the same digest as the equivalent YAML', () => {
    const yaml = parsePolicy(`version: 1\nmode: apply\nrules:${RULE}`, 'p.yaml');
    const json = parsePolicy(
      JSON.stringify({
        version: 1,
        mode: 'apply',
        rules: [
          {
            id: 'r1',
            resource: 'executions',
            action: 'stop',
            match: { all: [{ status: ['RUNNING'] }, { olderThan: { field: 'startTime', age: '24h' } }] },
          },
        ],
      }),
      'p.json',
    );
    expect(yaml.ok && json.ok).toBe(true);
    if (yaml.ok && json.ok) expect(json.digest).toBe(yaml.digest);
  });

  it('gives a different digest when the policy means something else', () => {
    const a = parsePolicy('version: 1\nrules: []\n', 'p.yaml');
    const b = parsePolicy('version: 1\nminimumAge: 2h\nrules: []\n', 'p.yaml');
    const c = parsePolicy('version: 1\nminimumAge: 1h\nrules: []\n', 'p.yaml');
    expect(a.ok && b.ok && c.ok).toBe(true);
    if (a.ok && b.ok && c.ok) {
      expect(a.digest).not.toBe(b.digest);
      expect(a.digest).toBe(c.digest); // an explicit default means the same policy
    }
  });

  it('reports an unknown key with its path, line and a suggestion', () => {
    const errors = errorsOf(
      `version: 1\nrules:\n  - id: r1\n    resource: executions\n    action: stop\n    match:\n      all:\n        - status: [RUNNING]\n        - olderThen: { field: startTime, age: 24h }\n`,
    );
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ path: 'rules[0].match.all[1].olderThen', line: 9 });
    expect(errors[0]?.message).toContain('did you mean `olderThan`?');
  });

  it('reports unknown keys inside a condition with the keys allowed there', () => {
    const errors = errorsOf(
      `version: 1\nrules:\n  - id: r1\n    resource: executions\n    action: stop\n    match: { olderThan: { field: startTime, agee: 1d } }\n`,
    );
    const messages = errors.map((e) => `${e.path}: ${e.message}`);
    expect(messages).toContainEqual(expect.stringContaining('rules[0].match.olderThan.agee: unknown key `agee`; did you mean `age`?'));
    expect(messages).toContainEqual(expect.stringContaining('rules[0].match.olderThan.age: missing required key `age`'));
  });

  it('reports a top-level typo and a typo in caps', () => {
    const errors = errorsOf('version: 1\nmdoe: apply\ncaps: { maxActionPerRun: 5 }\nrules: []\n');
    expect(errors.map((e) => e.path)).toEqual(['mdoe', 'caps.maxActionPerRun']);
    expect(errors[0]?.message).toContain('did you mean `mode`?');
    expect(errors[1]?.message).toContain('did you mean `maxActionsPerRun`?');
    expect(errors[0]?.line).toBe(2);
  });

  it('reports all three mistakes of a policy at once, each with its path', () => {
    // Prepare: a wrong action value, a bad duration deep inside `not`, an unknown protect key.
    const text = `version: 1
protect:
  scenario: ['prod-*']
rules:
  - id: r1
    resource: executions
    action: stopp
    match:
      all:
        - status: [RUNNING]
        - not: { olderThan: { field: startTime, age: 1.5h } }
`;
    // Act
    const result = parsePolicy(text, 'three.yaml');
    // Assess
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.path)).toEqual(['protect.scenario', 'rules[0].action', 'rules[0].match.all[1].not.olderThan.age']);
    expect(result.errors[0]?.message).toContain('did you mean `scenarios`?');
    expect(result.errors[1]?.message).toContain('did you mean `stop`?');
    expect(result.errors[2]?.message).toContain('duration');
    const formatted = formatPolicyIssues(result.errors);
    expect(formatted.split('\n').filter((l) => l.startsWith('✖'))).toHaveLength(3);
    expect(formatted).toContain('→ at rules[0].match.all[1].not.olderThan.age (line 11');
  });

  it('explains a condition with two keys and an unknown condition kind', () => {
    const errors = errorsOf(
      `version: 1\nrules:\n  - id: r1\n    resource: executions\n    action: stop\n    match:\n      any:\n        - { status: [RUNNING], scenario: x }\n        - { scenaro: x }\n        - 42\n`,
    );
    expect(errors.map((e) => e.path)).toEqual(['rules[0].match.any[0]', 'rules[0].match.any[1].scenaro', 'rules[0].match.any[2]']);
    expect(errors[0]?.message).toContain('exactly one key');
    expect(errors[1]?.message).toContain('did you mean `scenario`?');
    expect(errors[2]?.message).toContain('expected a condition');
  });

  it('checks rules across fields: unique ids, gracePeriod on stop, conditions of the other resource type', () => {
    const errors = errorsOf(`version: 1
rules:
  - { id: a, resource: executions, action: stop, gracePeriod: 1d, match: { ttl: present } }
  - { id: a, resource: deployments, action: delete, match: { not: { executionSchedule: absent } } }
`);
    expect(errors.map((e) => e.path)).toEqual(
      ['rules[0].match.ttl', 'rules[0].gracePeriod', 'rules[1].id', 'rules[1].match.not.executionSchedule'].sort(
        (a, b) => order(a) - order(b),
      ),
    );
    function order(path: string): number {
      return ['rules[0].gracePeriod', 'rules[0].match.ttl', 'rules[1].id', 'rules[1].match.not.executionSchedule'].indexOf(path);
    }
  });

  it('suggests the nearest status and says to quote numbers', () => {
    const errors = errorsOf(
      `version: 1\nprotect: { ids: [0123456789] }\nrules:\n  - { id: a, resource: executions, action: stop, match: { status: [RUNING] } }\n`,
    );
    expect(errors[0]).toMatchObject({ path: 'protect.ids[0]' });
    expect(errors[0]?.message).toContain('quotes');
    expect(errors[1]).toMatchObject({ path: 'rules[0].match.status[0]' });
    expect(errors[1]?.message).toContain('did you mean `RUNNING`?');
  });

  it('rejects a wrong version, a bad snooze date and a percent over 100', () => {
    const errors = errorsOf(
      `version: 2\ncaps: { maxPercentOfGroup: 150 }\nprotect: { snoozes: [{ id: x, until: next week }] }\nrules: []\n`,
    );
    expect(errors.map((e) => e.path)).toEqual(['version', 'caps.maxPercentOfGroup', 'protect.snoozes[0].until']);
  });

  it('reports a missing rules list and a missing match', () => {
    expect(errorsOf('version: 1\n').map((e) => e.path)).toEqual(['rules']);
    expect(errorsOf('version: 1\nrules: [{ id: a, resource: executions, action: stop }]\n').map((e) => `${e.path}: ${e.message}`)).toEqual([
      'rules[0].match: missing required key `match`',
    ]);
  });

  it('reports YAML syntax errors, all of them, with line numbers', () => {
    const errors = errorsOf('version: 1\nrules:\n  - id: a\n     resource: x\nfoo: [1, 2\n');
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(errors.every((e) => e.path === '(syntax)' && typeof e.line === 'number')).toBe(true);
  });

  it('rejects duplicate keys and an empty file', () => {
    expect(errorsOf('version: 1\nversion: 1\nrules: []\n')[0]?.path).toBe('(syntax)');
    expect(errorsOf('')[0]?.path).toBe('(root)');
  });

  it('treats unquoted words in a .json file as errors', () => {
    expect(parsePolicy('{"version": 1, "mode": apply, "rules": []}', 'p.json').ok).toBe(false);
  });
});

describe('Function: formatPolicyIssues', () => {
  it('prints one problem per entry with its path and line', () => {
    expect(
      formatPolicyIssues([
        { path: 'rules[0].id', message: 'bad', line: 3, column: 9 },
        { path: '(root)', message: 'worse' },
      ]),
    ).toBe('✖ bad\n  → at rules[0].id (line 3, column 9)\n✖ worse\n  → at (root)');
  });
});

describe('Function: didYouMean', () => {
  it('finds close words and ignores far ones', () => {
    expect(didYouMean('olderThen', ['olderThan', 'status'])).toBe('olderThan');
    expect(didYouMean('Status', ['olderThan', 'status'])).toBe('status');
    expect(didYouMean('banana', ['olderThan', 'status'])).toBeNull();
  });
});

describe('JSON Schema', () => {
  it('schema/policy.schema.json is current (regenerate: npm run schema)', () => {
    const committed = readFileSync('schema/policy.schema.json', 'utf8');
    expect(committed, 'schema/policy.schema.json is stale: run `npm run schema`').toBe(policyJsonSchemaText());
  });

  it('forbids unknown keys and names the condition kinds', () => {
    const schema = JSON.parse(policyJsonSchemaText()) as {
      additionalProperties: unknown;
      $defs: { Condition: { anyOf: Array<{ required: string[] }> } };
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.$defs.Condition.anyOf.map((c) => c.required[0])).toContain('olderThan');
  });
});

describe('Condition edge cases', () => {
  it('rejects an empty label map, an empty all and an empty status list', () => {
    const result = parsePolicy(
      `version: 1\nrules:\n  - { id: a, resource: executions, action: stop, match: { resourceGroupLabels: {} } }\n  - { id: b, resource: executions, action: stop, match: { all: [] } }\n  - { id: c, resource: executions, action: stop, match: { status: [] } }\n`,
      'p.yaml',
    );
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.errors.map((e) => e.path)).toEqual([
        'rules[0].match.resourceGroupLabels',
        'rules[1].match.all',
        'rules[2].match.status',
      ]);
  });
});
