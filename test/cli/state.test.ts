/**
 * The CLI's local state in one process: the owner file, waiting for a busy state, stale owner
 * records, and `unlock` on every kind of run lock (ended, held by a dead local run, live in a
 * table). Two real processes are in two-processes.test.ts.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import { openState, StateBusyError, type CliState, type StateOwner } from '../../cli/state.js';
import { readLock } from '../../cli/unlock.js';
import { tenantNamespace } from '../../lib/aicore/tenant.js';
import { LevelStore } from '../../lib/store/level.js';
import { startDynalite, type LocalDynamo } from '../../infra/local/dynamodb.js';
import { ensureTable } from '../../lib/store/dynamo.js';
import { createStore, dynamoClient } from '../../lib/store/factory.js';
import { capturedIo } from '../helpers/captured-io.js';

const KEY = {
  clientid: 'sb-test',
  clientsecret: 'not-a-real-secret',
  url: 'https://acme-dev.authentication.example.com',
  serviceurls: { AI_API_URL: 'https://api.ai.example.com' },
};
const NAMESPACE = tenantNamespace(KEY);
const HOUR = 3_600_000;

let dir: string;
let cwd: string;
let keyFile: string;
const opened: CliState[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'janitor-state-'));
  cwd = process.cwd();
  keyFile = join(dir, 'key.json');
  await writeFile(keyFile, JSON.stringify(KEY));
  process.chdir(dir);
});
afterEach(async () => {
  for (const state of opened.splice(0)) await state.close();
  process.chdir(cwd);
  await rm(dir, { recursive: true, force: true });
});

/** A pid that was just used and is gone. */
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ['-e', '']);
  if (pid === undefined) throw new Error('could not spawn');
  return pid;
}

async function writeOwner(owner: StateOwner): Promise<void> {
  await mkdir(join(dir, '.aicore-janitor'), { recursive: true });
  await writeFile(join(dir, '.aicore-janitor', 'state.owner.json'), JSON.stringify(owner));
}

/** Takes the run lock in the local state as `owner` would have, then closes it. */
async function lockLocally(owner: string, leaseUntil: Date): Promise<void> {
  const state = await openState(undefined, NAMESPACE, { cwd: dir });
  expect(await state.store.acquireLock(owner, leaseUntil, new Date(leaseUntil.getTime() - HOUR))).toEqual({ acquired: true });
  await state.close();
}

async function localLock(): ReturnType<typeof readLock> {
  const state = await openState(undefined, NAMESPACE, { cwd: dir });
  try {
    return await readLock(state.store);
  } finally {
    await state.close();
  }
}

describe('Function: openState (local)', () => {
  it('records its owner while open, says the state is per directory, and removes the record on close', async () => {
    // Act
    const state = await openState(undefined, NAMESPACE, { cwd: dir, command: 'plan', runId: 'run-1' });
    const owner = JSON.parse(await readFile(join(dir, '.aicore-janitor', 'state.owner.json'), 'utf8')) as StateOwner;
    await state.close();

    // Assess
    expect(owner).toMatchObject({ pid: process.pid, command: 'plan', runId: 'run-1', hostname: hostname() });
    expect(Number.isNaN(Date.parse(owner.startedAt))).toBe(false);
    expect(state.describe).toBe(
      'local ./.aicore-janitor/state (per directory: runs in other directories or tables do not see this ledger)',
    );
    expect(existsSync(join(dir, '.aicore-janitor', 'state.owner.json'))).toBe(false);
    await state.close(); // twice is harmless
  });

  it('waits for a busy state, then names the holder with its pid and start', async () => {
    // Prepare
    const first = await openState(undefined, NAMESPACE, { cwd: dir, command: 'apply' });
    opened.push(first);
    const owner = JSON.parse(await readFile(join(dir, '.aicore-janitor', 'state.owner.json'), 'utf8')) as StateOwner;
    const waits: string[] = [];

    // Act
    const started = Date.now();
    const error = await openState(undefined, NAMESPACE, { cwd: dir, waitMs: 300, onWait: (m) => waits.push(m) }).catch((e: unknown) => e);

    // Assess
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(error).toBeInstanceOf(StateBusyError);
    expect((error as Error).message).toBe(
      `another aicore-janitor run is using ./.aicore-janitor (pid ${process.pid}, since ${owner.startedAt})`,
    );
    expect(waits).toEqual([
      `./.aicore-janitor is in use by pid ${process.pid} (apply, since ${owner.startedAt}); waiting up to 0.3s for it to finish`,
    ]);
  });

  it('opens once the holder closes within the wait', async () => {
    // Prepare
    const first = await openState(undefined, NAMESPACE, { cwd: dir });
    setTimeout(() => void first.close(), 300);

    // Act
    const second = await openState(undefined, NAMESPACE, { cwd: dir, waitMs: 5_000, command: 'ledger' });
    opened.push(second);

    // Assess
    const owner = JSON.parse(await readFile(join(dir, '.aicore-janitor', 'state.owner.json'), 'utf8')) as StateOwner;
    expect(owner.command).toBe('ledger');
  });

  it('replaces the owner record of a process that died, and keeps it for unlock', async () => {
    // Prepare
    const pid = deadPid();
    await writeOwner({ pid, startedAt: '2030-01-01T00:00:00.000Z', command: 'apply', hostname: hostname(), runId: 'run-dead' });

    // Act
    const state = await openState(undefined, NAMESPACE, { cwd: dir, command: 'plan' });
    opened.push(state);

    // Assess
    expect(state.crashed).toEqual([expect.objectContaining({ pid, runId: 'run-dead' })]);
    const owner = JSON.parse(await readFile(join(dir, '.aicore-janitor', 'state.owner.json'), 'utf8')) as StateOwner;
    expect(owner.pid).toBe(process.pid);
  });

  it('says so when the state is held but its recorded holder is gone, and unlock clears the stale record', async () => {
    // Prepare: the database is held by a handle that wrote no owner record; the record names a dead pid.
    await mkdir(join(dir, '.aicore-janitor', 'state'), { recursive: true });
    const holder = await LevelStore.open(join(dir, '.aicore-janitor', 'state'), NAMESPACE);
    const pid = deadPid();
    await writeOwner({ pid, startedAt: '2030-01-01T00:00:00.000Z', command: 'plan', hostname: hostname() });
    try {
      // Act
      const error = await openState(undefined, NAMESPACE, { cwd: dir, waitMs: 100 }).catch((e: unknown) => e);
      const io = capturedIo();
      process.env.JANITOR_STATE_WAIT_MS = '100';
      const code = await main(['unlock', '--service-key', keyFile, '--yes'], io).finally(() => delete process.env.JANITOR_STATE_WAIT_MS);

      // Assess
      expect((error as Error).message).toContain(
        `its recorded holder (pid ${pid}, since 2030-01-01T00:00:00.000Z) is gone; run \`aicore-janitor unlock\``,
      );
      expect(code).toBe(1);
      expect(io.stderr()).toContain(`Removed the stale owner record (plan, pid ${pid}, since 2030-01-01T00:00:00.000Z)`);
      expect(io.stderr()).not.toMatch(/\n\s+at /);
      expect(existsSync(join(dir, '.aicore-janitor', 'state.owner.json'))).toBe(false);
    } finally {
      await holder.close();
    }
  });
});

describe('Command: unlock (local state)', () => {
  it('says there is nothing to unlock when no run lock is held', async () => {
    const io = capturedIo();
    expect(await main(['unlock', '--service-key', keyFile], io), io.stderr()).toBe(0);
    expect(io.stdout()).toContain('No run lock is held');
    expect(io.stderr()).toContain('state: local ./.aicore-janitor/state');
  });

  it('releases a lock whose lease has ended', async () => {
    // Prepare
    const until = new Date(Date.now() - 60_000);
    await lockLocally('run-expired', until);

    // Act
    const io = capturedIo();
    const code = await main(['unlock', '--service-key', keyFile, '--yes'], io);

    // Assess
    expect(code, io.stderr()).toBe(0);
    expect(io.stdout()).toContain(
      `Released the run lock of run run-expired (started ${new Date(until.getTime() - HOUR).toISOString()}), lease until ${until.toISOString()}: its lease has ended.`,
    );
    expect(await localLock()).toBe('none');
  });

  it('releases a live lock whose local process is gone, naming its pid, after asking on a terminal', async () => {
    // Prepare: an apply that was killed: its lock is live, its owner record names a dead pid.
    const until = new Date(Date.now() + HOUR);
    await lockLocally('run-killed', until);
    const pid = deadPid();
    await writeOwner({ pid, startedAt: '2030-01-01T00:00:00.000Z', command: 'apply', hostname: hostname(), runId: 'run-killed' });

    // Act: declined first, then accepted.
    const declined = capturedIo(['n'], true);
    expect(await main(['unlock', '--service-key', keyFile], declined), declined.stderr()).toBe(0);
    const stillLocked = await localLock();
    const accepted = capturedIo(['y'], true);
    const code = await main(['unlock', '--service-key', keyFile], accepted);

    // Assess
    expect(declined.questions[0]).toBe(
      `Release the run lock of run run-killed (started ${new Date(until.getTime() - HOUR).toISOString()}), lease until ${until.toISOString()}: its process (apply, pid ${pid}, since 2030-01-01T00:00:00.000Z) is gone? [y/N] `,
    );
    expect(declined.stdout()).toContain('Declined: the run lock stays.');
    expect(stillLocked).toMatchObject({ owner: 'run-killed' });
    expect(code, accepted.stderr()).toBe(0);
    expect(accepted.stdout()).toContain(`its process (apply, pid ${pid}, since 2030-01-01T00:00:00.000Z) is gone.`);
    expect(await localLock()).toBe('none');
    expect(existsSync(join(dir, '.aicore-janitor', 'crashed-runs.json'))).toBe(false);
  });

  it('needs a terminal or --yes', async () => {
    await lockLocally('run-expired', new Date(Date.now() - 60_000));
    const io = capturedIo();
    expect(await main(['unlock', '--service-key', keyFile], io)).toBe(2);
    expect(io.stderr()).toContain('unlock needs a terminal to confirm, or --yes');
    expect(await localLock()).toMatchObject({ owner: 'run-expired' });
  });

  it('refuses while a live run has the local state open', async () => {
    // Prepare
    const live = await openState(undefined, NAMESPACE, { cwd: dir, command: 'apply', runId: 'run-live' });
    opened.push(live);
    await live.store.acquireLock('run-live', new Date(Date.now() + HOUR), new Date());
    const owner = JSON.parse(await readFile(join(dir, '.aicore-janitor', 'state.owner.json'), 'utf8')) as StateOwner;

    // Act
    process.env.JANITOR_STATE_WAIT_MS = '200';
    const io = capturedIo();
    const code = await main(['unlock', '--service-key', keyFile, '--yes'], io).finally(() => delete process.env.JANITOR_STATE_WAIT_MS);

    // Assess
    expect(code).toBe(1);
    expect(io.stderr()).toContain(
      `another aicore-janitor run is using ./.aicore-janitor (pid ${process.pid}, since ${owner.startedAt}): it is running, so nothing is unlocked`,
    );
    expect(io.stderr()).not.toMatch(/\n\s+at /);
    expect(await readLock(live.store)).toMatchObject({ owner: 'run-live' });
  });
});

describe('Command: unlock --table', () => {
  let dynamo: LocalDynamo;
  const saved = process.env.AWS_ENDPOINT_URL_DYNAMODB;

  beforeEach(async () => {
    dynamo = await startDynalite();
    await ensureTable(dynamoClient({ table: 'janitor', region: 'us-east-1', endpoint: dynamo.endpoint }), 'janitor');
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
  });
  afterEach(async () => {
    if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
    else process.env.AWS_ENDPOINT_URL_DYNAMODB = saved;
    await dynamo.stop();
  });

  it('refuses a live lease, naming the holder and when the lease ends, and releases it once the lease has ended', async () => {
    // Prepare
    const store = createStore({ table: 'janitor', region: 'us-east-1', endpoint: dynamo.endpoint }, NAMESPACE);
    const now = new Date();
    const until = new Date(now.getTime() + HOUR);
    await store.acquireLock('run-elsewhere', until, now);

    // Act
    const live = capturedIo();
    const refused = await main(['unlock', '--service-key', keyFile, '--table', 'janitor', '--yes'], live);
    await store.acquireLock('run-elsewhere', new Date(now.getTime() - 1_000), now); // its lease "ended"
    const ended = capturedIo();
    const released = await main(['unlock', '--service-key', keyFile, '--table', 'janitor', '--yes'], ended);

    // Assess
    expect(refused).toBe(1);
    expect(live.stderr()).toContain(
      `run run-elsewhere (started ${now.toISOString()}) holds the run lock until ${until.toISOString()} and its lease is live, so it stays.`,
    );
    expect(live.stderr()).toContain('state: DynamoDB table janitor');
    expect(live.stderr()).not.toMatch(/\n\s+at /);
    expect(released, ended.stderr()).toBe(0);
    expect(ended.stdout()).toContain('its lease has ended');
    expect(await readLock(store)).toBe('none');
    expect(existsSync(join(dir, '.aicore-janitor'))).toBe(false);
  });
});
