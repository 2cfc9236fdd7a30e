/**
 * Process plumbing for the reference bench (bench/reference.ts): each contender and each
 * simulator is its own OS process. Wall time is spawn → exit; CPU and peak RSS are that process's
 * own (bench/rusage-preload.mjs); HTTP requests are counted on the simulator's side
 * (bench/http-request-counter.mjs). Every child and temporary directory is cleaned up, also on failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CLI = join(ROOT, 'bin', 'aicore-janitor.js');
const BUNDLE = join(ROOT, 'dist', 'cli.mjs');
const RUSAGE_PRELOAD = pathToFileURL(join(ROOT, 'bench', 'rusage-preload.mjs')).href;
const COUNTER_PRELOAD = pathToFileURL(join(ROOT, 'bench', 'http-request-counter.mjs')).href;
const RUN_TIMEOUT_MS = 15 * 60_000;
const BUILD_TIMEOUT_MS = 120_000;

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
  /** Peak resident set size of the process alone, MB (getrusage maxRSS); null if the preload wrote nothing. */
  peakRssMb: number | null;
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
  let peakRssMb: number | null = null;
  try {
    const usage = JSON.parse(await readFile(rusageFile, 'utf8')) as { userCPUTime: number; systemCPUTime: number; maxRSS: number };
    cpuMs = (usage.userCPUTime + usage.systemCPUTime) / 1000;
    peakRssMb = usage.maxRSS / 1024; // kilobytes on Linux
  } catch {
    cpuMs = null;
  }
  return { code, signal, wallMs, cpuMs, peakRssMb, stdout, stderr };
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

export { CLI, ROOT, buildCliBundle, childEnv, cleanupSync, measured, remainingItems, startSimulatorProcess, tempDir };
export type { HttpCounts, Measured };
