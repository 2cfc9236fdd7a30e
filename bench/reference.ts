/**
 * Reference benchmark: deletable items in 5 resource groups, applied by the janitor CLI and by SAP's
 * sample approach (bench/baseline-sap-sample.mjs), each as its own OS process against its own fresh
 * simulator process (`aicore-janitor simulator --fleet --faults`, 20 ms added to every request).
 * Scenarios: 10,000 items (REPEATS runs per contender, alternating who goes first; medians), 1,000
 * items, and 10,000 items under server limits of 50 and 200 req/s (token buckets of capacity R
 * refilled at R/s), one run each. Before measuring, the bench builds the CLI bundle (`node
 * scripts/build-cli.js`, what npm's `prepare` runs on `npm install`), so bin/aicore-janitor.js starts
 * from the bundle as it does for a user, not through its tsx fallback.
 *
 * The janitor's local state is an embedded LevelDB database (lib/store/level.ts) in
 * `./.aicore-janitor/state/` of a fresh working directory, opened inside the CLI process: no server,
 * no HTTP, so its store requests are the report's own `storeRequests`. Afterwards the bench lists
 * every group to check what is left.
 *
 * Part of `npm run bench` (bench/run.ts); standalone: `node --import tsx bench/reference.ts`
 * (prints the section, does not rewrite docs/BENCHMARKS.md).
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { makeDeployment, makeExecution } from '../infra/local/simulator/items.js';
import type { SimulatorFleet } from '../infra/local/simulator/fleet.js';
import { REPORT_VERSION } from '../lib/run/report.js';
import {
  CLI,
  ROOT,
  buildCliBundle,
  childEnv,
  cleanupSync,
  measured,
  remainingItems,
  startSimulatorProcess,
  tempDir,
  type HttpCounts,
  type Measured,
} from './processes.js';

const BASELINE = join(ROOT, 'bench', 'baseline-sap-sample.mjs');
const GROUPS = 5;
/** Items per group (half executions, half deployments) of the main scenario. */
const PER_GROUP = 2_000;
const LATENCY_MS = 20;
const DAY_MS = 86_400_000;
/** Runs of the main scenario per contender; BENCH_APPLY_REPEATS overrides it. */
const REPEATS = Math.max(1, Number(process.env.BENCH_APPLY_REPEATS ?? 3));
/** `$top` of the janitor's listings (DEFAULT_CLIENT.pageSize) and the items per bulk PATCH. */
const PAGE_SIZE = 10_000;
const CHUNK = 100;

/** The simulator's faults: 20 ms on every request, and a token bucket of capacity R refilled at R/s. */
function faultsFor(limit: number | null): { routes: Record<string, Record<string, unknown>> } {
  return {
    routes: { '*': { latencyMs: LATENCY_MS, ...(limit === null ? {} : { rateLimit: { capacity: limit, refillPerSecond: limit } }) } },
  };
}

/**
 * The fewest requests that do the job (issue 13): token + meta + one resource-group page + per type
 * and group ⌈items ÷ page size⌉ listings (the answer's `count` says when a listing is done, so no
 * empty page) + ⌈actions ÷ 100⌉ PATCHes + one confirming listing (executions and deployments are
 * separate listings, so one per type and group with submitted actions), plus the one read of warm
 * nodes that the run report's standing cost needs (issue 17). Every item is deletable.
 */
function optimumRequests(perGroup: number): number {
  const perType = perGroup / 2;
  const perTypeAndGroup = perType === 0 ? 1 : Math.ceil(perType / PAGE_SIZE) + Math.ceil(perType / CHUNK) + 1;
  return 4 + GROUPS * 2 * perTypeAndGroup;
}

/** Caps wide open; one delete rule per type, no gracePeriod, so ONE run deletes everything. */
const POLICY = `version: 1
mode: apply
caps: { maxActionsPerRun: 1000000, maxActionsPerGroup: 1000000, maxActionsPerDay: 1000000, maxPercentOfGroup: 100 }
rules:
  - { id: finished-runs, resource: executions, match: { all: [ { status: [COMPLETED, DEAD, STOPPED] }, { olderThan: { field: completionTime, age: 7d } } ] }, action: delete }
  - { id: stopped-deployments, resource: deployments, match: { all: [ { status: [STOPPED] }, { olderThan: { field: modifiedAt, age: 7d } } ] }, action: delete }
`;

// ---------------------------------------------------------------- fleet

interface BenchFleet {
  fleet: SimulatorFleet;
  groups: string[];
  items: number;
  /** STOPPED items: each is a new "first seen STOPPED" observation for a fresh ledger. */
  stopped: number;
}

function buildFleet(nowMs: number, perGroup: number): BenchFleet {
  const groups = Array.from({ length: GROUPS }, (_, g) => `bench-rg-${g + 1}`);
  const fleet: SimulatorFleet = { resourceGroups: groups.map((resourceGroupId) => ({ resourceGroupId })), executions: {}, deployments: {} };
  const statuses = ['COMPLETED', 'DEAD', 'STOPPED'] as const;
  let stopped = 0;
  groups.forEach((group, g) => {
    const executions = [];
    const deployments = [];
    for (let i = 0; i < perGroup / 2; i += 1) {
      // 30–40 days old: far past the built-in 1h minimum age and the rules' 7d.
      const createdAtMs = nowMs - 30 * DAY_MS - i * 600_000;
      const common = {
        createdAtMs,
        scenarioId: 'bench-cleanup',
        configurationId: 'bench-cfg-1',
        configurationName: 'bench configuration 1',
      };
      const status = statuses[i % statuses.length] ?? 'COMPLETED';
      if (status === 'STOPPED') stopped += 1;
      executions.push(makeExecution({ ...common, id: `bx${g + 1}${String(i).padStart(6, '0')}`, status, executableId: 'bench-training' }));
      deployments.push(
        makeDeployment({ ...common, id: `bd${g + 1}${String(i).padStart(6, '0')}`, status: 'STOPPED', executableId: 'bench-serving' }),
      );
      stopped += 1;
    }
    fleet.executions[group] = executions;
    fleet.deployments[group] = deployments;
  });
  return { fleet, groups, items: GROUPS * perGroup, stopped };
}

// ---------------------------------------------------------------- the two contenders

interface Contender {
  run: Measured;
  counts: HttpCounts | null;
  remaining: number | null;
  verifyError: string | null;
}

async function againstFreshSimulator(
  label: string,
  fleetFile: string,
  faultsFile: string,
  groups: readonly string[],
  args: string[],
): Promise<Contender> {
  const simDir = tempDir(`${label}-sim`);
  const workDir = tempDir(label);
  const sim = await startSimulatorProcess(simDir, fleetFile, faultsFile);
  let run: Measured;
  let remaining: number | null = null;
  let verifyError: string | null = null;
  let counts: HttpCounts | null = null;
  try {
    run = await measured(args, workDir, childEnv({ AICORE_SERVICE_KEY: sim.serviceKeyJson }));
    try {
      remaining = await remainingItems(sim.serviceKey, groups);
    } catch (error) {
      verifyError = error instanceof Error ? error.message : String(error);
    }
  } finally {
    counts = await sim.stop();
  }
  return { run, counts, remaining, verifyError };
}

function routeTotal(counts: HttpCounts | null, test: (route: string) => boolean): number | null {
  if (counts === null) return null;
  return Object.entries(counts.routes)
    .filter(([route]) => test(route))
    .reduce((n, [, byStatus]) => n + Object.values(byStatus).reduce((a, b) => a + b, 0), 0);
}

function describeCounts(counts: HttpCounts | null): string {
  if (counts === null) return 'n/a (no counts from the simulator)';
  const lists = routeTotal(counts, (r) => r.startsWith('GET '));
  const patches = routeTotal(counts, (r) => r.startsWith('PATCH /v2/lm/'));
  const deletes = routeTotal(counts, (r) => r.startsWith('DELETE /v2/lm/'));
  const tokens = routeTotal(counts, (r) => r === 'POST /oauth/token');
  const other = counts.total - (lists ?? 0) - (patches ?? 0) - (deletes ?? 0) - (tokens ?? 0);
  const parts = [
    `${lists} GET`,
    ...(patches ? [`${patches} PATCH`] : []),
    ...(deletes ? [`${deletes} DELETE`] : []),
    `${tokens} token`,
    ...(other > 0 ? [`${other} other`] : []),
  ];
  return `${counts.total.toLocaleString('en')} (${parts.join(', ')})`;
}

const seconds = (ms: number | null): string => (ms === null ? 'n/a' : `${(ms / 1000).toFixed(2)} s`);
const mark = (ok: boolean | null): string => (ok === null ? 'n/a' : ok ? '**pass**' : '**miss**');
const ratio = (r: number | null): string => (r === null ? 'n/a' : `${r.toFixed(2)}×`);

/** Median of the known values (mean of the middle two for an even count); null if none is known. */
function median(values: readonly (number | null)[]): number | null {
  const known = values.filter((v): v is number => v !== null).sort((a, b) => a - b);
  if (known.length === 0) return null;
  const mid = Math.floor(known.length / 2);
  const upper = known[mid] ?? null;
  const lower = known[mid - 1] ?? null;
  if (upper === null) return null;
  return known.length % 2 === 1 || lower === null ? upper : (lower + upper) / 2;
}

function quotient(a: number | null, b: number | null): number | null {
  return a === null || b === null || b <= 0 ? null : a / b;
}

/** One text when every run gave the same, else each run's, in run order. */
function sameOrEach(texts: readonly string[]): string {
  const first = texts[0] ?? 'n/a';
  return texts.every((t) => t === first)
    ? texts.length > 1
      ? `${first} (every run)`
      : first
    : texts.map((t, i) => `run ${i + 1}: ${t}`).join('; ');
}

function failureNote(label: string, c: Contender): string[] {
  const notes: string[] = [];
  if (c.run.code !== 0)
    notes.push(
      `${label} exited with ${c.run.code ?? c.run.signal}: ${(c.run.stderr.trim().split('\n').slice(-3).join(' / ') || '(no stderr)').slice(0, 400)}`,
    );
  if (c.verifyError !== null) notes.push(`${label}: could not list the groups afterwards: ${c.verifyError}`);
  return notes;
}

/** The parts of the CLI's `--json` report (version 2) the bench reads. */
interface JanitorReport {
  version?: number;
  complete?: boolean;
  totals?: { planned?: number; sent?: number; confirmed?: number; awaitingConfirmation?: number; failed?: number; notAttempted?: number };
  apiCalls?: number;
  /** Every store request of the run: ledger, observations, trigger record, run lock, run record. */
  storeRequests?: number;
}

interface BaselineStats {
  groups: number;
  listed: number;
  deleteAttempts: number;
  deleted2xx: number;
  failed: number;
  sdkCalls: number;
  firstError: string | null;
}

interface JanitorRun extends Contender {
  report: JanitorReport | null;
}

interface BaselineRun extends Contender {
  stats: BaselineStats | null;
}

function parseJson<T>(text: string): T | null {
  try {
    return JSON.parse(text) as T;
  } catch {
    const last = text.trim().split('\n').at(-1);
    try {
      return last === undefined ? null : (JSON.parse(last) as T);
    } catch {
      return null;
    }
  }
}

/** Median over a few runs of `node bin/aicore-janitor.js help`: the CLI's own start-up cost (from the bundle). */
async function startupCost(cwd: string): Promise<{ help: Measured; bare: Measured }> {
  const env = childEnv({});
  const medianRun = async (args: string[]): Promise<Measured> => {
    const runs: Measured[] = [];
    for (let i = 0; i < 3; i += 1) runs.push(await measured(args, cwd, env));
    const sorted = runs.sort((a, b) => a.wallMs - b.wallMs);
    const middle = sorted[1] ?? sorted[0];
    if (middle === undefined) throw new Error('no start-up run');
    return middle;
  };
  return { help: await medianRun([CLI, 'help']), bare: await medianRun(['-e', '0']) };
}

interface ReferenceResult {
  /** The markdown section for docs/BENCHMARKS.md (saying what went wrong, if the bench could not run). */
  markdown: string;
  /** Set when the scenario could not run at all (e.g. the simulator did not start). */
  error?: string;
}

interface Scenario {
  perGroup: number;
  /** Token bucket of capacity R refilled at R/s, or none. */
  limit: number | null;
  repeats: number;
}

interface ScenarioRuns {
  scenario: Scenario;
  built: BenchFleet;
  optimum: number;
  janitors: JanitorRun[];
  baselines: BaselineRun[];
}

const count = (n: number | null | undefined): string => (typeof n === 'number' ? n.toLocaleString('en') : 'n/a');
const megabytes = (mb: number | null): string => (mb === null ? 'n/a' : `${mb.toFixed(0)} MB`);

function janitorItems(j: JanitorRun): string {
  const t = j.report?.totals;
  const left = j.remaining === null ? 'remaining n/a' : `${count(j.remaining)} left`;
  if (t === undefined) return `n/a (no report); ${left}`;
  return `${count(t.confirmed)}/${count(t.planned)} confirmed (${count(t.sent)} sent, ${count(t.awaitingConfirmation)} awaiting confirmation, ${count(t.failed)} failed, ${count(t.notAttempted)} not attempted); ${left}`;
}

function baselineItems(b: BaselineRun): string {
  const s = b.stats;
  const left = b.remaining === null ? 'remaining n/a' : `${count(b.remaining)} left`;
  if (s === null) {
    // SAP's sample does not catch a rejected query: the process ends on it (the SDK logs it to stdout).
    const cause = /Request failed with status code \d+/.exec(`${b.run.stdout}\n${b.run.stderr}`)?.[0];
    return `${cause === undefined ? 'no stats' : `stopped at "${cause}"`}; ${left}`;
  }
  return `${count(s.deleted2xx)}/${count(s.listed)} deleted (2xx)${s.failed ? `, ${count(s.failed)} failed (${s.firstError})` : ''}; ${left}`;
}

/** Requests the simulator answered with 429, and all the others. */
function throttleSplit(counts: HttpCounts | null): { answered: number; throttled: number } | null {
  if (counts === null) return null;
  const throttled = Object.values(counts.routes).reduce((n, byStatus) => n + (byStatus['429'] ?? 0), 0);
  return { answered: counts.total - throttled, throttled };
}

/** Runs one scenario: a fresh simulator process per contender and run, alternating who goes first. */
async function runScenario(scenario: Scenario, policyFile: string): Promise<ScenarioRuns> {
  const shared = tempDir('inputs');
  const built = buildFleet(Date.now(), scenario.perGroup);
  const fleetFile = join(shared, 'fleet.json');
  const faultsFile = join(shared, 'faults.json');
  await writeFile(fleetFile, JSON.stringify(built.fleet));
  await writeFile(faultsFile, JSON.stringify(faultsFor(scenario.limit)));
  const janitorArgs = [CLI, 'apply', '--yes', '--json', '--policy', policyFile];
  const runJanitorCli = async (): Promise<JanitorRun> => {
    const c = await againstFreshSimulator('janitor', fleetFile, faultsFile, built.groups, janitorArgs);
    return { ...c, report: parseJson<JanitorReport>(c.run.stdout) };
  };
  const runBaseline = async (): Promise<BaselineRun> => {
    const c = await againstFreshSimulator('baseline', fleetFile, faultsFile, built.groups, [BASELINE]);
    return { ...c, stats: parseJson<BaselineStats>(c.run.stdout) };
  };
  const janitors: JanitorRun[] = [];
  const baselines: BaselineRun[] = [];
  for (let i = 0; i < scenario.repeats; i += 1) {
    // Alternate which contender goes first, so a drift of the machine does not favour one.
    if (i % 2 === 0) {
      janitors.push(await runJanitorCli());
      baselines.push(await runBaseline());
    } else {
      baselines.push(await runBaseline());
      janitors.push(await runJanitorCli());
    }
  }
  return { scenario, built, optimum: optimumRequests(scenario.perGroup), janitors, baselines };
}

function runNotes(runs: ScenarioRuns, label: string): string[] {
  const notes: string[] = [];
  runs.janitors.forEach((j, i) => {
    notes.push(...failureNote(`${label}: janitor run ${i + 1}`, j));
    if (j.report === null) notes.push(`${label}: janitor run ${i + 1}: stdout was not a JSON report: ${j.run.stdout.slice(0, 300)}`);
    else if (j.report.version !== REPORT_VERSION)
      notes.push(
        `${label}: janitor run ${i + 1}: report version ${j.report.version ?? 'missing'}, the bench reads version ${REPORT_VERSION}`,
      );
    else if (j.report.complete === false)
      notes.push(`${label}: janitor run ${i + 1}: the report says the run was not complete (a group was not listed)`);
  });
  runs.baselines.forEach((b, i) => {
    // Under a server limit the baseline is expected to fail (it does not retry a 429): the table says so.
    if (runs.scenario.limit === null) notes.push(...failureNote(`${label}: baseline run ${i + 1}`, b));
    if (b.stats === null && runs.scenario.limit === null)
      notes.push(`${label}: baseline run ${i + 1}: stdout was not JSON: ${b.run.stdout.slice(0, 300)}`);
  });
  return notes;
}

function scenarioLabel(s: Scenario): string {
  return `${(GROUPS * s.perGroup).toLocaleString('en')} items, ${s.limit === null ? 'no limit' : `${s.limit} req/s (bucket ${s.limit})`}`;
}

/** One scenario's rows of the scenario table (medians where it ran more than once). */
function scenarioRows(runs: ScenarioRuns): { rows: string[]; janitorWall: number | null } {
  const label = scenarioLabel(runs.scenario);
  const describe = (contender: 'janitor' | 'baseline', cs: readonly Contender[], done: (c: Contender) => boolean): string => {
    const splits = cs.map((c) => throttleSplit(c.counts));
    const answered = sameOrEach(splits.map((x) => count(x?.answered)));
    const throttled = sameOrEach(splits.map((x) => count(x?.throttled)));
    const finished = cs.filter(done).length;
    const over = splits.map((x) => (x === null ? null : x.answered / runs.optimum));
    const exits = sameOrEach(cs.map((c) => `exit ${c.run.code ?? c.run.signal}`));
    return `| ${label} | ${contender} | ${count(runs.optimum)} | ${answered} (${ratio(median(over))} the optimum) | ${throttled} | ${seconds(median(cs.map((c) => c.run.wallMs)))} | ${seconds(median(cs.map((c) => c.run.cpuMs)))} | ${megabytes(median(cs.map((c) => c.run.peakRssMb)))} | ${finished}/${cs.length} finished (${exits}); ${sameOrEach(cs.map((c) => (c.remaining === null ? 'n/a' : `${count(c.remaining)} left`)))} |`;
  };
  const janitorDone = (c: Contender): boolean => c.run.code === 0 && c.remaining === 0;
  const j = runs.janitors;
  const b = runs.baselines;
  const jWall = median(j.map((c) => c.run.wallMs));
  const ratios = `| ${label} | baseline ÷ janitor | | ${ratio(quotient(median(b.map((c) => throttleSplit(c.counts)?.answered ?? null)), median(j.map((c) => throttleSplit(c.counts)?.answered ?? null))))} | | ${ratio(quotient(median(b.map((c) => c.run.wallMs)), jWall))} | ${ratio(quotient(median(b.map((c) => c.run.cpuMs)), median(j.map((c) => c.run.cpuMs))))} | ${ratio(quotient(median(b.map((c) => c.run.peakRssMb)), median(j.map((c) => c.run.peakRssMb))))} | |`;
  return { rows: [describe('janitor', j, janitorDone), describe('baseline', b, janitorDone), ratios], janitorWall: jWall };
}

/** The targets of issue 13 for one scenario, judged on the janitor's runs. */
function scenarioTargets(runs: ScenarioRuns, unlimitedWall: number | null): string[] {
  const label = scenarioLabel(runs.scenario);
  const splits = runs.janitors.map((c) => throttleSplit(c.counts));
  const worst = splits.every((x) => x !== null) ? Math.max(...splits.map((x) => x?.answered ?? 0)) : null;
  const lines = [
    `- ${label}: requests (429s apart) equal to the optimum ${count(runs.optimum)}: ${worst === null ? 'n/a' : `${count(worst)} → ${met(worst <= runs.optimum, `${count(worst - runs.optimum)} over`)}`}`,
  ];
  const limit = runs.scenario.limit;
  if (limit !== null) {
    const wall = median(runs.janitors.map((c) => c.run.wallMs));
    const total = median(runs.janitors.map((c) => c.counts?.total ?? null));
    const bound = total === null || unlimitedWall === null ? null : 1.5 * Math.max((total / limit) * 1000, unlimitedWall);
    lines.push(
      `- ${label}: done within 1.5 × max(requests ÷ R, the unlimited wall time) = ${seconds(bound)}: ${wall === null || bound === null ? 'n/a' : `${seconds(wall)} → ${met(wall <= bound && runs.janitors.every((c) => c.run.code === 0 && c.remaining === 0), wall <= bound ? 'not everything was done' : `${seconds(wall - bound)} over`)}`}; the baseline ${runs.baselines.every((c) => c.run.code === 0 && c.remaining === 0) ? 'finished too' : `did not finish (${sameOrEach(runs.baselines.map(baselineItems))})`}`,
    );
  }
  return lines;
}

const met = (ok: boolean, gap: string): string => (ok ? '**met**' : `**missed** (${gap})`);

/**
 * Runs the reference scenarios. `quick`: 100 items, unlimited and at 20 req/s, one run each: a smoke
 * run for CI that exercises every step in seconds.
 */
async function benchReference(options: { quick?: boolean } = {}): Promise<ReferenceResult> {
  const quick = options.quick === true;
  const main: Scenario = { perGroup: quick ? 20 : PER_GROUP, limit: null, repeats: quick ? 1 : REPEATS };
  const others: Scenario[] = quick
    ? [{ perGroup: 20, limit: 20, repeats: 1 }]
    : [
        { perGroup: 200, limit: null, repeats: 1 },
        { perGroup: PER_GROUP, limit: 50, repeats: 1 },
        { perGroup: PER_GROUP, limit: 200, repeats: 1 },
      ];
  const onSignal = (): void => {
    cleanupSync();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', cleanupSync);
  try {
    // What a user runs after `npm install`: the esbuild bundle, not the tsx fallback.
    const build = await buildCliBundle();
    const policyFile = join(tempDir('policy'), 'policy.yaml');
    await writeFile(policyFile, POLICY);
    const startup = await startupCost(tempDir('startup'));
    const mainRuns = await runScenario(main, policyFile);
    const otherRuns: ScenarioRuns[] = [];
    for (const scenario of others) otherRuns.push(await runScenario(scenario, policyFile));
    const { built, janitors, baselines } = mainRuns;
    const janitorWall = median(janitors.map((j) => j.run.wallMs));
    const janitorCpu = median(janitors.map((j) => j.run.cpuMs));
    const baselineWall = median(baselines.map((b) => b.run.wallMs));
    const baselineCpu = median(baselines.map((b) => b.run.cpuMs));
    const wallRatio = quotient(baselineWall, janitorWall);
    const cpuRatio = quotient(baselineCpu, janitorCpu);

    const storeCounts = janitors.map((j) => (typeof j.report?.storeRequests === 'number' ? j.report.storeRequests : null));
    const storeKnown = storeCounts.every((n): n is number => n !== null);
    const storeWorst = storeKnown && storeCounts.length > 0 ? Math.max(...(storeCounts as number[])) : null;
    const planned = janitors.map((j) => j.report?.totals?.planned).find((n): n is number => typeof n === 'number') ?? null;
    const actions = planned ?? built.items;
    const storeBudget = 6 * Math.ceil(actions / 100) + 10 * built.groups.length + Math.ceil(built.stopped / 25);
    const janitorClean = janitors.filter(
      (j) => j.run.code === 0 && j.remaining === 0 && j.report?.totals?.confirmed === built.items,
    ).length;
    const baselineClean = baselines.filter((b) => b.run.code === 0 && b.remaining === 0 && b.stats?.deleted2xx === built.items).length;

    const rows = [
      `| janitor \`apply --yes --json\` | ${seconds(janitorWall)} | ${seconds(janitorCpu)} | ${sameOrEach(storeCounts.map(count))} | ${sameOrEach(janitors.map((j) => `${describeCounts(j.counts)}; report apiCalls ${count(j.report?.apiCalls)}`))} | ${sameOrEach(janitors.map(janitorItems))} |`,
      `| baseline (SAP sample, \`@sap-ai-sdk/ai-api\` 2.16.0) | ${seconds(baselineWall)} | ${seconds(baselineCpu)} | — (no store) | ${sameOrEach(baselines.map((b) => `${describeCounts(b.counts)}; ${count(b.stats?.sdkCalls)} SDK calls`))} | ${sameOrEach(baselines.map(baselineItems))} |`,
    ];
    const runRows = janitors.map((j, i) => {
      const b = baselines[i];
      const bWall = b?.run.wallMs ?? null;
      const bCpu = b?.run.cpuMs ?? null;
      return `| ${i + 1}${i % 2 === 0 ? ' (janitor first)' : ' (baseline first)'} | ${seconds(j.run.wallMs)} | ${seconds(j.run.cpuMs)} | ${seconds(bWall)} | ${seconds(bCpu)} | ${ratio(quotient(bWall, j.run.wallMs))} | ${ratio(quotient(bCpu, j.run.cpuMs))} |`;
    });
    const mainLabel = scenarioLabel(main);
    const notes = [mainRuns, ...otherRuns].flatMap((r) => runNotes(r, scenarioLabel(r.scenario)));
    const mainTable = scenarioRows(mainRuns);
    const tableRows = [mainTable.rows, ...otherRuns.map((r) => scenarioRows(r).rows)].flat();
    const targets = [mainRuns, ...otherRuns].flatMap((r) => scenarioTargets(r, mainTable.janitorWall));
    const markdown = `## Apply ${built.items.toLocaleString('en')} deletions: janitor vs. SAP's sample, as separate processes (reference)

Unlike the rows above, nothing here shares a process and nothing is near-zero latency: the simulator, the
janitor CLI and the baseline each run as their own OS process, and the simulator adds ${LATENCY_MS} ms to every request.

${built.items.toLocaleString('en')} items, all deletable: ${GROUPS} resource groups × ${main.perGroup.toLocaleString('en')} (half finished executions COMPLETED/DEAD/STOPPED,
half STOPPED deployments, 30–40 days old; ${built.stopped.toLocaleString('en')} of them STOPPED). Each contender runs as its own process against
its own fresh \`aicore-janitor simulator --fleet … --faults …\` process serving the same snapshot, with
\`${JSON.stringify(faultsFor(null))}\` (${LATENCY_MS} ms added to every request, token requests included). The scenario runs
${main.repeats} time${main.repeats === 1 ? '' : 's'} per contender (alternating which goes first; every run gets a fresh simulator and a fresh working
directory); wall and CPU below are the medians of those runs, and the ratios are taken from the medians, so one noisy
run does not decide a target.

The CLI measured is what a user gets after \`npm install\`: before measuring, the bench runs \`node scripts/build-cli.js\`
(what npm's \`prepare\` runs on install; ${seconds(build.wallMs)} here, in no figure below) and checks that the bundle is newer than
every source file, so \`bin/aicore-janitor.js\` starts the CLI from the esbuild bundle in \`dist/cli.mjs\`, not through its tsx fallback.
Wall = spawn → exit of that process (the janitor's includes its start-up and opening its local state); CPU = user + system
time of that process alone (\`process.resourceUsage()\` at exit, via bench/rusage-preload.mjs). The janitor's local state
is an embedded LevelDB database (classic-level, lib/store/level.ts) in \`./.aicore-janitor/state/\` of its fresh directory,
opened inside the CLI process: no server, no HTTP. "Store requests" is the report's \`storeRequests\`: every store request
of the run, trigger record and run lock included. API requests are counted by the simulator process
(bench/http-request-counter.mjs); "left" is what the groups still list afterwards. The baseline (bench/baseline-sap-sample.mjs)
does what SAP's sample \`deleteDeployments\` does: per group, a query per deletable status, then one DELETE per item
under an unbounded \`Promise.all\`. Policy: one \`delete\` rule per type, no grace period, caps wide open.

| process | wall (median of ${main.repeats}) | CPU (median of ${main.repeats}) | store requests (report \`storeRequests\`) | API requests (simulator-counted) | items |
|---|---|---|---|---|---|
${rows.join('\n')}

Ratios from the medians (same bench run): baseline wall / janitor wall = **${ratio(wallRatio)}**; baseline CPU / janitor CPU = **${ratio(cpuRatio)}**.

Each run:

| run | janitor wall | janitor CPU | baseline wall | baseline CPU | wall ratio | CPU ratio |
|---|---|---|---|---|---|---|
${runRows.join('\n')}

Process start-up, median of 3: \`node bin/aicore-janitor.js help\` (from the bundle) ${seconds(startup.help.wallMs)} wall, ${seconds(startup.help.cpuMs)} CPU
(bare \`node -e 0\`: ${seconds(startup.bare.wallMs)} wall, ${seconds(startup.bare.cpuMs)} CPU); part of the janitor's wall and CPU above.
${notes.length === 0 ? '' : `\nProblems in this run:\n${notes.map((n) => `- ${n}`).join('\n')}\n`}
Targets (shown, not enforced; timings judged on the medians):
- store requests ≤ 6 × ⌈actions/100⌉ + 10 × groups + ⌈changed observations/25⌉ = 6 × ${Math.ceil(actions / 100)} + 10 × ${built.groups.length} + ⌈${built.stopped.toLocaleString('en')}/25⌉ = ${storeBudget.toLocaleString('en')}
  (actions = planned ${actions.toLocaleString('en')}; changed observations = the STOPPED items a fresh ledger first sees), judged on the run with the most:
  ${storeWorst === null ? 'n/a (a report has no `storeRequests`)' : `${storeWorst.toLocaleString('en')} → ${mark(storeWorst <= storeBudget)}`}
- wall ≥ 5× better than the baseline: ${wallRatio === null ? 'n/a' : `${ratio(wallRatio)} → ${mark(wallRatio >= 5)}`}
- janitor CPU ≤ 2 s: ${janitorCpu === null ? 'n/a' : `${seconds(janitorCpu)} → ${mark(janitorCpu <= 2000)}`}
- everything deleted in one run, in every run: janitor ${janitorClean}/${main.repeats} → ${mark(janitorClean === main.repeats)}, baseline ${baselineClean}/${main.repeats} → ${mark(baselineClean === main.repeats)}

### More sizes and server limits (${mainLabel} from the runs above)

The same contenders, each against its own fresh simulator process, one run per scenario (the first from
the medians above). Under a limit R the simulator's token bucket (capacity R, refilled at R/s) answers 429 with
\`Retry-After\`; the janitor waits and retries, SAP's sample does not retry a 429 (its failures are the table's
"left"). "Optimum": token + meta + one resource-group page + per type and group ⌈items ÷ ${PAGE_SIZE.toLocaleString('en')}⌉
listings + ⌈actions ÷ ${CHUNK}⌉ PATCHes + one confirming listing (executions and deployments are separate
listings) + the one warm-nodes read (\`GET /v2/admin/resources/nodes\`, the report's standing cost); "requests" are what the simulator answered other than 429, and the 429s are counted apart. CPU and peak
RSS are the contender process's own (\`getrusage\`); the simulator's are not in them.

| scenario | process | optimum | requests | 429s | wall | CPU | peak RSS | result |
|---|---|---|---|---|---|---|---|---|
${tableRows.join('\n')}

Targets (issue 13; judged on the janitor):
${targets.join('\n')}
`;
    return { markdown };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      markdown: `## Apply ${(GROUPS * main.perGroup).toLocaleString('en')} deletions: janitor vs. SAP's sample, as separate processes (reference)\n\nNot measured in this run:\n\n\`\`\`\n${message
        .split('\n')
        .filter((line) => line.trim() !== '')
        .slice(0, 8)
        .join('\n')}\n\`\`\`\n`,
      error: message,
    };
  } finally {
    cleanupSync();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('exit', cleanupSync);
  }
}

export { benchReference, buildFleet, POLICY, LATENCY_MS as APPLY_LATENCY_MS };
export type { ReferenceResult };

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { markdown, error } = await benchReference({ quick: process.argv.includes('--quick') });
  process.stdout.write(markdown);
  if (error !== undefined) process.exitCode = 1;
}
