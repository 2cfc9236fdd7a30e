/**
 * Just the bench's evaluate section, for profiling the policy engine on its own:
 *   node --expose-gc --import tsx bench/evaluate-only.ts [items] [runs]
 * Same generator, policy and fleet shape as bench/run.ts; prints median time, heap growth and the
 * plan hash (which must not change when the engine is optimised).
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { generateFleet } from '../infra/local/simulator/index.js';
import { evaluate, NO_OBSERVATIONS, parsePolicy, type Policy } from '../lib/policy/index.js';
import { toFleet } from './fleet.js';
import { median } from './startup.js';

const NOW = new Date('2026-03-01T12:00:00Z');
const items = Number(process.argv[2] ?? 100_000);
const runs = Number(process.argv[3] ?? 7);

function examplePolicy(): Policy {
  const parsed = parsePolicy(readFileSync(new URL('../examples/policy.yaml', import.meta.url), 'utf8'), 'policy.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const open = { maxActionsPerRun: 1_000_000, maxActionsPerGroup: 1_000_000, maxActionsPerDay: 1_000_000 };
  return { ...parsed.policy, mode: 'apply', caps: { ...parsed.policy.caps, ...open } };
}

const gc = (globalThis as { gc?: () => void }).gc;
const fleet = toFleet(generateFleet({ seed: 1, items, groups: 20, now: NOW }));
const policy = examplePolicy();
const input = { fleet, policy, now: NOW, observations: NO_OBSERVATIONS };
const first = evaluate(input);
let heapMb: number | null = null;
if (gc !== undefined) {
  gc();
  const before = process.memoryUsage().heapUsed;
  const kept = evaluate(input);
  gc();
  heapMb = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
  if (kept.hash !== first.hash) throw new Error('evaluate() is not deterministic');
}
const times: number[] = [];
const cpuTimes: number[] = [];
for (let i = 0; i < runs; i += 1) {
  const start = performance.now();
  const cpu = process.cpuUsage();
  evaluate(input);
  const used = process.cpuUsage(cpu);
  times.push(performance.now() - start);
  cpuTimes.push((used.user + used.system) / 1000);
}
process.stdout.write(
  `${items} items: median ${median(times).toFixed(1)} ms (min ${Math.min(...times).toFixed(1)}; CPU median ${median(cpuTimes).toFixed(1)} ms), heap growth ${heapMb === null ? 'n/a' : heapMb.toFixed(1)} MB, ` +
    `stop ${first.totals.stop} delete ${first.totals.delete} skipped ${first.totals.skipped}, hash ${first.hash}\n`,
);
