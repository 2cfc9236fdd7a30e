/**
 * The deployed definition is valid ASL (asl-validator) and has the shape the design promises:
 * a Distributed Map over tenants, per tenant bounded inline Maps, Retry/Catch and a timeout on
 * every Task, and nothing in a state but names and counts.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { definition } from './local-machine.js';
import { parseTenants, TenantsFileError } from '../../lib/tenants/load.js';
import { tenantsJsonSchemaText } from '../../lib/tenants/json-schema.js';
import { readFileSync } from 'node:fs';

const ValidatorResult = z.object({ isValid: z.boolean(), errors: z.array(z.unknown()) });
const require = createRequire(import.meta.url);
const validatorModule: unknown = require('asl-validator');

function validate(def: unknown): { isValid: boolean; text: string } {
  if (typeof validatorModule !== 'function') throw new Error('asl-validator did not export a function');
  const result = ValidatorResult.parse(validatorModule(def));
  return { isValid: result.isValid, text: JSON.stringify(result.errors) };
}

type Json = { [key: string]: unknown };
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every state of the definition, nested ones included, by name. */
function statesOf(node: unknown, out = new Map<string, Json>()): Map<string, Json> {
  if (!isObject(node)) return out;
  const states = node.States;
  if (isObject(states)) {
    for (const [name, state] of Object.entries(states)) {
      if (!isObject(state)) continue;
      out.set(name, state);
      if (isObject(state.ItemProcessor)) statesOf(state.ItemProcessor, out);
    }
  }
  return out;
}

describe('infra/janitor.asl.json', () => {
  const states = statesOf(definition());

  it('is valid Amazon States Language', () => {
    const result = validate(definition());
    expect(result.text).toBe('[]');
    expect(result.isValid).toBe(true);
  });

  it('fans out over tenants with a Distributed Map of standard child executions, bounded', () => {
    const tenants = states.get('Tenants');
    expect(tenants?.Type).toBe('Map');
    expect(tenants?.ItemProcessor).toMatchObject({ ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' } });
    expect(tenants?.MaxConcurrency).toBeGreaterThan(0);
    // One tenant's failure never fails another.
    expect(tenants?.ToleratedFailurePercentage).toBe(100);
  });

  it("bounds each tenant's plan and apply Maps by the tenant's own groupConcurrency", () => {
    for (const name of ['PlanGroups', 'ApplyGroups']) {
      expect(states.get(name)).toMatchObject({
        Type: 'Map',
        MaxConcurrencyPath: '$.listing.groupConcurrency',
        ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' } },
        ResultPath: null,
      });
    }
  });

  it('gives every Task a timeout, a Retry and a Catch', () => {
    const tasks = [...states.entries()].filter(([, s]) => s.Type === 'Task');
    expect(tasks.map(([n]) => n).sort()).toEqual(['ApplyGroup', 'Digest', 'ListGroups', 'PlanGroup', 'Summary', 'Verdict']);
    for (const [name, task] of tasks) {
      expect(task.TimeoutSeconds, name).toBeGreaterThan(0);
      expect(Array.isArray(task.Retry), name).toBe(true);
      expect(Array.isArray(task.Catch), name).toBe(true);
    }
  });

  it('never retries an apply blindly (only Lambda service errors, not timeouts or task failures)', () => {
    const retry = z.array(z.object({ ErrorEquals: z.array(z.string()) })).parse(states.get('ApplyGroup')?.Retry);
    expect(retry.flatMap((r) => r.ErrorEquals).every((e) => e.startsWith('Lambda.'))).toBe(true);
  });
});

describe('tenants file', () => {
  it('schema/tenants.schema.json is current (regenerate: npm run schema)', () => {
    expect(readFileSync('schema/tenants.schema.json', 'utf8')).toBe(tenantsJsonSchemaText());
  });

  it('fills defaults and keeps optional fields optional', () => {
    const file = parseTenants(
      'version: 1\ntenants:\n  - name: acme\n    secretId: janitor/acme\n    groups: [default]\n    limits: { maxActionsPerRun: 50 }\n',
      't.yaml',
    );
    expect(file.tenants[0]).toEqual({
      name: 'acme',
      secretId: 'janitor/acme',
      groups: ['default'],
      limits: { groupConcurrency: 4, maxActionsPerRun: 50 },
    });
  });

  it.each([
    ['an unknown key, with its path', 'version: 1\ntenants:\n  - { name: a, secretId: s, polcy: p.yaml }\n', /tenants\[0\]|polcy/],
    ['a duplicate name', 'version: 1\ntenants:\n  - { name: a, secretId: s1 }\n  - { name: A, secretId: s2 }\n', /duplicate tenant name/],
    [
      'one secret for two tenants',
      'version: 1\ntenants:\n  - { name: a, secretId: s }\n  - { name: b, secretId: s }\n',
      /already used by tenant 'a'/,
    ],
    ['no tenants', 'version: 1\ntenants: []\n', /at least one tenant/],
  ])('refuses %s', (_what, text, message) => {
    expect(() => parseTenants(text, 't.yaml')).toThrow(TenantsFileError);
    expect(() => parseTenants(text, 't.yaml')).toThrow(message);
  });
});
