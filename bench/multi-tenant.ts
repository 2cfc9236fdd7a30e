/**
 * Multi-tenant bench: the deployed definition (infra/janitor.asl.json) run by aws-local-stepfunctions
 * with the real step handlers (test/stepfunctions/local-machine.ts), over T tenants × G groups × N
 * items, each tenant on its own simulator with 20 ms injected on every request, one dynalite table
 * for the estate. Reports wall time, AI Core requests per tenant (and by method: the floor is one
 * bulk PATCH per ≤100 stops or deletes per type and group plus the listings), DynamoDB requests
 * and peak RSS. docs/SCALE.md scales these figures up.
 *
 * `node --import tsx bench/multi-tenant.ts [TENANTS GROUPS ITEMS_PER_GROUP]` (default 3 10 200).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { AiCoreClient } from '../lib/aicore/client.js';
import { parseServiceKey } from '../lib/aicore/credentials.js';
import { tenantNamespace } from '../lib/aicore/tenant.js';
import { Transport } from '../lib/aicore/transport.js';
import { parsePolicy, type Policy } from '../lib/policy/index.js';
import { EstateSummary } from '../lib/run/tenant/summary.js';
import { DynamoStore, ensureTable } from '../lib/store/dynamo.js';
import { dynamoClient } from '../lib/store/factory.js';
import { parseTenants } from '../lib/tenants/load.js';
import { startDynalite } from '../infra/local/dynamodb.js';
import { generateFleet, startSimulator, type RunningSimulator } from '../infra/local/simulator/index.js';
import type { StepDeps } from '../functions/steps/tenant-context.js';
import { runLocally } from '../test/stepfunctions/local-machine.js';

const LATENCY_MS = 20;
const POLICY = `
version: 1
mode: apply
caps: { maxActionsPerRun: 1000000, maxActionsPerGroup: 1000000, maxActionsPerDay: 1000000, maxPercentOfGroup: 100 }
protect: { scenarios: ['prod-*'] }
rules:
  - { id: stale-runs, resource: executions, match: { all: [ { status: [RUNNING] }, { olderThan: { field: startTime, age: 24h } } ] }, action: stop }
  - { id: finished-runs, resource: executions, match: { all: [ { status: [COMPLETED, DEAD, STOPPED] }, { olderThan: { field: completionTime, age: 7d } } ] }, action: delete }
  - { id: dev-deployments, resource: deployments, match: { all: [ { scenario: 'dev-*' }, { olderThan: { field: createdAt, age: 3d } } ] }, action: stop-then-delete }
`;

interface MultiTenantResult {
  tenants: number;
  groups: number;
  itemsPerGroup: number;
  items: number;
  wallSeconds: number;
  aiCoreRequests: number[];
  /** Summed over tenants, by HTTP method. */
  requestsByMethod: Record<string, number>;
  actions: number;
  storeRequests: number;
  peakRssMb: number;
  status: string;
}

function benchPolicy(): Policy {
  const parsed = parsePolicy(POLICY, 'bench-policy.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.policy;
}

/** A tenant's requests by method: GET (token, meta, listings, confirmations), PATCH (bulk, ≤100 items), other. */
function byMethod(sim: RunningSimulator): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of sim.requests.entries) counts[e.method] = (counts[e.method] ?? 0) + 1;
  return counts;
}

async function benchMultiTenant(tenants: number, groups: number, perGroup: number): Promise<MultiTenantResult> {
  const now = new Date();
  const sims: RunningSimulator[] = [];
  const dynamo = await startDynalite();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  try {
    for (let t = 0; t < tenants; t += 1) {
      sims.push(
        await startSimulator({
          fleet: generateFleet({ seed: t + 1, items: groups * perGroup, groups, now }),
          faults: { routes: { '*': { latencyMs: LATENCY_MS } } },
        }),
      );
    }
    const location = { table: 'janitor-bench', region: 'us-east-1', endpoint: dynamo.endpoint };
    const client = dynamoClient(location);
    await ensureTable(client, location.table);
    let storeRequests = 0;
    client.middlewareStack.add(
      (next) => (args) => {
        storeRequests += 1;
        return next(args);
      },
      { step: 'initialize', name: 'benchCounter' },
    );
    const names = sims.map((_, i) => `tenant-${String(i).padStart(3, '0')}`);
    const file = parseTenants(
      JSON.stringify({ version: 1, tenants: names.map((name) => ({ name, secretId: `bench/${name}`, limits: { groupConcurrency: 4 } })) }),
      'bench-tenants.json',
    );
    const keyOf = new Map(names.map((name, i) => [`bench/${name}`, JSON.stringify(sims[i]?.serviceKey)]));
    const policy = benchPolicy();
    const deps: StepDeps = {
      tenants: () => Promise.resolve(file),
      serviceKey: (tenant) => Promise.resolve(parseServiceKey(keyOf.get(tenant.secretId) ?? '', tenant.secretId)),
      store: (key) => new DynamoStore(client, location.table, tenantNamespace(key)),
      policy: () => Promise.resolve(policy),
      client: (key, deadline) => new AiCoreClient(key, { transport: new Transport({ deadline: () => deadline.getTime() }) }),
      clock: () => new Date(),
    };
    const input = {
      runId: `bench-${randomUUID()}`,
      trigger: 'schedule',
      consent: true,
      startedAt: now.toISOString(),
      requirePlanHash: null,
      tenants: file.tenants.map((t) => ({ name: t.name, secretId: t.secretId })),
    };
    const started = performance.now();
    const summary = EstateSummary.parse(await runLocally(deps, input));
    const wallSeconds = (performance.now() - started) / 1000;
    const aiCoreRequests = sims.map((s) => s.requests.entries.length);
    return {
      tenants,
      groups,
      itemsPerGroup: perGroup,
      items: tenants * groups * perGroup,
      wallSeconds,
      aiCoreRequests,
      requestsByMethod: sims.map(byMethod).reduce<Record<string, number>>((acc, m) => {
        for (const [k, v] of Object.entries(m)) acc[k] = (acc[k] ?? 0) + v;
        return acc;
      }, {}),
      actions: summary.totals.planned,
      storeRequests,
      peakRssMb: Math.round(peakRss / 2 ** 20),
      status: summary.status,
    };
  } finally {
    clearInterval(sampler);
    await Promise.allSettled([...sims.map((s) => s.stop()), dynamo.stop()]);
  }
}

function describeResult(r: MultiTenantResult): string {
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  return [
    `${r.tenants} tenants × ${r.groups} groups × ${r.itemsPerGroup} items = ${r.items} items at ${LATENCY_MS} ms per request: ${r.wallSeconds.toFixed(1)} s wall, status ${r.status}`,
    `  AI Core requests per tenant: ${r.aiCoreRequests.join(', ')} (by method, all tenants: ${Object.entries(r.requestsByMethod)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}); ${r.actions} actions planned`,
    `  DynamoDB requests: ${r.storeRequests} (${(r.storeRequests / Math.max(1, r.tenants * r.groups)).toFixed(1)} per group run); peak RSS ${r.peakRssMb} MB; ${(sum(r.aiCoreRequests) / r.wallSeconds).toFixed(0)} AI Core req/s`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const [t = 3, g = 10, n = 200] = process.argv.slice(2).map(Number);
  console.log(describeResult(await benchMultiTenant(t, g, n)));
}

export { benchMultiTenant, describeResult, LATENCY_MS };
export type { MultiTenantResult };
