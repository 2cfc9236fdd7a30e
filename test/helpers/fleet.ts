/** Small wire-shaped fleets for client and run tests (the simulator serves them as given). */
import type { Deployment, Execution } from '../../lib/resources.js';
import type { SimulatorFleet } from '../../infra/local/simulator/index.js';

const T0 = '2026-11-01T00:00:00Z';

function execution(id: string, status: string, extra: Partial<Execution> = {}): Execution {
  return {
    id,
    status,
    targetStatus: status === 'COMPLETED' ? 'COMPLETED' : 'RUNNING',
    statusMessage: null,
    configurationId: 'conf-train',
    configurationName: 'train',
    executableId: 'exec-train',
    scenarioId: 'dev-scenario',
    executionScheduleId: null,
    createdAt: T0,
    modifiedAt: T0,
    submissionTime: T0,
    startTime: T0,
    completionTime: null,
    outputArtifacts: null,
    ...extra,
  };
}

function deployment(id: string, status: string, extra: Partial<Deployment> = {}): Deployment {
  return {
    id,
    status,
    targetStatus: 'RUNNING',
    statusMessage: null,
    deploymentUrl: null,
    configurationId: 'conf-serve',
    configurationName: 'serve',
    executableId: 'exec-serve',
    scenarioId: 'dev-scenario',
    ttl: null,
    lastOperation: 'CREATE',
    latestRunningConfigurationId: 'conf-serve',
    createdAt: T0,
    modifiedAt: T0,
    submissionTime: T0,
    startTime: T0,
    completionTime: null,
    ...extra,
  };
}

/** `n` items with ids `${prefix}0000…`, all valid AI Core ids. */
function many<T>(n: number, prefix: string, make: (id: string) => T): T[] {
  return Array.from({ length: n }, (_, i) => make(`${prefix}${String(i).padStart(6, '0')}`));
}

function fleetOf(
  groups: Record<string, { executions?: Execution[]; deployments?: Deployment[]; labels?: Record<string, string> }>,
): SimulatorFleet {
  return {
    resourceGroups: Object.entries(groups).map(([id, g]) => ({
      resourceGroupId: id,
      labels: Object.entries(g.labels ?? {}).map(([key, value]) => ({ key, value })),
    })),
    executions: Object.fromEntries(Object.entries(groups).map(([id, g]) => [id, g.executions ?? []])),
    deployments: Object.fromEntries(Object.entries(groups).map(([id, g]) => [id, g.deployments ?? []])),
  };
}

export { execution, deployment, many, fleetOf };
