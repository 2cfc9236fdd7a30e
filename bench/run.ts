/**
 * `npm run bench`: how fast the janitor plans and applies, measured on this machine against the
 * local simulator, written to docs/BENCHMARKS.md. Speed targets live here, never in timed tests.
 */
import { writeFile } from 'node:fs/promises';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { AiCoreClient } from '../lib/aicore/client.js';
import { evaluate, NO_OBSERVATIONS, parsePolicy, type Policy } from '../lib/policy/index.js';
import { isResource, parseResource, type Fleet } from '../lib/resources.js';
import { runJanitor } from '../lib/run/run.js';
import { startLocalStack } from '../infra/local/stack.js';
import { generateFleet, type FaultConfig, type SimulatorFleet } from '../infra/local/simulator/index.js';
import { createStore } from '../lib/store/factory.js';
import { APPLY_LATENCY_MS, benchApply10k } from './apply-10k.js';

const NOW = new Date();

/** The example policy's rules with caps wide open, so the numbers measure work, not aborts. */
const POLICY = `
version: 1
mode: apply
caps: { maxActionsPerRun: 1000000, maxActionsPerGroup: 1000000, maxActionsPerDay: 1000000 }
protect: { scenarios: ['prod-*'] }
rules:
  - { id: stale-runs, resource: executions, match: { all: [ { status: [RUNNING] }, { olderThan: { field: startTime, age: 24h } } ] }, action: stop }
  - { id: finished-runs, resource: executions, match: { all: [ { status: [COMPLETED, DEAD, STOPPED] }, { olderThan: { field: completionTime, age: 7d } } ] }, action: delete }
  - { id: dev-deployments, resource: deployments, match: { all: [ { scenario: 'dev-*' }, { olderThan: { field: createdAt, age: 3d } } ] }, action: stop-then-delete }
`;

function policy(): Policy {
  const parsed = parsePolicy(POLICY, 'bench-policy.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.policy;
}

function toFleet(sim: SimulatorFleet): Fleet {
  return sim.resourceGroups.map((g) => {
    const group = g.resourceGroupId;
    const raw = [
      ...(sim.executions[group] ?? []).map((item) => parseResource('executions', group, item)),
      ...(sim.deployments[group] ?? []).map((item) => parseResource('deployments', group, item)),
    ];
    return { group, labels: {}, resources: raw.filter(isResource), unparseable: [], listingError: null };
  });
}

function ms(start: number): number {
  return Math.round((performance.now() - start) * 10) / 10;
}

async function benchEvaluate(items: number): Promise<string> {
  const fleet = toFleet(generateFleet({ seed: 1, items, groups: 20, now: NOW }));
  const p = policy();
  evaluate({ fleet, policy: p, now: NOW, observations: NO_OBSERVATIONS }); // warm-up
  const runs = 5;
  const start = performance.now();
  let actions = 0;
  for (let i = 0; i < runs; i += 1) actions = evaluate({ fleet, policy: p, now: NOW, observations: NO_OBSERVATIONS }).totals.stop;
  const each = ms(start) / runs;
  return `| evaluate (pure) | ${items.toLocaleString('en')} items, 20 groups | ${each.toFixed(1)} ms | ${Math.round(items / (each / 1000)).toLocaleString('en')} items/s | ${actions} stops planned |`;
}

async function benchRun(items: number, label: string, faults?: FaultConfig): Promise<string> {
  const stack = await startLocalStack({ simulator: { fleet: generateFleet({ seed: 2, items, groups: 20, now: NOW }), ...(faults === undefined ? {} : { faults, seed: 3 }) } });
  try {
    // DynamoStore (what the Lambda uses) against the stack's in-process dynalite: not the CLI's LevelDB state.
    const store = createStore({ table: stack.table, region: 'us-east-1', endpoint: stack.dynamo.endpoint }, 'T#bench@127.0.0.1');
    const client = new AiCoreClient(stack.simulator.serviceKey);
    const start = performance.now();
    const report = await runJanitor({ client, store, policy: policy(), trigger: 'bench', consent: true, runId: `bench-${items}`, confirm: { attempts: 1, delayMs: 0 } });
    const elapsed = ms(start);
    const counts = stack.simulator.requests.counts();
    const lists = (counts['GET /v2/lm/executions'] ?? 0) + (counts['GET /v2/lm/deployments'] ?? 0);
    const patches = (counts['PATCH /v2/lm/executions'] ?? 0) + (counts['PATCH /v2/lm/deployments'] ?? 0);
    const throttled = stack.simulator.requests.entries.filter((e) => e.status === 429).length;
    const t = report.totals;
    const unfinished = [t.awaitingConfirmation > 0 ? `${t.awaitingConfirmation} awaiting confirmation` : '', t.failed > 0 ? `${t.failed} failed` : '', t.notAttempted > 0 ? `${t.notAttempted} not attempted` : ''].filter((part) => part !== '');
    return `| plan + apply + confirm, in-process runJanitor, dynalite store${label} | ${items.toLocaleString('en')} items, 20 groups | ${(elapsed / 1000).toFixed(2)} s | ${t.confirmed}/${t.planned} confirmed${unfinished.length > 0 ? ` (${unfinished.join(', ')})` : ''} | ${lists} list, ${patches} bulk PATCH, ${report.apiCalls} API calls, ${throttled} × 429; ${report.storeRequests} store requests (dynalite) |`;
  } finally {
    await stack.stop();
  }
}

const rows = [
  await benchEvaluate(1_000),
  await benchEvaluate(10_000),
  await benchEvaluate(50_000),
  await benchRun(2_000, ''),
  await benchRun(10_000, ''),
  await benchRun(2_000, ', server rate limit 20 req/s', { routes: { '*': { rateLimit: { capacity: 10, refillPerSecond: 20 }, retryAfterSeconds: 1 } } }),
];

// Separate OS processes (simulator, janitor CLI, SAP-sample baseline): see bench/apply-10k.ts.
const apply10k = await benchApply10k();

const doc = `# Benchmarks

Measured by \`npm run bench\` (bench/run.ts) on ${NOW.toISOString().slice(0, 10)}: Node ${process.version},
${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}.

In the table below, \`runJanitor\` runs inside the bench process, and the AI Core simulator and dynalite
run in that same process on loopback, so HTTP latency is near zero: the end-to-end rows show the janitor's
own cost and request counts, not a real tenant's latency (expect one round trip of 100–300 ms per request
there; listing uses pages of 10,000 and updates bulk PATCHes of 100). Their store is DynamoStore (what the
Lambda uses) against that in-process dynalite, not the CLI's local LevelDB state; "store requests" is the
report's \`storeRequests\`. The reference section after the table is different: the simulator, the janitor
CLI (with its LevelDB state) and SAP's sample each run as separate OS processes, with ${APPLY_LATENCY_MS} ms added to every
request.

| what | size | time | throughput / result | requests |
|---|---|---|---|---|
${rows.join('\n')}

Targets (not enforced by tests): evaluating 10,000 items in under 1 s; a 10,000-item tenant planned and
applied with one list request per 10,000 items per type (plus one re-listing to confirm) and one PATCH per 100 actions per type and group.

${apply10k.markdown}`;
await writeFile('docs/BENCHMARKS.md', doc);
process.stdout.write(doc);
