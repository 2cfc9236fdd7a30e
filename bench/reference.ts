/**
 * Reference benchmark: 10,000 deletable items in 5 resource groups, applied by the janitor CLI and
 * by SAP's sample approach (bench/baseline-sap-sample.mjs), each as its own OS process against its
 * own fresh simulator process (`aicore-janitor simulator --fleet --faults`, 20 ms added to every
 * request), repeated REPEATS times (janitor and baseline alternating); the section reports the
 * medians. Before measuring, the bench builds the CLI bundle (`node scripts/build-cli.js`, what
 * npm's `prepare` runs on `npm install`), so bin/aicore-janitor.js starts from dist/cli.mjs as it does
 * for a user, not through its tsx fallback.
 *
 * Wall time is spawn → exit of the measured process; CPU is that process's own user + system time
 * (bench/rusage-preload.mjs); HTTP requests are counted on the simulator's side
 * (bench/http-request-counter.mjs). The janitor's local state is an embedded LevelDB database
 * (lib/store/level.ts) in `./.aicore-janitor/state/` of a fresh working directory, opened inside
 * the CLI process: no server, no HTTP, so its store requests are the report's own `storeRequests`.
 * Afterwards the bench lists every group to check nothing is left.
 *
 * Part of `npm run bench` (bench/run.ts); standalone: `node --import tsx bench/apply-10k.ts`
 * (prints the section, does not rewrite docs/BENCHMARKS.md).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeDeployment, makeExecution } from '../infra/local/simulator/items.js';
import type { SimulatorFleet } from '../infra/local/simulator/fleet.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'bin', 'aicore-janitor.js');
const BUNDLE = join(ROOT, 'dist', 'cli', 'main.mjs');
const BASELINE = join(ROOT, 'bench', 'baseline-sap-sample.mjs');
const RUSAGE_PRELOAD = pathToFileURL(join(ROOT, 'bench', 'rusage-preload.mjs')).href;
const COUNTER_PRELOAD = pathToFileURL(join(ROOT, 'bench', 'http-request-counter.mjs')).href;

const GROUPS = 5;
/** Items per group (half executions, half deployments); BENCH_APPLY_PER_GROUP overrides it for a quick smoke run. */
const PER_GROUP = Number(process.env.BENCH_APPLY_PER_GROUP ?? 2_000);
const LATENCY_MS = 20;
const FAULTS = { routes: { '*': { latencyMs: LATENCY_MS } } };
const DAY_MS = 86_400_000;
const RUN_TIMEOUT_MS = 15 * 60_000;
/** Runs of the scenario per contender; BENCH_APPLY_REPEATS overrides it. */
const REPEATS = Math.max(1, Number(process.env.BENCH_APPLY_REPEATS ?? 3));
const BUILD_TIMEOUT_MS = 120_000;

/** Caps wide open; one delete rule per type, no gracePeriod, so ONE run deletes everything. */
const POLICY = `version: 1
mode: apply
caps: { maxActionsPerRun: 1000000, maxActionsPerGroup: 1000000, maxActionsPerDay: 1000000, maxPercentOfGroup: 100 }
rules:
  - { id: finished-runs, resource: executions, match: { all: [ { status: [COMPLETED, DEAD, STOPPED] }, { olderThan: { field: completionTime, age: 7d } } ] }, action: delete }
  - { id: stopped-deployments, resource: deployments, match: { all: [ { status: [STOPPED] }, { olderThan: { field: modifiedAt, age: 7d } } ] }, action: delete }
`;

// ---------------------------------------------------------------- cleanup, even on failure

const live = new Set<ChildProcess>();
const tempDirs = new Set<string>();

function cleanupSync(): void {
  for (const child of live) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  live.clear();
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  tempDirs.clear();
}

function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `aicore-bench-${label}-`));
  tempDirs.add(dir);
  return dir;
}

// ---------------------------------------------------------------- fleet

interface BenchFleet {
  fleet: SimulatorFleet;
  groups: string[];
  items: number;
  /** STOPPED items: each is a new "first seen STOPPED" observation for a fresh ledger. */
  stopped: number;
}

function buildFleet(nowMs: number, perGroup: number = PER_GROUP): BenchFleet {
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

// ---------------------------------------------------------------- processes

function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of [
    'JANITOR_TABLE',
    'VCAP_SERVICES',
    'AICORE_SERVICE_KEY',
    'NODE_OPTIONS',
    'BENCH_RUSAGE_FILE',
    'BENCH_HTTP_COUNTS_FILE',
  ])
    delete env[name];
  return {
    ...env,
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}

interface Measured {
  code: number | null;
  signal: string | null;
  wallMs: number;
  /** user + system CPU of the process alone, ms; null if the preload wrote nothing. */
  cpuMs: number | null;
  stdout: string;
  stderr: string;
}

/** Spawns `node --import rusage-preload …args`, wall time from spawn to exit. */
async function measured(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Measured> {
  const tag = `${process.pid}-${Math.random().toString(36).slice(2)}`;
  const rusageFile = join(cwd, `.rusage-${tag}.json`);
  const start = performance.now();
  const child = spawn(process.execPath, ['--import', RUSAGE_PRELOAD, ...args], {
    cwd,
    env: { ...env, BENCH_RUSAGE_FILE: rusageFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
  const { code, signal, wallMs } = await new Promise<{ code: number | null; signal: string | null; wallMs: number }>((done, fail) => {
    child.once('error', fail);
    child.once('exit', (c, s) => done({ code: c, signal: s, wallMs: performance.now() - start }));
  });
  clearTimeout(timer);
  await new Promise<void>((done) =>
    child.stdout.readableEnded && child.stderr.readableEnded ? done() : child.once('close', () => done()),
  );
  live.delete(child);
  let cpuMs: number | null = null;
  try {
    const usage = JSON.parse(await readFile(rusageFile, 'utf8')) as { userCPUTime: number; systemCPUTime: number };
    cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
  } catch {
    cpuMs = null;
  }
  return { code, signal, wallMs, cpuMs, stdout, stderr };
}

// ---------------------------------------------------------------- the CLI bundle

/** Newest modification time (ms) of the .ts files under `dir` (as bin/aicore-janitor.js checks). */
function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * `node scripts/build-cli.js` in the repository, as npm's `prepare` runs it on `npm install`; then
 * checks, the way bin/aicore-janitor.js does, that the bundle is newer than every source file, so
 * the measured CLI starts from dist/cli.mjs and not through the tsx fallback. Throws if either fails.
 */
async function buildCliBundle(): Promise<{ wallMs: number }> {
  const start = performance.now();
  const child = spawn(process.execPath, [join(ROOT, 'scripts', 'build-cli.js')], {
    cwd: ROOT,
    env: childEnv({}),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  let output = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
  const code = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('close', (c) => done(c));
  });
  clearTimeout(timer);
  live.delete(child);
  const wallMs = performance.now() - start;
  if (code !== 0) throw new Error(`node scripts/build-cli.js exited with ${code}\n${output}`);
  let built: number;
  try {
    built = statSync(BUNDLE).mtimeMs;
  } catch {
    throw new Error(`node scripts/build-cli.js did not write ${BUNDLE}`);
  }
  const stale = ['cli', 'lib', 'infra', 'functions'].filter((dir) => newestSource(join(ROOT, dir)) > built);
  if (stale.length > 0)
    throw new Error(`the CLI bundle is older than sources in ${stale.join(', ')}: the CLI would start through tsx, not the bundle`);
  return { wallMs };
}

interface ServiceKey {
  clientid: string;
  clientsecret: string;
  url: string;
  serviceurls: { AI_API_URL: string };
}

interface SimProcess {
  url: string;
  serviceKeyJson: string;
  serviceKey: ServiceKey;
  /** Stops the process (SIGTERM, then SIGKILL) and returns its server-side request counts. */
  stop(): Promise<HttpCounts | null>;
}

/** What bench/http-request-counter.mjs writes: route → status → count. */
interface HttpCounts {
  total: number;
  routes: Record<string, Record<string, number>>;
}

async function readCounts(file: string): Promise<HttpCounts | null> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as HttpCounts;
  } catch {
    return null;
  }
}

/** Undoes cli/simulator.ts's POSIX single-quoting of the printed service key. */
function shellUnquote(text: string): string {
  return text.startsWith("'") && text.endsWith("'") ? text.slice(1, -1).replaceAll(`'\\''`, "'") : text;
}

async function startSimulatorProcess(dir: string, fleetFile: string, faultsFile: string): Promise<SimProcess> {
  const countsFile = join(dir, 'sim-counts.json');
  const child = spawn(
    process.execPath,
    ['--import', COUNTER_PRELOAD, CLI, 'simulator', '--fleet', fleetFile, '--faults', faultsFile, '--port', '0'],
    {
      cwd: dir,
      env: childEnv({ BENCH_HTTP_COUNTS_FILE: countsFile }),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  live.add(child);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const ready = await new Promise<{ url: string; key: string }>((done, fail) => {
    let out = '';
    let url: string | undefined;
    const timer = setTimeout(() => fail(new Error(`simulator did not print its URL and key within 60 s\n${out}\n${stderr}`)), 60_000);
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(`simulator exited (${code}) before it was ready\n${out}\n${stderr}`)));
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      url ??= /listening on (\S+)/.exec(out)?.[1];
      const key = /^export AICORE_SERVICE_KEY=(.+)$/m.exec(out)?.[1];
      if (url !== undefined && key !== undefined) {
        clearTimeout(timer);
        done({ url, key: shellUnquote(key.trim()) });
      }
    });
  });
  child.once('exit', () => live.delete(child));
  return {
    url: ready.url,
    serviceKeyJson: ready.key,
    serviceKey: JSON.parse(ready.key) as ServiceKey,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      live.delete(child);
      return readCounts(countsFile);
    },
  };
}

/** Items still listed in the groups, read with our own requests (not counted by the simulator). */
async function remainingItems(key: ServiceKey, groups: readonly string[]): Promise<number> {
  const verify = { 'x-bench-verify': '1' };
  const tokenResponse = await fetch(`${key.url}/oauth/token`, {
    method: 'POST',
    headers: {
      ...verify,
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${key.clientid}:${key.clientsecret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials',
  });
  if (!tokenResponse.ok) throw new Error(`verify: token request answered ${tokenResponse.status}`);
  const { access_token: token } = (await tokenResponse.json()) as { access_token: string };
  let left = 0;
  for (const group of groups) {
    for (const type of ['executions', 'deployments']) {
      const response = await fetch(`${key.serviceurls.AI_API_URL}/v2/lm/${type}?$top=100000`, {
        headers: { ...verify, authorization: `Bearer ${token}`, 'ai-resource-group': group },
      });
      if (!response.ok) throw new Error(`verify: GET ${type} in ${group} answered ${response.status}`);
      left += ((await response.json()) as { count: number }).count;
    }
  }
  return left;
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

interface Apply10kResult {
  /** The markdown section for docs/BENCHMARKS.md (saying what went wrong, if the bench could not run). */
  markdown: string;
  /** Set when the scenario could not run at all (e.g. the simulator did not start). */
  error?: string;
}

const count = (n: number | null | undefined): string => (typeof n === 'number' ? n.toLocaleString('en') : 'n/a');

function janitorItems(j: JanitorRun): string {
  const t = j.report?.totals;
  const left = j.remaining === null ? 'remaining n/a' : `${count(j.remaining)} left`;
  if (t === undefined) return `n/a (no report); ${left}`;
  return `${count(t.confirmed)}/${count(t.planned)} confirmed (${count(t.sent)} sent, ${count(t.awaitingConfirmation)} awaiting confirmation, ${count(t.failed)} failed, ${count(t.notAttempted)} not attempted); ${left}`;
}

function baselineItems(b: BaselineRun): string {
  const s = b.stats;
  const left = b.remaining === null ? 'remaining n/a' : `${count(b.remaining)} left`;
  if (s === null) return `n/a (no stats); ${left}`;
  return `${count(s.deleted2xx)}/${count(s.listed)} deleted (2xx)${s.failed ? `, ${count(s.failed)} failed (${s.firstError})` : ''}; ${left}`;
}

async function benchApply10k(): Promise<Apply10kResult> {
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

    const shared = tempDir('inputs');
    const built = buildFleet(Date.now());
    const fleetFile = join(shared, 'fleet.json');
    const faultsFile = join(shared, 'faults.json');
    const policyFile = join(shared, 'policy.yaml');
    await writeFile(fleetFile, JSON.stringify(built.fleet));
    await writeFile(faultsFile, JSON.stringify(FAULTS));
    await writeFile(policyFile, POLICY);

    const startup = await startupCost(tempDir('startup'));
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
    for (let i = 0; i < REPEATS; i += 1) {
      // Alternate which contender goes first, so a drift of the machine does not favour one.
      if (i % 2 === 0) {
        janitors.push(await runJanitorCli());
        baselines.push(await runBaseline());
      } else {
        baselines.push(await runBaseline());
        janitors.push(await runJanitorCli());
      }
    }

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
    const notes: string[] = [];
    janitors.forEach((j, i) => {
      notes.push(...failureNote(`janitor run ${i + 1}`, j));
      if (j.report === null) notes.push(`janitor run ${i + 1}: stdout was not a JSON report: ${j.run.stdout.slice(0, 300)}`);
      else if (j.report.version !== 2)
        notes.push(`janitor run ${i + 1}: report version ${j.report.version ?? 'missing'}, the bench reads version 2`);
      else if (j.report.complete === false)
        notes.push(`janitor run ${i + 1}: the report says the run was not complete (a group was not listed)`);
    });
    baselines.forEach((b, i) => {
      notes.push(...failureNote(`baseline run ${i + 1}`, b));
      if (b.stats === null) notes.push(`baseline run ${i + 1}: stdout was not JSON: ${b.run.stdout.slice(0, 300)}`);
    });

    const markdown = `## Apply ${built.items.toLocaleString('en')} deletions: janitor vs. SAP's sample, as separate processes (reference)

Unlike the rows above, nothing here shares a process and nothing is near-zero latency: the simulator, the
janitor CLI and the baseline each run as their own OS process, and the simulator adds ${LATENCY_MS} ms to every request.

${built.items.toLocaleString('en')} items, all deletable: ${GROUPS} resource groups × ${PER_GROUP.toLocaleString('en')} (half finished executions COMPLETED/DEAD/STOPPED,
half STOPPED deployments, 30–40 days old; ${built.stopped.toLocaleString('en')} of them STOPPED). Each contender runs as its own process against
its own fresh \`aicore-janitor simulator --fleet … --faults …\` process serving the same snapshot, with
\`${JSON.stringify(FAULTS)}\` (${LATENCY_MS} ms added to every request, token requests included). The scenario runs
${REPEATS} time${REPEATS === 1 ? '' : 's'} per contender (alternating which goes first; every run gets a fresh simulator and a fresh working
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

| process | wall (median of ${REPEATS}) | CPU (median of ${REPEATS}) | store requests (report \`storeRequests\`) | API requests (simulator-counted) | items |
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
- everything deleted in one run, in every run: janitor ${janitorClean}/${REPEATS} → ${mark(janitorClean === REPEATS)}, baseline ${baselineClean}/${REPEATS} → ${mark(baselineClean === REPEATS)}
`;
    return { markdown };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      markdown: `## Apply ${(GROUPS * PER_GROUP).toLocaleString('en')} deletions: janitor vs. SAP's sample, as separate processes (reference)\n\nNot measured in this run:\n\n\`\`\`\n${message
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

export { benchApply10k, buildFleet, POLICY, LATENCY_MS as APPLY_LATENCY_MS };
export type { Apply10kResult };

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const { markdown, error } = await benchApply10k();
  process.stdout.write(markdown);
  if (error !== undefined) process.exitCode = 1;
}
