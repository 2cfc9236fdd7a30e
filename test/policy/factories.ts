/**
 * Small factories for policy tests: items in AI Core's list shape, groups, fleets and policies.
 * Kept here (not in infra/) so lib/policy's tests depend on nothing but lib/.
 */
import type { Deployment, Execution, Fleet, GroupFleet, Resource, UnparseableItem } from '../../lib/resources.js';
import { NO_OBSERVATIONS, type Observations } from '../../lib/policy/observations.js';
import { Policy, type PolicyInput } from '../../lib/policy/schema.js';

const NOW = new Date('2026-03-01T12:00:00Z');

/** An ISO instant `hours` before NOW (no milliseconds, like the real server). */
function ago(hours: number, now: Date = NOW): string {
  return new Date(now.getTime() - hours * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function execution(id: string, overrides: Partial<Execution> = {}): Execution {
  return {
    id,
    status: 'RUNNING',
    targetStatus: 'COMPLETED',
    statusMessage: null,
    configurationId: `cfg-${id}`,
    configurationName: `config ${id}`,
    executableId: 'train-exe',
    scenarioId: 'dev-training',
    createdAt: ago(24 * 10),
    modifiedAt: ago(24 * 5),
    submissionTime: ago(24 * 10),
    startTime: ago(24 * 9),
    completionTime: null,
    executionScheduleId: null,
    ...overrides,
  };
}

function deployment(id: string, overrides: Partial<Deployment> = {}): Deployment {
  return {
    id,
    status: 'RUNNING',
    targetStatus: 'RUNNING',
    statusMessage: null,
    configurationId: `cfg-${id}`,
    configurationName: `config ${id}`,
    executableId: 'serve-exe',
    scenarioId: 'dev-serving',
    createdAt: ago(24 * 10),
    modifiedAt: ago(24 * 5),
    submissionTime: ago(24 * 10),
    startTime: ago(24 * 9),
    completionTime: null,
    deploymentUrl: null,
    ttl: null,
    ...overrides,
  };
}

interface GroupSpec {
  labels?: Record<string, string>;
  executions?: Execution[];
  deployments?: Deployment[];
  unparseable?: Array<Omit<UnparseableItem, 'group'>>;
  listingError?: string | null;
}

function group(name: string, spec: GroupSpec = {}): GroupFleet {
  const resources: Resource[] = [
    ...(spec.executions ?? []).map((item): Resource => ({ type: 'executions', group: name, item })),
    ...(spec.deployments ?? []).map((item): Resource => ({ type: 'deployments', group: name, item })),
  ];
  return {
    group: name,
    labels: spec.labels ?? {},
    resources,
    unparseable: (spec.unparseable ?? []).map((u) => ({ ...u, group: name })),
    listingError: spec.listingError ?? null,
  };
}

/** A policy from its input shape, defaults filled as parsePolicy fills them. */
function policy(input: Omit<PolicyInput, 'version'> & { version?: 1 }): Policy {
  return Policy.parse({ version: 1, ...input });
}

function observations(overrides: Partial<Observations> = {}): Observations {
  return { ...NO_OBSERVATIONS, ...overrides };
}

/** A policy with no caps in the way and no minimum age, for tests about other things. */
const OPEN_CAPS = { maxActionsPerRun: 10_000, maxActionsPerGroup: 10_000, maxActionsPerDay: 100_000, maxPercentOfGroup: 100 } as const;

export { NOW, ago, execution, deployment, group, policy, observations, OPEN_CAPS };
export type { Fleet, GroupSpec };
