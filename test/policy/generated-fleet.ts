/**
 * A seeded, varied fleet for the pinned-plan test: every field a condition or protection reads is
 * sometimes present, sometimes missing and sometimes unreadable, so a change to how the engine
 * evaluates shows up as a different plan. Independent of infra/ (policy tests need only lib/).
 */
import type { Deployment, Execution, GroupFleet, Resource } from '../../lib/resources.js';

/** mulberry32: a small deterministic PRNG, so a seed always gives the same fleet. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const STATUSES = ['RUNNING', 'RUNNING', 'PENDING', 'COMPLETED', 'DEAD', 'STOPPED', 'STOPPING', 'UNKNOWN', 'PAUSED'];
const SCENARIOS = ['dev-training', 'dev-serving', 'prod-chat', 'foundation-models', 'orchestration', 'research', ''];
const TARGETS = [null, null, null, 'COMPLETED', 'STOPPED', 'DELETED'];

interface GeneratedFleetOptions {
  seed: number;
  items: number;
  groups: number;
  now: Date;
}

/** `items` items spread over `groups` groups; the last group (of more than 3) failed to list. */
function generatedFleet(options: GeneratedFleetOptions): GroupFleet[] {
  const random = prng(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const nowMs = options.now.getTime();
  /** A timestamp: usually an instant up to 40 days ago, sometimes missing, zone-less or in the future. */
  const instant = (): string | null | undefined => {
    const roll = random();
    if (roll < 0.05) return null;
    if (roll < 0.07) return undefined;
    if (roll < 0.08) return '2026-01-01 00:00';
    const at = new Date(nowMs - Math.floor((random() * 41 - 1) * 86_400_000));
    return at.toISOString().replace(/\.\d{3}Z$/, 'Z');
  };
  const groups: GroupFleet[] = Array.from({ length: options.groups }, (_, i) => ({
    group: i === 0 ? 'default' : `rg-${String(i).padStart(3, '0')}`,
    labels: {
      'ext.ai.sap.com/team': pick(['a', 'b', 'c']),
      ...(i % 4 === 3 ? { 'ext.ai.sap.com/env': 'prod' } : {}),
      ...(i % 5 === 2 ? { 'ext.ai.sap.com/env': 'dev' } : {}),
    },
    resources: [],
    unparseable: i % 7 === 6 ? [{ type: 'executions', group: `rg-${String(i).padStart(3, '0')}`, id: null, reason: 'id: missing' }] : [],
    listingError: i === options.groups - 1 && options.groups > 3 ? 'HTTP 503' : null,
  }));
  for (let n = 0; n < options.items; n += 1) {
    const g = pick(groups);
    const scenario = pick(SCENARIOS);
    const common = {
      id: `i${n.toString(16).padStart(8, '0')}`,
      status: pick(STATUSES),
      targetStatus: pick(TARGETS),
      statusMessage: null,
      configurationId: random() < 0.05 ? null : `cfg-${Math.floor(random() * 5)}`,
      configurationName: random() < 0.05 ? null : `config ${Math.floor(random() * 5)}`,
      executableId: random() < 0.05 ? null : pick(['train-exe', 'serve-exe', 'batch-exe']),
      scenarioId: scenario === '' ? null : scenario,
      createdAt: instant(),
      modifiedAt: instant(),
      submissionTime: instant(),
      startTime: instant(),
      completionTime: instant(),
    };
    let resource: Resource;
    if (random() < 0.55) {
      const item: Execution = { ...common, executionScheduleId: random() < 0.2 ? 'sched-1' : null };
      resource = { type: 'executions', group: g.group, item };
    } else {
      const running = Math.floor(random() * 3);
      const item: Deployment = {
        ...common,
        deploymentUrl: null,
        ttl: random() < 0.2 ? pick(['90m', '7d']) : null,
        details: {
          resources: { backend_details: { predictor: { resource_plan: pick(['infer.s', 'basic']) } } },
          scaling: { backend_details: { predictor: { running_replicas: running } } },
        },
      };
      resource = { type: 'deployments', group: g.group, item };
    }
    g.resources.push(resource);
  }
  return groups;
}

export { generatedFleet };
export type { GeneratedFleetOptions };
