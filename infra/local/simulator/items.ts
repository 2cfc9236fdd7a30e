/**
 * Builders for wire-shaped items, shared by the demo fleet, the generator and the fixtures. They
 * emit every optional field, with explicit nulls where absent, as the real server does, and derive a
 * consistent timeline (submission, start, completion) from the creation time and status.
 */
import type { Deployment, Execution } from '../../../lib/resources.js';
import { isoSeconds, MINUTE_MS } from './time.js';

interface ItemSeed {
  id: string;
  status: string;
  /** Creation time in epoch ms; null gives an item whose every timestamp is null. */
  createdAtMs: number | null;
  scenarioId: string;
  executableId: string;
  configurationId: string;
  configurationName: string;
  /** How long it ran before finishing (COMPLETED/DEAD/STOPPED); default 45 minutes. */
  ranForMs?: number;
  targetStatus?: string;
  statusMessage?: string | null;
}

const STARTED = new Set(['RUNNING', 'COMPLETED', 'DEAD', 'STOPPING', 'STOPPED']);
const FINISHED = new Set(['COMPLETED', 'DEAD', 'STOPPED']);
const INFERENCE_HOST = 'https://api.ai.prod.eu-central-1.aws.ml.hana.ondemand.com';

function timeline(seed: ItemSeed): Record<'createdAt' | 'modifiedAt' | 'submissionTime' | 'startTime' | 'completionTime', string | null> {
  const created = seed.createdAtMs;
  if (created === null) return { createdAt: null, modifiedAt: null, submissionTime: null, startTime: null, completionTime: null };
  const submitted = created + 20_000;
  const started = STARTED.has(seed.status) ? created + 2 * MINUTE_MS : null;
  const completed = FINISHED.has(seed.status) ? (started ?? submitted) + (seed.ranForMs ?? 45 * MINUTE_MS) : null;
  const modified = completed ?? started ?? submitted;
  return {
    createdAt: isoSeconds(created),
    modifiedAt: isoSeconds(modified),
    submissionTime: seed.status === 'UNKNOWN' ? null : isoSeconds(submitted),
    startTime: started === null ? null : isoSeconds(started),
    completionTime: completed === null ? null : isoSeconds(completed),
  };
}

function defaultTarget(status: string, running: 'COMPLETED' | 'RUNNING'): string {
  return status === 'STOPPING' || status === 'STOPPED' ? 'STOPPED' : running;
}

/** An execution; new executions target COMPLETED (PY e2e). */
function makeExecution(seed: ItemSeed, extra: { executionScheduleId?: string | null } = {}): Execution {
  const t = timeline(seed);
  return {
    id: seed.id,
    configurationId: seed.configurationId,
    configurationName: seed.configurationName,
    executableId: seed.executableId,
    scenarioId: seed.scenarioId,
    targetStatus: seed.targetStatus ?? defaultTarget(seed.status, 'COMPLETED'),
    status: seed.status,
    statusMessage: seed.statusMessage ?? null,
    outputArtifacts: [],
    executionScheduleId: extra.executionScheduleId ?? null,
    ...t,
  };
}

/** A deployment; new deployments target RUNNING (PY e2e). */
function makeDeployment(seed: ItemSeed, extra: { ttl?: string | null; details?: unknown } = {}): Deployment {
  const t = timeline(seed);
  return {
    id: seed.id,
    deploymentUrl: seed.status === 'UNKNOWN' || seed.status === 'PENDING' ? '' : `${INFERENCE_HOST}/v2/inference/deployments/${seed.id}`,
    configurationId: seed.configurationId,
    configurationName: seed.configurationName,
    executableId: seed.executableId,
    scenarioId: seed.scenarioId,
    status: seed.status,
    statusMessage: seed.statusMessage ?? null,
    targetStatus: seed.targetStatus ?? defaultTarget(seed.status, 'RUNNING'),
    lastOperation: 'CREATE',
    latestRunningConfigurationId: seed.status === 'RUNNING' ? seed.configurationId : null,
    ttl: extra.ttl ?? null,
    details: extra.details ?? null,
    ...t,
  };
}

/** `details` of a classic model server, in the snake_case real payloads use. */
function predictorDetails(resourcePlan: string, minReplicas: number, maxReplicas: number, runningReplicas: number): unknown {
  return {
    resources: { backend_details: { predictor: { resource_plan: resourcePlan } } },
    scaling: {
      backend_details: {
        predictor: { min_replicas: String(minReplicas), max_replicas: String(maxReplicas), running_replicas: runningReplicas },
      },
    },
  };
}

/** `details` of a generative-AI deployment: a model instead of a resource plan. */
function modelDetails(name: string, version: string): unknown {
  return { resources: { backend_details: { model: { name, version } } }, scaling: { backend_details: {} } };
}

export { makeExecution, makeDeployment, predictorDetails, modelDetails };
export type { ItemSeed };
