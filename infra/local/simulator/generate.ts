/**
 * Seeded fleets of any size for load, paging and property tests: a realistic mix of statuses, ages
 * from minutes to weeks, generative-AI and classic deployments, schedules and TTLs. The same
 * options always give the same fleet.
 */
import type { Deployment, Execution } from '../../../lib/resources.js';
import type { SimulatorFleet } from './fleet.js';
import { makeDeployment, makeExecution, modelDetails, predictorDetails } from './items.js';
import { Prng } from './prng.js';
import { DAY_MS, MINUTE_MS } from './time.js';

interface GenerateOptions {
  seed: number;
  /** Total executions plus deployments. */
  items: number;
  /** Number of resource groups (default 3); the first is `default`. */
  groups?: number;
  /** Ages are relative to this instant. */
  now: Date;
}

interface Scenario {
  id: string;
  executables: readonly string[];
  genAi: boolean;
}

const SCENARIOS: readonly Scenario[] = [
  { id: 'dev-churn-model', executables: ['churn-training', 'churn-serving'], genAi: false },
  { id: 'dev-image-classifier', executables: ['image-training', 'image-serving'], genAi: false },
  { id: 'prod-fraud-detection', executables: ['fraud-training', 'fraud-serving'], genAi: false },
  { id: 'prod-forecast', executables: ['forecast-training', 'forecast-serving'], genAi: false },
  { id: 'text-classification', executables: ['tc-training', 'tc-serving'], genAi: false },
  { id: 'foundation-models', executables: ['azure-openai', 'aws-bedrock', 'gcp-vertexai'], genAi: true },
  { id: 'orchestration', executables: ['orchestration'], genAi: true },
];

const MODELS = [
  ['gpt-4o', '2024-08-06'],
  ['gpt-4o-mini', '2024-07-18'],
  ['anthropic--claude-3.5-sonnet', '1'],
  ['gemini-1.5-pro', '002'],
] as const;

const PLANS = ['starter', 'basic', 'infer.s', 'infer.m', 'infer.l', 'train.l'] as const;
const TEAMS = ['a', 'b', 'c', 'd'] as const;

const EXECUTION_STATUSES = [
  ['COMPLETED', 40],
  ['RUNNING', 20],
  ['DEAD', 12],
  ['STOPPED', 10],
  ['PENDING', 6],
  ['STOPPING', 4],
  ['UNKNOWN', 4],
] as const;
const DEPLOYMENT_STATUSES = [
  ['RUNNING', 45],
  ['STOPPED', 20],
  ['DEAD', 10],
  ['UNKNOWN', 8],
  ['PENDING', 7],
  ['STOPPING', 5],
] as const;

/** Log-uniform age between 5 minutes and 6 weeks: many young items, a long tail of forgotten ones. */
function age(random: Prng): number {
  const min = Math.log(5 * MINUTE_MS);
  const max = Math.log(42 * DAY_MS);
  return Math.round(Math.exp(min + random.next() * (max - min)));
}

/**
 * A seeded fleet.
 *
 * @example
 * const fleet = generateFleet({ seed: 42, items: 5000, groups: 10, now: new Date() });
 */
function generateFleet(options: GenerateOptions): SimulatorFleet {
  const random = new Prng(options.seed);
  const now = options.now.getTime();
  const groupCount = Math.max(1, options.groups ?? 3);
  const groupIds = Array.from({ length: groupCount }, (_, i) => (i === 0 ? 'default' : `rg-${random.hex(8)}`));
  const fleet: SimulatorFleet = {
    resourceGroups: groupIds.map((id, i) => ({
      resourceGroupId: id,
      labels: [
        { key: 'ext.ai.sap.com/team', value: TEAMS[i % TEAMS.length] ?? 'a' },
        ...(i > 0 && i % 3 === 0 ? [{ key: 'ext.ai.sap.com/env', value: 'prod' }] : []),
      ],
    })),
    executions: {},
    deployments: {},
  };
  const schedules = Array.from({ length: 3 }, () => random.hex(16));
  for (let n = 0; n < options.items; n += 1) {
    const group = random.pick(groupIds);
    const scenario = random.pick(SCENARIOS);
    const executableId = random.pick(scenario.executables);
    const configIndex = random.int(1, 3);
    const common = {
      id: random.hex(16),
      createdAtMs: now - age(random),
      scenarioId: scenario.id,
      executableId,
      configurationId: `${scenario.id.slice(0, 40)}-cfg-${configIndex}`,
      configurationName: `${executableId} configuration ${configIndex}`,
      ranForMs: random.int(2, 240) * MINUTE_MS,
    };
    // Generative-AI scenarios only have deployments, as on AI Core.
    if (!scenario.genAi && random.chance(0.6)) {
      const status = random.weighted(EXECUTION_STATUSES);
      const item: Execution = makeExecution(
        { ...common, status },
        { executionScheduleId: random.chance(0.15) ? random.pick(schedules) : null },
      );
      fleet.executions[group] ??= [];
      fleet.executions[group].push(item);
    } else {
      const status = random.weighted(DEPLOYMENT_STATUSES);
      const running = status === 'RUNNING' ? random.int(1, 3) : 0;
      const [model, version] = random.pick(MODELS);
      const details = scenario.genAi
        ? modelDetails(model, version)
        : predictorDetails(random.pick(PLANS), 1, Math.max(1, running), running);
      const ttl = random.chance(0.2) ? random.pick(['90m', '24h', '7d', '30d']) : null;
      const item: Deployment = makeDeployment({ ...common, status }, { details, ttl });
      fleet.deployments[group] ??= [];
      fleet.deployments[group].push(item);
    }
  }
  return fleet;
}

export { generateFleet };
export type { GenerateOptions };
