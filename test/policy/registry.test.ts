/**
 * The condition registry is the one place a condition kind is defined: these tests hold its
 * entries to what the rest of the engine assumes of them (schema, fields, resource types), and the
 * compiled form to the trace it must agree with.
 */
import fc from 'fast-check';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { RESOURCE_TYPES, STATUSES } from '../../lib/lifecycle.js';
import type { ConditionContext } from '../../lib/policy/conditions/definition.js';
import { CONDITION_KINDS, CONDITIONS, type Condition, compileCondition } from '../../lib/policy/conditions/registry.js';
import { InvalidConditionError, InvalidGlobError, InvalidNowError, PolicyError } from '../../lib/policy/errors.js';
import { evaluate, NO_OBSERVATIONS, policyJsonSchema } from '../../lib/policy/index.js';
import { compileGlobs } from '../../lib/policy/glob.js';
import { TIMESTAMP_FIELDS } from '../../lib/policy/primitives.js';
import { Deployment, Execution, type Resource } from '../../lib/resources.js';
import { NOW, ago, deployment, execution, group, policy } from './factories.js';

const ITEM_FIELDS = { executions: Object.keys(Execution.shape), deployments: Object.keys(Deployment.shape) } as const;

/** Conditions that are not valid input, for the engine's own checks (a policy that skipped validation). */
function unchecked(value: unknown): Condition {
  return value as Condition;
}

describe('Registry: CONDITIONS', () => {
  it('lists every kind of the policy schema, in the schema’s order', () => {
    const schema = policyJsonSchema() as { $defs: { Condition: { anyOf: Array<{ required: string[] }> } } };
    expect(schema.$defs.Condition.anyOf.map((c) => c.required[0])).toEqual([...CONDITION_KINDS]);
  });

  it.each(CONDITION_KINDS)('%s: its resource types are exactly the types whose items have its fields', (kind) => {
    const { fields, resources } = CONDITIONS[kind];
    const having = RESOURCE_TYPES.filter((type) => fields.every((f) => ITEM_FIELDS[type].includes(f)));
    expect([...resources].sort()).toEqual([...having].sort());
  });

  it('olderThan reads every timestamp field, and the presence conditions one type-specific field each', () => {
    expect(CONDITIONS.olderThan.fields).toEqual(TIMESTAMP_FIELDS);
    expect(CONDITIONS.ttl).toMatchObject({ fields: ['ttl'], resources: ['deployments'] });
    expect(CONDITIONS.executionSchedule).toMatchObject({ fields: ['executionScheduleId'], resources: ['executions'] });
  });

  it.each(CONDITION_KINDS)('%s: its schema accepts only an object with its own key', (kind) => {
    expect(CONDITIONS[kind].schema.safeParse({ [`${kind}X`]: 1 }).success).toBe(false);
    expect(CONDITIONS[kind].schema.safeParse({}).success).toBe(false);
  });
});

// ---- the compiled form agrees with its trace -------------------------------------------------------

const timestamp = fc.oneof(
  fc.integer({ min: -5, max: 24 * 20 }).map((h) => ago(h)),
  fc.constantFrom(null, undefined, 'yesterday', '2026-01-01T00:00:00', ''),
);
const text = fc.oneof(fc.constantFrom('dev-a', 'prod-x', 'exe-1', 'cfg-1', 'golden', '', 'a/b'), fc.constant(null));
const resourceArb: fc.Arbitrary<Resource> = fc
  .record({
    type: fc.constantFrom(...RESOURCE_TYPES),
    group: fc.constantFrom('alpha', 'beta', 'prod-1'),
    status: fc.oneof(fc.constantFrom(...STATUSES), fc.constant('weird')),
    scenarioId: text,
    executableId: text,
    configurationId: text,
    configurationName: text,
    createdAt: timestamp,
    startTime: timestamp,
    completionTime: timestamp,
    extra: fc.constantFrom(null, '', 'sched-1', '7d'),
  })
  .map(({ type, group: g, extra, ...fields }): Resource => {
    const common = { ...fields, scenarioId: fields.scenarioId ?? null };
    return type === 'executions'
      ? { type, group: g, item: execution('e0001', { ...common, executionScheduleId: extra }) }
      : { type, group: g, item: deployment('d0001', { ...common, ttl: extra }) };
  });

const globs: fc.Arbitrary<string | string[]> = fc.oneof(
  fc.constantFrom('dev-*', 'prod-?', '*', 'a/*', 'cfg-{1,2}'),
  fc.constant<string[]>(['golden', 'exe-*']),
);
const leafArb: fc.Arbitrary<Condition> = fc
  .oneof(
    fc.subarray([...STATUSES], { minLength: 1 }).map((status) => ({ status })),
    fc
      .record({ field: fc.constantFrom(...TIMESTAMP_FIELDS), age: fc.constantFrom('1h', '1d12h', '1w') })
      .map((olderThan) => ({ olderThan })),
    globs.map((scenario) => ({ scenario })),
    globs.map((executable) => ({ executable })),
    globs.map((configuration) => ({ configuration })),
    globs.map((configurationName) => ({ configurationName })),
    globs.map((resourceGroup) => ({ resourceGroup })),
    fc.constantFrom('dev', 'p*').map((v) => ({ resourceGroupLabels: { env: v, team: '*' } })),
    fc.constantFrom('present' as const, 'absent' as const).map((executionSchedule) => ({ executionSchedule })),
    fc.constantFrom('present' as const, 'absent' as const).map((ttl) => ({ ttl })),
  )
  .map((c): Condition => c);
const conditionArb: fc.Arbitrary<Condition> = fc.letrec<{ c: Condition }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small' },
    leafArb,
    fc.array(tie('c'), { minLength: 1, maxLength: 3 }).map((all) => ({ all })),
    fc.array(tie('c'), { minLength: 1, maxLength: 3 }).map((any) => ({ any })),
    tie('c').map((not) => ({ not })),
  ),
})).c;
const labelsArb = fc.record({ env: fc.constantFrom('dev', 'prod'), team: fc.constantFrom('a', 'b') }, { requiredKeys: [] });

describe('Function: compileCondition', () => {
  it('truth() always equals trace().truth (the hot path decides what explain shows)', () => {
    fc.assert(
      fc.property(conditionArb, resourceArb, labelsArb, (condition, resource, labels) => {
        const compiled = compileCondition(condition);
        const ctx: ConditionContext = { resource, labels, nowMs: NOW.getTime() };
        expect(compiled.truth(ctx)).toBe(compiled.trace(ctx).truth);
      }),
      { numRuns: 2000 },
    );
  });

  it('shows values that are not text as JSON, and an age that is not a duration as unknown', () => {
    const ctx = (resource: Resource): ConditionContext => ({ resource, labels: {}, nowMs: NOW.getTime() });
    const odd = execution('e0001', unchecked({ startTime: 1_700_000_000, executionScheduleId: 7 }) as Partial<Execution>);
    const resource: Resource = { type: 'executions', group: 'g', item: odd };
    expect(compileCondition({ olderThan: { field: 'startTime', age: '1d' } }).trace(ctx(resource))).toMatchObject({
      truth: 'unknown',
      value: '1700000000',
      detail: 'startTime 1700000000 is not an ISO-8601 instant with a zone',
    });
    expect(compileCondition({ executionSchedule: 'present' }).trace(ctx(resource))).toMatchObject({
      truth: true,
      value: '7',
      detail: 'executionScheduleId is 7',
    });
    const unvalidated = compileCondition({ olderThan: { field: 'createdAt', age: '5 days' } });
    const listed: Resource = { type: 'executions', group: 'g', item: execution('e0002') };
    expect(unvalidated.truth(ctx(listed))).toBe('unknown');
    expect(unvalidated.trace(ctx(listed))).toMatchObject({ truth: 'unknown', detail: 'age 5 days is not a duration' });
  });

  it('names the first olderThan field depth-first as the rule’s timestamp', () => {
    const match: Condition = {
      any: [
        { status: ['RUNNING'] },
        { not: { olderThan: { field: 'completionTime', age: '1d' } } },
        { olderThan: { field: 'startTime', age: '1d' } },
      ],
    };
    expect(compileCondition(match).timestampField).toBe('completionTime');
    expect(compileCondition({ scenario: 'dev-*' }).timestampField).toBeNull();
  });

  it('rejects an object that is no condition with an InvalidConditionError naming its path and keys', () => {
    const error = (() => {
      try {
        compileCondition(unchecked({ all: [{ status: ['RUNNING'] }, { olderThen: { field: 'startTime', age: '1d' } }] }), [
          'rules',
          0,
          'match',
        ]);
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(InvalidConditionError);
    expect(error).toBeInstanceOf(PolicyError);
    expect(error).toMatchObject({ path: 'rules[0].match.all[1]', keys: ['olderThen'] });
    expect(String((error as Error).message)).toMatch(
      /^not a condition: expected one key, one of status, olderThan, .* \(at rules\[0\]\.match\.all\[1\]\)$/,
    );
    expect(() => compileCondition(unchecked(null))).toThrow(InvalidConditionError);
  });

  it('turns a glob picomatch refuses into an InvalidConditionError with the cause kept', () => {
    let caught: unknown = null;
    try {
      compileCondition({ not: { scenario: 'x'.repeat(70_000) } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidConditionError);
    expect(caught).toMatchObject({ path: 'not', keys: ['scenario'] });
    expect((caught as Error).message).toMatch(/^cannot compile condition `scenario`: /);
    expect((caught as Error).cause).toBeInstanceOf(Error);
    expect((caught as Error).cause).toBeInstanceOf(InvalidGlobError);
    expect((caught as Error).cause).toMatchObject({ path: 'not.scenario' });
  });

  it('keeps the glob’s own path in the cause, at any depth', () => {
    const causeOf = (condition: Condition): unknown => {
      try {
        compileCondition(condition, ['rules', 0, 'match']);
      } catch (error) {
        return (error as Error).cause;
      }
      return null;
    };
    const long = 'x'.repeat(70_000);
    expect(causeOf({ all: [{ status: ['RUNNING'] }, { scenario: long }] })).toMatchObject({
      name: 'InvalidGlobError',
      path: 'rules[0].match.all[1].scenario',
    });
    expect(causeOf({ all: [{ status: ['RUNNING'] }, { resourceGroup: ['ok-*', long] }] })).toMatchObject({
      path: 'rules[0].match.all[1].resourceGroup[1]',
    });
    expect(causeOf({ any: [{ resourceGroupLabels: { env: long } }] })).toMatchObject({
      path: 'rules[0].match.any[0].resourceGroupLabels.env',
    });
    expect(causeOf({ all: [{ status: ['RUNNING'] }, { scenario: long }] })).toBeInstanceOf(InvalidGlobError);
  });
});

describe('Function: compileGlobs', () => {
  it('matches exactly as picomatch does (dot: true)', () => {
    const glob = fc.constantFrom('dev-*', '*', '?', 'a/*', 'a/**', '.x*', 'cfg-{1,2}', '[ab]c', 'a[b]', 'x.y', '!(a)*', 'a\\*');
    const textArb = fc.oneof(
      fc.constantFrom('', 'dev-1', '.hidden', 'a/b', 'a/b/c', 'ac', 'a[b]', 'x.y', 'cfg-2', 'a*'),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(glob, textArb, (g, t) => {
        const [compiled] = compileGlobs(g);
        expect(compiled?.test(t)).toBe(picomatch(g, { dot: true, windows: false })(t));
      }),
      { numRuns: 3000 },
    );
  });
});

describe('Errors: evaluate', () => {
  it('rejects an invalid now with an InvalidNowError, not a RangeError', () => {
    const p = policy({ rules: [] });
    expect(() => evaluate({ fleet: [], policy: p, now: new Date('nope'), observations: NO_OBSERVATIONS })).toThrow(InvalidNowError);
    expect(() => evaluate({ fleet: [], policy: p, now: new Date('nope'), observations: NO_OBSERVATIONS })).toThrow(
      'now must be a valid date, got Invalid Date',
    );
  });

  it('reports a protection glob picomatch refuses as an InvalidGlobError at its path', () => {
    const p = policy({ rules: [], protect: { scenarios: ['ok-*', 'y'.repeat(70_000)], resourceGroupLabels: { env: 'z'.repeat(70_000) } } });
    let caught: unknown = null;
    try {
      evaluate({ fleet: [], policy: p, now: NOW, observations: NO_OBSERVATIONS });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(InvalidGlobError);
    expect(caught).toBeInstanceOf(PolicyError);
    expect(caught).toMatchObject({ path: 'protect.scenarios[1]', glob: 'y'.repeat(70_000) });
    expect((caught as Error).message).toMatch(/^cannot use glob "y{40}…" \(70000 characters\): .+ \(at protect\.scenarios\[1\]\)$/);
    const labelsOnly = policy({ rules: [], protect: { resourceGroupLabels: { env: 'z'.repeat(70_000) } } });
    expect(() => evaluate({ fleet: [], policy: labelsOnly, now: NOW, observations: NO_OBSERVATIONS })).toThrow(
      '(at protect.resourceGroupLabels.env)',
    );
  });

  it('reports a condition the registry cannot compile with the rule’s path, even for an empty fleet', () => {
    const p = policy({ rules: [] });
    const broken = {
      ...p,
      rules: [{ id: 'r', resource: 'executions' as const, action: 'stop' as const, match: unchecked({ sttus: ['RUNNING'] }) }],
    };
    const run = () =>
      evaluate({ fleet: [group('g', { executions: [execution('e0001')] })], policy: broken, now: NOW, observations: NO_OBSERVATIONS });
    expect(run).toThrow(InvalidConditionError);
    expect(run).toThrow('(at rules[0].match)');
    expect(() => evaluate({ fleet: [], policy: broken, now: NOW, observations: NO_OBSERVATIONS })).toThrow(PolicyError);
  });
});
