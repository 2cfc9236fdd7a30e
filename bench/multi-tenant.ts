/**
 * Multi-tenant bench: the deployed definition (infra/janitor.asl.json) run by aws-local-stepfunctions
 * with the real step handlers (test/stepfunctions/local-machine.ts), over T tenants × G groups × N
 * items, each tenant on its own simulator with 20 ms injected on every request, one dynalite table
 * for the estate. Reports wall time, AI Core requests per tenant (and by method: the floor is one
 * bulk PATCH per ≤100 stops or deletes per type and group plus the listings), DynamoDB requests
 * and peak RSS. docs/SCALE.md scales these figures up.
 *
 * A tenant's simulator (and its generated fleet) exists only while that tenant runs: it starts when a
 * step first asks for the tenant's service key and stops when the tenant's Digest has run, keeping
 * only its request counts. The state machine runs at most MaxConcurrency tenants at once, so the
 * simulators' memory follows that bound, not the estate (100 tenants × 50 groups × 1,000 items would
 * otherwise hold 5 million simulated items, about 5 GB, at once). The dynalite table keeps every
 * tenant's records, as the deployed table does.
 *
 * Part of `npm run bench` (bench/run.ts: 10 × 50 × 1,000; `--full` 100 × 50 × 1,000);
 * standalone: `node --import tsx bench/multi-tenant.ts [TENANTS GROUPS ITEMS_PER_GROUP]` (default 3 10 200).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { AiCoreClient } from '../lib/aicore/client.js';
import { benchPolicy } from './fleet.js';
import { TokenCache } from '../lib/aicore/token.js';
import { parseServiceKey } from '../lib/aicore/credentials.js';
import { tenantNamespace } from '../lib/aicore/tenant.js';
import { Transport } from '../lib/aicore/transport.js';
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

/** One tenant's AI Core requests, as its simulator counted them. */
interface TenantRequests {
  total: number;
  /** By route, e.g. `POST /oauth/token`, `GET /v2/lm/meta`, `PATCH /v2/lm/executions`. */
  byRoute: Record<string, number>;
  /** The fewest requests for this tenant's work (see {@link optimumOf}). */
  optimum: number;
}

interface MultiTenantResult {
  tenants: number;
  groups: number;
  itemsPerGroup: number;
  items: number;
  wallSeconds: number;
  perTenant: TenantRequests[];
  actions: number;
  storeRequests: number;
  peakRssMb: number;
  /** Most tenant simulators alive at once (the state machine's MaxConcurrency bounds it). */
  peakLiveTenants: number;
  status: string;
}

const PAGE_SIZE = 10_000;
const CHUNK = 100;

/**
 * Issue 13's optimum for one tenant: one token, one meta, ⌈groups ÷ page⌉ resource-group pages, per
 * type and group ⌈items ÷ page⌉ listings, ⌈actions ÷ 100⌉ PATCHes and one confirming listing where
 * actions were submitted, plus the one warm-nodes read of the tenant's report (issue 17). `actions`
 * per type and group are the items the PATCHes carried (every planned action is sent once and
 * confirmed in this bench).
 */
function optimumOf(groups: number, listedPerTypeAndGroup: readonly number[], actionsPerTypeAndGroup: readonly number[]): number {
  const lists = listedPerTypeAndGroup.reduce((n, items) => n + Math.max(1, Math.ceil(items / PAGE_SIZE)), 0);
  const patches = actionsPerTypeAndGroup.reduce((n, a) => n + Math.ceil(a / CHUNK), 0);
  const confirms = actionsPerTypeAndGroup.filter((a) => a > 0).length;
  return 3 + Math.max(1, Math.ceil(groups / PAGE_SIZE)) + lists + patches + confirms;
}

/** Counts a finished tenant's requests from its simulator's log, against the optimum. */
function tenantRequests(sim: RunningSimulator, groups: number, perGroup: number): TenantRequests {
  const byRoute: Record<string, number> = {};
  const actions = new Map<string, number>();
  for (const e of sim.requests.entries) {
    byRoute[e.route] = (byRoute[e.route] ?? 0) + 1;
    const items = typeof e.body === 'object' && e.body !== null ? Object.values(e.body).find(Array.isArray) : undefined;
    if (e.method === 'PATCH' && items !== undefined) {
      const key = `${e.route} ${e.group ?? ''}`;
      actions.set(key, (actions.get(key) ?? 0) + items.length);
    }
  }
  // Each group's items are split between the two types; a listing page holds far more than a group.
  const listed = Array.from({ length: groups * 2 }, () => perGroup / 2);
  return { total: sim.requests.entries.length, byRoute, optimum: optimumOf(groups, listed, [...actions.values()]) };
}

async function benchMultiTenant(tenants: number, groups: number, perGroup: number): Promise<MultiTenantResult> {
  const now = new Date();
  const dynamo = await startDynalite();
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  const names = Array.from({ length: tenants }, (_, i) => `tenant-${String(i).padStart(3, '0')}`);
  const live = new Map<string, Promise<RunningSimulator>>();
  const finished = new Map<string, TenantRequests>();
  let peakLiveTenants = 0;
  /** The tenant's simulator, started on first use (its fleet generated then, from the tenant's seed). */
  const simulatorOf = (name: string): Promise<RunningSimulator> => {
    if (finished.has(name)) return Promise.reject(new Error(`${name} already finished: its simulator is gone`));
    let sim = live.get(name);
    if (sim === undefined) {
      sim = startSimulator({
        fleet: generateFleet({ seed: names.indexOf(name) + 1, items: groups * perGroup, groups, now }),
        faults: { routes: { '*': { latencyMs: LATENCY_MS } } },
      });
      live.set(name, sim);
      peakLiveTenants = Math.max(peakLiveTenants, live.size);
    }
    return sim;
  };
  const finish = async (name: string): Promise<void> => {
    const sim = live.get(name);
    if (sim === undefined) return;
    live.delete(name);
    const running = await sim;
    finished.set(name, tenantRequests(running, groups, perGroup));
    await running.stop();
  };
  try {
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
    const file = parseTenants(
      JSON.stringify({ version: 1, tenants: names.map((name) => ({ name, secretId: `bench/${name}`, limits: { groupConcurrency: 4 } })) }),
      'bench-tenants.json',
    );
    const policy = benchPolicy(POLICY);
    // One process is one warm container: its tasks share tokens as a deployed container's do.
    const tokens = new TokenCache();
    const deps: StepDeps = {
      tenants: () => Promise.resolve(file),
      serviceKey: async (tenant) => parseServiceKey(JSON.stringify((await simulatorOf(tenant.name)).serviceKey), tenant.secretId),
      store: (key) => new DynamoStore(client, location.table, tenantNamespace(key)),
      policy: () => Promise.resolve(policy),
      client: (key, deadline) => new AiCoreClient(key, { transport: new Transport({ deadline: () => deadline.getTime() }), tokens }),
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
    const pending: Promise<void>[] = [];
    const started = performance.now();
    const output = await runLocally(deps, input, {
      // A tenant is done once its Digest has run: its simulator goes, its counts stay.
      onTask: (task, taskInput) => {
        const tenant = typeof taskInput === 'object' && taskInput !== null && 'tenant' in taskInput ? taskInput.tenant : undefined;
        if (task === 'Digest' && typeof tenant === 'string') pending.push(finish(tenant));
      },
    });
    const wallSeconds = (performance.now() - started) / 1000;
    const summary = EstateSummary.parse(output);
    await Promise.all(pending);
    for (const name of [...live.keys()]) await finish(name);
    return {
      tenants,
      groups,
      itemsPerGroup: perGroup,
      items: tenants * groups * perGroup,
      wallSeconds,
      perTenant: names.map((name) => finished.get(name) ?? { total: 0, byRoute: {}, optimum: 0 }),
      actions: summary.totals.planned,
      storeRequests,
      peakRssMb: Math.round(peakRss / 2 ** 20),
      peakLiveTenants,
      status: summary.status,
    };
  } finally {
    clearInterval(sampler);
    await Promise.allSettled([...[...live.values()].map(async (s) => (await s).stop()), dynamo.stop()]);
  }
}

/** Smallest, median and largest of a list (the list is small: one entry per tenant). */
function spread(values: readonly number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))] ?? 0;
  return sorted.length === 0 ? 'n/a' : at(0) === at(1) ? String(at(0)) : `${at(0)} / ${at(0.5)} / ${at(1)}`;
}

/** Requests by route summed over tenants, e.g. `POST /oauth/token 101`. */
function routesOf(r: MultiTenantResult): string {
  const sums: Record<string, number> = {};
  for (const t of r.perTenant) for (const [route, n] of Object.entries(t.byRoute)) sums[route] = (sums[route] ?? 0) + n;
  return Object.entries(sums)
    .sort((a, b) => b[1] - a[1])
    .map(([route, n]) => `${route} ${n.toLocaleString('en')}`)
    .join(', ');
}

function describeResult(r: MultiTenantResult): string {
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
  return [
    `${r.tenants} tenants × ${r.groups} groups × ${r.itemsPerGroup} items = ${r.items} items at ${LATENCY_MS} ms per request: ${r.wallSeconds.toFixed(1)} s wall, status ${r.status}`,
    `  AI Core requests per tenant (min / median / max): ${spread(r.perTenant.map((t) => t.total))}; optimum ${spread(r.perTenant.map((t) => t.optimum))}; ${r.actions} actions planned`,
    `  by route, all tenants: ${routesOf(r)}`,
    `  DynamoDB requests: ${r.storeRequests} (${(r.storeRequests / Math.max(1, r.tenants * r.groups)).toFixed(1)} per group run); peak RSS ${r.peakRssMb} MB (at most ${r.peakLiveTenants} tenant simulators at once); ${(sum(r.perTenant.map((t) => t.total)) / r.wallSeconds).toFixed(0)} AI Core req/s`,
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1] ?? ''}`) {
  const [t = 3, g = 10, n = 200] = process.argv.slice(2).map(Number);
  console.log(describeResult(await benchMultiTenant(t, g, n)));
}

export { benchMultiTenant, describeResult, routesOf, spread, LATENCY_MS };
export type { MultiTenantResult };
