/**
 * The engine's output on a large, varied generated fleet is pinned: every plan (hash and full
 * content, reasons included) and a sample of explanations must stay byte-for-byte the same when the
 * engine is refactored or optimised. The pins were computed from the engine before the condition
 * registry and the performance work; a change here is a behaviour change and needs a reason.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { canonicalJson, sha256Hex } from '../../lib/policy/hash.js';
import { evaluate, explain, observationKey, parsePolicy, type Policy } from '../../lib/policy/index.js';
import type { GroupFleet } from '../../lib/resources.js';
import { NOW, OPEN_CAPS, policy } from './factories.js';
import { generatedFleet } from './generated-fleet.js';

function examplePolicy(): Policy {
  const parsed = parsePolicy(readFileSync(new URL('../../examples/policy.yaml', import.meta.url), 'utf8'), 'policy.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.policy;
}

/** Every condition kind, every combinator and every timestamp field, with oldest-first caps. */
const EVERY_CONDITION = policy({
  mode: 'apply',
  minimumAge: '30m',
  caps: { maxActionsPerRun: 1500, maxActionsPerGroup: 400, maxActionsPerDay: 2000, maxPercentOfGroup: 60, onCapExceeded: 'oldest-first' },
  protect: {
    ids: ['i00000010'],
    executables: ['batch-*'],
    configurations: ['cfg-4'],
    resourceGroupLabels: { 'ext.ai.sap.com/env': 'prod' },
  },
  builtInProtection: { allowScenarios: ['orchestration'] },
  rules: [
    {
      id: 'scheduled',
      resource: 'executions',
      match: { all: [{ executionSchedule: 'present' }, { olderThan: { field: 'modifiedAt', age: '2d' } }] },
      action: 'stop-then-delete',
      gracePeriod: '1d',
    },
    {
      id: 'stale',
      resource: 'executions',
      match: {
        any: [
          { all: [{ status: ['RUNNING', 'PENDING'] }, { olderThan: { field: 'startTime', age: '1d12h' } }] },
          { all: [{ status: ['PENDING'] }, { olderThan: { field: 'submissionTime', age: '36h' } }] },
        ],
      },
      action: 'stop',
    },
    {
      id: 'finished',
      resource: 'executions',
      match: {
        all: [
          { not: { scenario: ['prod-*', 'research'] } },
          { configuration: 'cfg-*' },
          { olderThan: { field: 'completionTime', age: '1w' } },
        ],
      },
      action: 'delete',
    },
    {
      id: 'ttl-less',
      resource: 'deployments',
      match: {
        all: [
          { ttl: 'absent' },
          { resourceGroupLabels: { 'ext.ai.sap.com/team': ['a', 'b'] } },
          { not: { resourceGroup: 'rg-00?' } },
          { olderThan: { field: 'createdAt', age: '3d' } },
        ],
      },
      action: 'stop-then-delete',
      gracePeriod: '12h',
    },
    {
      id: 'named',
      resource: 'deployments',
      match: { any: [{ configurationName: 'config [0-2]' }, { executable: 'serve-*' }, { ttl: 'present' }] },
      action: 'delete',
    },
  ],
});

function observationsFor(fleet: GroupFleet[]) {
  const firstSeenStopped: Record<string, string> = {};
  const snoozes: Record<string, string> = {};
  let n = 0;
  for (const g of fleet) {
    for (const r of g.resources) {
      n += 1;
      if (r.item.status === 'STOPPED' && n % 3 === 0)
        firstSeenStopped[observationKey(r.group, r.type, r.item.id)] = n % 2 === 0 ? '2026-02-20T00:00:00Z' : '2026-03-01T06:00:00Z';
      if (n % 97 === 0) snoozes[r.item.id] = n % 2 === 0 ? '2026-04-01' : '2026-02-01';
      if (n % 501 === 0) firstSeenStopped[observationKey(r.group, r.type, r.item.id)] = 'yesterday';
    }
  }
  return { firstSeenStopped, snoozes, actionsToday: 120 };
}

function fingerprint(fleet: GroupFleet[], p: Policy, obs = observationsFor(fleet)) {
  const plan = evaluate({ fleet, policy: p, now: NOW, observations: obs });
  // The decisions and their words; plan fields added later for other features are left out of the pin.
  const decided = {
    groups: plan.groups.map((g) => ({
      group: g.group,
      actions: g.actions,
      skipped: g.skipped,
      aborted: g.aborted,
      listingError: g.listingError,
      totals: g.totals,
      savings: g.savings,
    })),
    aborted: plan.aborted,
    totals: plan.totals,
    savings: plan.savings,
  };
  return { hash: plan.hash, content: sha256Hex(canonicalJson(decided)), stop: plan.totals.stop, delete: plan.totals.delete };
}

describe('Pinned plans on a generated fleet', () => {
  const fleet = generatedFleet({ seed: 7, items: 20_000, groups: 24, now: NOW });

  it('the example policy gives the pinned plan', () => {
    expect(fingerprint(fleet, examplePolicy())).toEqual(PINS.example);
  });

  it('the example policy with open caps gives the pinned plan', () => {
    expect(fingerprint(fleet, { ...examplePolicy(), caps: { ...examplePolicy().caps, ...OPEN_CAPS } })).toEqual(PINS.exampleOpen);
  });

  it('a policy with every condition kind gives the pinned plan', () => {
    expect(fingerprint(fleet, EVERY_CONDITION)).toEqual(PINS.everyCondition);
  });

  it('explanations of a sample of items are pinned', () => {
    const small = generatedFleet({ seed: 11, items: 600, groups: 6, now: NOW });
    const obs = observationsFor(small);
    const ids = small.flatMap((g) => g.resources.map((r) => r.item.id)).filter((_, i) => i % 20 === 0);
    // What the engine reasoned (traces, protection, minimum age, decision); fields other features add are left out.
    const reasoning = ids.flatMap((id) =>
      explain({ fleet: small, policy: EVERY_CONDITION, now: NOW, observations: obs, id }).items.map((item) => ({
        group: item.group,
        id: item.id,
        protection: item.protection,
        statusKnown: item.statusKnown,
        rules: item.rules,
        minimumAge: item.minimumAge,
        decision: item.decision,
      })),
    );
    expect(reasoning).toHaveLength(ids.length);
    expect(sha256Hex(canonicalJson(reasoning))).toBe(PINS.explanations);
  });
});

const PINS = {
  example: {
    hash: 'a051f503fd7cd65da5198cbe43bde5d6ce57eaf3a5d31a83711361e54206c730',
    content: 'c7c2b743d051ab203109aa5d72d65ab7e2957c510cab179befea6c6d505675c8',
    stop: 1763,
    delete: 1460,
  },
  exampleOpen: {
    hash: '22296e85c110d460475252b81cd6fc46fbf8d8090841ac346c9d23019f295032',
    content: '6309766b0d37235297cd5b6cf676abf9f223a934654c80502e3d861165dfb83d',
    stop: 1763,
    delete: 1460,
  },
  everyCondition: {
    hash: '107d2ac354b587924fc19493bf2c5ed57e58981883391aaabbeba50afcc072b5',
    content: 'aec17396f1b495d8cdbb9cba11922eab055a8c8d833ae8d67cefe0e50fa0ed06',
    stop: 733,
    delete: 767,
  },
  explanations: '482174e2612adc3947625a41908b3ca2ce6c339cefcb3c4002e9c38343401fbe',
};
