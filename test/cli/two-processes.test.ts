/**
 * Two real `aicore-janitor` processes in one directory, against a slow simulator: the second waits
 * for the first and either runs after it or exits 1 naming it; an apply killed while it holds the
 * run lock is released by `unlock`. No output may hold a stack trace.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { demoFleet, startSimulator, type RunningSimulator } from '../../infra/local/simulator/index.js';
import { main } from '../../cli/main.js';
import type { StateOwner } from '../../cli/state.js';
import { capturedIo } from '../helpers/captured-io.js';
import { ROOT, startBin } from '../helpers/run-bin.js';

const POLICY = join(ROOT, 'infra/local/simulator/demo-policy.yaml');
const STACK_TRACE = /\n\s+at /;

type Running = ReturnType<typeof startBin>;

let dir: string;
let cwd: string;
let keyFile: string;
let simulator: RunningSimulator | undefined;
const children: Running[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'janitor-two-'));
  cwd = process.cwd();
  keyFile = join(dir, 'key.json');
});
afterEach(async () => {
  for (const { child, done } of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await done;
  }
  process.chdir(cwd);
  await simulator?.stop();
  simulator = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** A simulator whose every answer takes `latencyMs`, so a run holds the state for a while. */
async function slowSimulator(latencyMs: number): Promise<RunningSimulator> {
  simulator = await startSimulator({ fleet: demoFleet(new Date()), faults: { routes: { '*': { latencyMs } } } });
  await writeFile(keyFile, JSON.stringify(simulator.serviceKey));
  return simulator;
}

function runBin(args: string[], env: Record<string, string> = {}): Running {
  const running = startBin(args, { cwd: dir, env: { JANITOR_TABLE: '', ...env } });
  children.push(running);
  return running;
}

async function until(what: string, condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function ownerFile(): Promise<StateOwner> {
  return JSON.parse(await readFile(join(dir, '.aicore-janitor', 'state.owner.json'), 'utf8')) as StateOwner;
}

const plan = (): string[] => ['plan', '--policy', POLICY, '--service-key', keyFile];

describe('two CLI processes in one directory', () => {
  it('the second waits, then exits 1 naming the first by pid and start when it is still busy', async () => {
    // Prepare: each answer takes 2 s, so whichever opens the state first holds it for many seconds.
    await slowSimulator(2_000);

    // Act
    const runs = [runBin(plan(), { JANITOR_STATE_WAIT_MS: '1500' }), runBin(plan(), { JANITOR_STATE_WAIT_MS: '1500' })];
    const loser = await Promise.race(runs.map(async (run) => ({ run, result: await run.done })));
    const winner = runs.find((run) => run !== loser.run);
    if (winner === undefined) throw new Error('expected two runs');
    const owner = await ownerFile();

    // Assess
    expect(loser.result.code, loser.result.stderr).toBe(1);
    expect(owner.pid).toBe(winner.child.pid);
    expect(loser.result.stderr).toContain('is in use by pid');
    expect(loser.result.stderr).toContain(
      `aicore-janitor: another aicore-janitor run is using ./.aicore-janitor (pid ${owner.pid}, since ${owner.startedAt})\n`,
    );
    expect(loser.result.stderr).not.toMatch(STACK_TRACE);
    expect(winner.child.exitCode).toBeNull();
  }, 60_000);

  it('the second runs after the first when the first finishes within the wait', async () => {
    // Prepare: the first holds the state for a few seconds, well within the second's wait.
    await slowSimulator(500);

    // Act
    const results = await Promise.all([
      runBin(plan(), { JANITOR_STATE_WAIT_MS: '30000' }).done,
      runBin(plan(), { JANITOR_STATE_WAIT_MS: '30000' }).done,
    ]);

    // Assess
    for (const result of results) {
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(
        'state: local ./.aicore-janitor/state (per directory: runs in other directories or tables do not see this ledger)',
      );
      expect(result.stdout).toContain('dry run');
      expect(result.stderr).not.toMatch(STACK_TRACE);
    }
    expect(results.filter((r) => r.stderr.includes('waiting up to 30s'))).toHaveLength(1);
    expect(existsSync(join(dir, '.aicore-janitor', 'state.owner.json'))).toBe(false);
  }, 60_000);

  it('an apply killed while it holds the run lock: the next apply names it, unlock releases it, then apply runs', async () => {
    // Prepare: kill the apply as soon as it talks to AI Core (it has taken the run lock by then).
    const sim = await slowSimulator(300);
    const killed = runBin(['apply', '--policy', POLICY, '--service-key', keyFile, '--yes']);
    await until('the apply to reach AI Core', () => sim.requests.entries.length > 0);
    killed.child.kill('SIGKILL');
    const death = await killed.done;
    const pid = killed.child.pid;
    process.chdir(dir);

    // Act
    const refused = capturedIo();
    const refusedCode = await main(['apply', '--policy', POLICY, '--service-key', keyFile, '--yes'], refused);
    const unlock = await runBin(['unlock', '--service-key', keyFile, '--yes']).done;
    const after = capturedIo();
    const afterCode = await main(['apply', '--policy', POLICY, '--service-key', keyFile, '--yes'], after);

    // Assess
    expect(death.signal).toBe('SIGKILL');
    expect(refusedCode).toBe(1);
    expect(refused.stderr()).toMatch(
      /run [0-9a-f-]{36} \(started [^)]+\) holds the run lock until \d{4}-\d\d-\d\dT[^;]+; this trigger was skipped/,
    );
    expect(refused.stderr()).toContain(`Its process (apply, pid ${pid}, since `);
    expect(refused.stderr()).toContain('run `aicore-janitor unlock` to release the lock now');
    expect(unlock.code, unlock.stderr).toBe(0);
    expect(unlock.stdout).toMatch(
      new RegExp(
        `Released the run lock of run [0-9a-f-]{36} \\(started [^)]+\\), lease until [^:]+:\\d\\d:[^:]+: its process \\(apply, pid ${pid}, since [^)]+\\) is gone\\.`,
      ),
    );
    expect(afterCode, after.stderr()).toBe(0);
    expect(after.stdout()).toMatch(/Applied: ([1-9]\d*) planned, \1 sent, \1 confirmed/);
    for (const text of [death.stderr, refused.stderr(), unlock.stderr, unlock.stdout, after.stderr()])
      expect(text).not.toMatch(STACK_TRACE);
  }, 90_000);
});
