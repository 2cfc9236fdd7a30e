import { describe, expect, it } from 'vitest';
import { evaluate, type Plan, type Policy } from '../../lib/policy/index.js';
import type { PolicyInput } from '../../lib/policy/schema.js';
import type { GroupFleet } from '../../lib/resources.js';
import { NOW, OPEN_CAPS, ago, deployment, execution, group, observations, policy } from './factories.js';

const STOP_EVERYTHING: PolicyInput['rules'] = [
  { id: 'stop-runs', resource: 'executions', match: { status: ['RUNNING'] }, action: 'stop' },
  { id: 'stop-deployments', resource: 'deployments', match: { status: ['RUNNING'] }, action: 'stop' },
];

function withProtect(protect: PolicyInput['protect'], extra: Partial<PolicyInput> = {}): Policy {
  return policy({ caps: OPEN_CAPS, rules: STOP_EVERYTHING, ...(protect === undefined ? {} : { protect }), ...extra });
}
function decide(fleet: GroupFleet[], p: Policy, obs = observations()): Plan {
  return evaluate({ fleet, policy: p, now: NOW, observations: obs });
}
function kindOf(p: Plan, id: string): string {
  const g = p.groups.flatMap((x) => [
    ...x.actions.map((a) => ({ id: a.id, kind: a.action as string })),
    ...x.skipped.map((s) => ({ id: s.id, kind: s.kind as string })),
  ]);
  return g.find((x) => x.id === id)?.kind ?? 'missing';
}
function reasonOf(p: Plan, id: string): string {
  return p.groups.flatMap((g) => g.skipped).find((s) => s.id === id)?.reason ?? '';
}

describe('Protection', () => {
  const fleet = [
    group('team-a', {
      labels: { 'ext.ai.sap.com/env': 'dev' },
      executions: [
        execution('e1'),
        execution('e2', { scenarioId: 'prod-chat' }),
        execution('e3', { executableId: 'keep-exe' }),
        execution('e4', { configurationName: 'golden config' }),
      ],
      deployments: [deployment('d1'), deployment('d2', { configurationId: 'cfg-keep' })],
    }),
    group('prod-1', { labels: { 'ext.ai.sap.com/env': 'prod' }, executions: [execution('p1')] }),
  ];

  it.each([
    ['ids', { ids: ['e1'] }, 'e1', 'protected by protect.ids (e1)'],
    ['scenarios', { scenarios: ['prod-*'] }, 'e2', 'protected by protect.scenarios prod-* (scenarioId prod-chat)'],
    ['executables', { executables: ['keep-*'] }, 'e3', 'protected by protect.executables keep-* (executableId keep-exe)'],
    [
      'configurations (by name)',
      { configurations: ['golden*'] },
      'e4',
      'protected by protect.configurations golden* (configurationName golden config)',
    ],
    [
      'configurations (by id)',
      { configurations: ['cfg-keep'] },
      'd2',
      'protected by protect.configurations cfg-keep (configurationId cfg-keep)',
    ],
    ['resourceGroups', { resourceGroups: ['prod-*'] }, 'p1', 'protected by protect.resourceGroups prod-* (resourceGroup prod-1)'],
    [
      'resourceGroupLabels',
      { resourceGroupLabels: { 'ext.ai.sap.com/env': 'prod' } },
      'p1',
      'protected by protect.resourceGroupLabels (ext.ai.sap.com/env=prod)',
    ],
    ['snoozes', { snoozes: [{ id: 'd1', until: '2026-12-01' }] }, 'd1', 'protected by protect.snoozes: d1 snoozed until 2026-12-01'],
  ] as Array<[string, PolicyInput['protect'], string, string]>)('%s protect the item and say so', (_name, protect, id, reason) => {
    const unprotected = decide(fleet, withProtect(undefined));
    expect(kindOf(unprotected, id)).toBe('stop');
    const result = decide(fleet, withProtect(protect));
    expect(kindOf(result, id)).toBe('protected');
    expect(reasonOf(result, id)).toBe(reason);
    expect(result.totals.protected).toBe(1);
  });

  it('protection beats a matching rule even for deletable items', () => {
    const p = policy({
      caps: OPEN_CAPS,
      protect: { ids: ['x'] },
      rules: [{ id: 'del', resource: 'executions', match: { status: ['COMPLETED'] }, action: 'delete' }],
    });
    expect(kindOf(decide([group('g', { executions: [execution('x', { status: 'COMPLETED' })] })], p), 'x')).toBe('protected');
  });

  it('a snooze ends at its date; snoozes from the store protect too', () => {
    const expired = withProtect({ snoozes: [{ id: 'e1', until: '2026-02-01T00:00:00Z' }] });
    expect(kindOf(decide(fleet, expired), 'e1')).toBe('stop');
    const stored = decide(fleet, withProtect(undefined), observations({ snoozes: { e1: ago(-5) } }));
    expect(kindOf(stored, 'e1')).toBe('protected');
    expect(reasonOf(stored, 'e1')).toContain('snoozed until');
    const unreadable = decide(fleet, withProtect(undefined), observations({ snoozes: { e1: 'forever' } }));
    expect(kindOf(unreadable, 'e1')).toBe('protected');
  });

  it('a protection that needs a missing field makes the item unknown, not unprotected', () => {
    const result = decide([group('g', { executions: [execution('n', { scenarioId: null })] })], withProtect({ scenarios: ['prod-*'] }));
    expect(kindOf(result, 'n')).toBe('unknown');
    expect(reasonOf(result, 'n')).toBe('scenarioId is missing, so protect.scenarios cannot be checked');
  });

  describe('built-in generative-AI protection', () => {
    const genAi = [
      group('g', {
        deployments: [
          deployment('fm', { scenarioId: 'foundation-models' }),
          deployment('orch', { scenarioId: 'orchestration' }),
          deployment('dev'),
        ],
      }),
    ];

    it('protects foundation-models and orchestration deployments by default', () => {
      const result = decide(genAi, withProtect(undefined));
      expect(kindOf(result, 'fm')).toBe('protected');
      expect(kindOf(result, 'orch')).toBe('protected');
      expect(kindOf(result, 'dev')).toBe('stop');
      expect(reasonOf(result, 'fm')).toContain('billed by tokens');
    });

    it('can be opted out of per scenario', () => {
      const result = decide(genAi, withProtect(undefined, { builtInProtection: { allowScenarios: ['orchestration'] } }));
      expect(kindOf(result, 'fm')).toBe('protected');
      expect(kindOf(result, 'orch')).toBe('stop');
    });

    it('can be switched off explicitly', () => {
      const result = decide(genAi, withProtect(undefined, { builtInProtection: { generativeAi: false } }));
      expect(kindOf(result, 'fm')).toBe('stop');
    });

    it('treats a deployment without a scenarioId as unknown', () => {
      const result = decide([group('g', { deployments: [deployment('anon', { scenarioId: null })] })], withProtect(undefined));
      expect(kindOf(result, 'anon')).toBe('unknown');
    });
  });
});
