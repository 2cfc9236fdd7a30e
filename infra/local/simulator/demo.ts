/**
 * The `npm start` demo fleet: a small tenant with a clear story for the example policy
 * (stop executions RUNNING > 24 h; delete finished executions older than 7 d; stop, then delete,
 * `dev-*` deployments older than 3 d; protect `prod-*`; generative-AI deployments are protected).
 * Every timestamp is relative to `now`, so the story holds whenever the demo runs.
 */
import type { SimulatorFleet } from './fleet.js';
import { makeDeployment, makeExecution, modelDetails, predictorDetails, type ItemSeed } from './items.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from './time.js';

const TEAM = 'ext.ai.sap.com/team';
const ENV = 'ext.ai.sap.com/env';

/** Scenario, executable and configuration of one workload, shared by its items. */
function workload(scenarioId: string, executableId: string, configurationId: string, configurationName: string) {
  return { scenarioId, executableId, configurationId, configurationName };
}

const CHURN_TRAIN = workload('dev-churn-model', 'churn-training', 'cfg-churn-train-v3', 'churn training, nightly data');
const CHURN_SERVE = workload('dev-churn-model', 'churn-serving', 'cfg-churn-serve-v3', 'churn model server (dev)');
const IMAGES = workload('dev-image-classifier', 'image-training', 'cfg-images-gpu', 'image classifier on train.l');
const RECSYS = workload('dev-recsys', 'recsys-serving', 'cfg-recsys-serve', 'recommender server (dev)');
const FORECAST = workload('prod-forecast', 'forecast-training', 'cfg-forecast-weekly', 'weekly demand forecast');
const FRAUD = workload('prod-fraud-detection', 'fraud-serving', 'cfg-fraud-serve-v12', 'fraud scoring (prod)');
const FRAUD_TRAIN = workload('prod-fraud-detection', 'fraud-training', 'cfg-fraud-train-v12', 'fraud model retraining');
const GPT = workload('foundation-models', 'azure-openai', 'cfg-gpt-4o', 'gpt-4o for the support bot');
const ORCH = workload('orchestration', 'orchestration', 'cfg-orchestration', 'orchestration service');

/**
 * The demo fleet: ~20 items in `team-a`, `team-b` and `prod-serving`.
 *
 * @example
 * const sim = await startSimulator({ fleet: demoFleet(new Date()) });
 */
function demoFleet(now: Date): SimulatorFleet {
  const t = now.getTime();
  const at = (ageMs: number) => t - ageMs;
  const item = (
    id: string,
    status: string,
    createdAtMs: number | null,
    w: ReturnType<typeof workload>,
    more: Partial<ItemSeed> = {},
  ): ItemSeed => ({
    id,
    status,
    createdAtMs,
    ...w,
    ...more,
  });
  return {
    resourceGroups: [
      { resourceGroupId: 'team-a', labels: [{ key: TEAM, value: 'a' }] },
      { resourceGroupId: 'team-b', labels: [{ key: TEAM, value: 'b' }] },
      {
        resourceGroupId: 'prod-serving',
        labels: [
          { key: TEAM, value: 'b' },
          { key: ENV, value: 'prod' },
        ],
      },
    ],
    executions: {
      'team-a': [
        makeExecution(item('e-churn-stale-30h', 'RUNNING', at(30 * HOUR_MS), CHURN_TRAIN)), // stale → stop
        makeExecution(item('e-images-stale-3d', 'RUNNING', at(3 * DAY_MS), IMAGES), { executionScheduleId: 'sched-images-nightly' }), // stale, from a schedule → stop
        makeExecution(item('e-churn-fresh-2h', 'RUNNING', at(2 * HOUR_MS), CHURN_TRAIN)), // fresh → kept
        makeExecution(item('e-churn-done-9d', 'COMPLETED', at(9 * DAY_MS), CHURN_TRAIN)), // finished, old → delete
        makeExecution(
          item('e-images-dead-12d', 'DEAD', at(12 * DAY_MS), IMAGES, { ranForMs: 5 * MINUTE_MS, statusMessage: 'Pod OOMKilled' }),
        ), // → delete
        makeExecution(item('e-churn-done-2d', 'COMPLETED', at(2 * DAY_MS), CHURN_TRAIN)), // finished, young → kept
        makeExecution(item('e-images-stopping', 'STOPPING', at(26 * HOUR_MS), IMAGES)), // on its way → wait
        makeExecution(item('e-churn-no-dates', 'RUNNING', null, CHURN_TRAIN)), // no timestamps → unknown never acts
      ],
      'team-b': [
        makeExecution(item('e-forecast-running-26h', 'RUNNING', at(26 * HOUR_MS), FORECAST)), // stale but prod-* → protected
        makeExecution(item('e-images-stopped-20d', 'STOPPED', at(20 * DAY_MS), IMAGES)), // → delete
        makeExecution(item('e-churn-done-30d', 'COMPLETED', at(30 * DAY_MS), CHURN_TRAIN)), // → delete
      ],
      'prod-serving': [
        makeExecution(item('e-fraud-retrain-15d', 'COMPLETED', at(15 * DAY_MS), FRAUD_TRAIN, { ranForMs: 3 * HOUR_MS })), // prod-* → protected
      ],
    },
    deployments: {
      'team-a': [
        makeDeployment(item('d-churn-running-5d', 'RUNNING', at(5 * DAY_MS), CHURN_SERVE), {
          details: predictorDetails('infer.s', 1, 2, 1),
        }), // → stop
        makeDeployment(item('d-churn-stopped-6d', 'STOPPED', at(6 * DAY_MS), CHURN_SERVE, { ranForMs: 2 * DAY_MS }), {
          details: predictorDetails('infer.s', 1, 1, 0),
        }), // → delete
        makeDeployment(item('d-churn-running-1d', 'RUNNING', at(1 * DAY_MS), CHURN_SERVE), {
          details: predictorDetails('starter', 1, 1, 1),
          ttl: '7d',
        }), // young → kept
        makeDeployment(item('d-gpt4o-support', 'RUNNING', at(40 * DAY_MS), GPT), { details: modelDetails('gpt-4o', '2024-08-06') }), // generative AI → protected
      ],
      'team-b': [
        makeDeployment(item('d-recsys-unknown-4d', 'UNKNOWN', at(4 * DAY_MS), RECSYS), { details: predictorDetails('infer.m', 1, 1, 0) }), // UNKNOWN is deletable → delete
        makeDeployment(item('d-orchestration', 'RUNNING', at(60 * DAY_MS), ORCH), { details: modelDetails('orchestration', '0.108.0') }), // generative AI → protected
      ],
      'prod-serving': [
        makeDeployment(item('d-fraud-running-90d', 'RUNNING', at(90 * DAY_MS), FRAUD), { details: predictorDetails('infer.l', 2, 4, 3) }), // prod-* → protected
        makeDeployment(item('d-fraud-stopped-10d', 'STOPPED', at(10 * DAY_MS), FRAUD, { ranForMs: 1 * DAY_MS }), {
          details: predictorDetails('infer.l', 2, 4, 0),
        }), // prod-* → protected
      ],
    },
    // Hot spares someone reserved for the fraud model's peaks: standing cost the digest reports.
    warmNodes: { 'infer.l': { provisioned: 2, requested: 2 }, 'infer.s': { provisioned: 0, requested: 1 } },
  };
}

export { demoFleet };
