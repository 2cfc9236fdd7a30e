/**
 * Hand-written edge cases, one named fixture per situation a client must survive. Each returns
 * items relative to `now`; `edgeCaseFleet` puts them all in one `edge-cases` group.
 */
import type { Deployment, Execution } from '../../../lib/resources.js';
import type { SimulatorFleet } from './fleet.js';
import { makeDeployment, makeExecution, predictorDetails } from './items.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './time.js';

const BASE = {
  scenarioId: 'edge-scenario',
  executableId: 'edge-executable',
  configurationId: 'edge-configuration',
  configurationName: 'edge cases',
};

/** Every timestamp null: its age is unknown, so nothing may act on it. */
function nullTimestamps(): Execution {
  return makeExecution({ ...BASE, id: 'edge-null-timestamps', status: 'RUNNING', createdAtMs: null });
}

/** Already on its way: neither stop nor delete is legal. */
function stoppingExecution(now: number): Execution {
  return makeExecution({ ...BASE, id: 'edge-stopping', status: 'STOPPING', createdAtMs: now - 2 * DAY_MS });
}

/** A new deployment starts UNKNOWN; the status is real and deletable. */
function unknownDeployment(now: number): Deployment {
  return makeDeployment({ ...BASE, id: 'edge-unknown-deployment', status: 'UNKNOWN', createdAtMs: now - 10 * MINUTE_MS });
}

/** Finished executions: COMPLETED is deletable for executions only. */
function completedExecution(now: number): Execution {
  return makeExecution({ ...BASE, id: 'edge-completed', status: 'COMPLETED', createdAtMs: now - 9 * DAY_MS });
}

/** Executions spawned by a schedule: stopping them does not stop the schedule. */
function scheduleSpawned(now: number): Execution[] {
  return [1, 2, 3].map((n) =>
    makeExecution(
      { ...BASE, id: `edge-scheduled-${n}`, status: n === 3 ? 'RUNNING' : 'COMPLETED', createdAtMs: now - n * DAY_MS },
      { executionScheduleId: 'edge-schedule-nightly' },
    ),
  );
}

/** A status outside the documented enum (DELETING exists only on RTA deployments): never acted on. */
function undocumentedStatus(now: number): Deployment {
  return makeDeployment({ ...BASE, id: 'edge-deleting', status: 'DELETING', targetStatus: 'DELETED', createdAtMs: now - 5 * DAY_MS });
}

/** Deleted but still listed for a while: targetStatus DELETED on a STOPPED item. */
function deletePending(now: number): Deployment {
  return makeDeployment({ ...BASE, id: 'edge-delete-pending', status: 'STOPPED', targetStatus: 'DELETED', createdAtMs: now - 8 * DAY_MS });
}

/** The spec's camelCase `details` (real payloads use snake_case): clients must accept both. */
function camelCaseDetails(now: number): Deployment {
  const details = {
    resources: { backendDetails: { predictor: { resourcePlan: 'infer.s' } } },
    scaling: { backendDetails: { predictor: { minReplicas: 1, maxReplicas: 2, runningReplicas: 1 } } },
  };
  return makeDeployment({ ...BASE, id: 'edge-camel-details', status: 'RUNNING', createdAtMs: now - 4 * DAY_MS }, { details });
}

/** A deployment with a TTL that has already passed (AI Core stops and deletes it itself). */
function expiredTtl(now: number): Deployment {
  return makeDeployment(
    { ...BASE, id: 'edge-expired-ttl', status: 'RUNNING', createdAtMs: now - 30 * HOUR_MS },
    { ttl: '24h', details: predictorDetails('starter', 1, 1, 1) },
  );
}

/** All edge cases in one `edge-cases` group (plus an empty `default`). */
function edgeCaseFleet(nowDate: Date): SimulatorFleet {
  const now = nowDate.getTime();
  return {
    resourceGroups: [
      { resourceGroupId: 'default' },
      { resourceGroupId: 'edge-cases', labels: [{ key: 'ext.ai.sap.com/team', value: 'edge' }] },
    ],
    executions: { 'edge-cases': [nullTimestamps(), stoppingExecution(now), completedExecution(now), ...scheduleSpawned(now)] },
    deployments: {
      'edge-cases': [unknownDeployment(now), undocumentedStatus(now), deletePending(now), camelCaseDetails(now), expiredTtl(now)],
    },
  };
}

export {
  edgeCaseFleet,
  nullTimestamps,
  stoppingExecution,
  unknownDeployment,
  completedExecution,
  scheduleSpawned,
  undocumentedStatus,
  deletePending,
  camelCaseDetails,
  expiredTtl,
};
