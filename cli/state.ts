/**
 * Where the CLI keeps its ledger: by default an embedded LevelDB database under
 * `./.aicore-janitor/state/` (so a terminal user needs no AWS account, and the ledger costs no more
 * than the API calls), or a real DynamoDB table. Either way the records are namespaced by the
 * tenant of the service key in use. Local state is per directory: runs in another directory (or
 * against a table) neither see this ledger nor this run lock.
 *
 * One process at a time may have the local state open (LevelDB's own lock). A second one waits a
 * few seconds for the first, then exits naming it: each holder writes an owner file
 * (`./.aicore-janitor/state.owner.json`: pid, host, start, command, run id) after opening and
 * removes it before closing. An owner file left by a process that died is stale: the next opener
 * keeps what it said in `crashed-runs.json` (so `unlock` can tell whose run lock it is) and
 * replaces it.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { isAbsolute, join, relative, sep } from 'node:path';
import * as z from 'zod';
import { LevelStore, StateLockedError } from '../lib/store/level.js';
import { sleep } from '../lib/util/time.js';
import type { ChatOpsStore, GroupLockStore, JanitorStore, StagingStore } from '../lib/store/ports.js';
import { CliError } from './errors.js';
import { errorCode } from '../lib/util/errors.js';

const LOCAL_STATE_DIR = '.aicore-janitor';
const OWNER_FILE = 'state.owner.json';
const CRASHED_FILE = 'crashed-runs.json';
/** How long a second process waits for the local state by default. */
const DEFAULT_STATE_WAIT_MS = 5_000;
/** Overrides the wait (milliseconds), e.g. for tests or a cron job that should wait longer. */
const STATE_WAIT_ENV = 'JANITOR_STATE_WAIT_MS';
/** Stale owner records kept for `unlock`: more would only be older crashes. */
const CRASHED_KEPT = 20;

/** Who has the local state open (tolerant: the file may come from another version). */
const StateOwner = z.object({
  pid: z.number().int().positive(),
  startedAt: z.string(),
  command: z.string(),
  hostname: z.string().optional(),
  runId: z.string().optional(),
});
type StateOwner = z.infer<typeof StateOwner>;
const CrashedRuns = z.array(StateOwner);

/** The local state is held by another process, still after waiting: exit 1 naming the holder. */
class StateBusyError extends CliError {
  override name = 'StateBusyError';
  constructor(
    message: string,
    /** The owner file as found; undefined when there was none (or it was unreadable). */
    readonly owner: StateOwner | undefined,
    /** Whether that owner's process is alive (`unknown` on another host). */
    readonly liveness: Liveness | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

type Liveness = 'alive' | 'gone' | 'unknown';

interface CliState {
  store: JanitorStore & ChatOpsStore;
  kind: 'local' | 'table';
  /** One line for `state: …`: where the ledger lives and who else sees it. */
  describe: string;
  /** Local: processes that died with the state open, newest first (from `crashed-runs.json`). */
  crashed: readonly StateOwner[];
  /** The same state under another tenant namespace (`--tenants FILE`: one namespace per tenant). */
  forNamespace(namespace: string): JanitorStore & StagingStore & GroupLockStore;
  close(): Promise<void>;
}

interface OpenStateOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Recorded in the owner file: `plan`, `apply`, `ledger`, … */
  command?: string;
  /** Recorded in the owner file: the run id that may take the run lock. */
  runId?: string;
  /** How long to wait for another process to close the local state (default: $JANITOR_STATE_WAIT_MS or 5 s). */
  waitMs?: number;
  /** Called once when the state is busy and this process starts waiting. */
  onWait?: (message: string) => void;
}

/**
 * `--table NAME`, else `$JANITOR_TABLE`, else local state in the working directory (waiting for
 * another process that has it open; StateBusyError names that process when the wait runs out).
 * @example const state = await openState(args.table, tenantNamespace(key), { command: 'plan', runId }); try { … } finally { await state.close(); }
 */
async function openState(tableFlag: string | undefined, namespace: string, options: OpenStateOptions = {}): Promise<CliState> {
  const env = options.env ?? process.env;
  const region = env.AWS_REGION ?? 'us-east-1';
  const table = tableFlag ?? (env.JANITOR_TABLE === '' ? undefined : env.JANITOR_TABLE);
  if (table !== undefined) {
    // The AWS SDK is loaded only for a table: local runs never pay for it.
    const { createStore } = await import('../lib/store/factory.js');
    return {
      store: createStore({ table, region }, namespace),
      kind: 'table',
      describe: `DynamoDB table ${table}`,
      crashed: [],
      forNamespace: (tenant) => createStore({ table, region }, tenant),
      close: () => Promise.resolve(),
    };
  }
  const cwd = options.cwd ?? process.cwd();
  const root = join(cwd, LOCAL_STATE_DIR);
  const shown = displayPath(cwd, root);
  await mkdir(join(root, 'state'), { recursive: true });
  const store = await openWaiting(root, shown, namespace, options.waitMs ?? waitFromEnv(env), options.onWait);

  // From here until close this process alone has the state open: an owner file still present
  // was left by a process that died, never by a live one.
  const me: StateOwner = {
    pid: process.pid,
    startedAt: new Date().toISOString(),
    command: options.command ?? 'aicore-janitor',
    hostname: hostname(),
    ...(options.runId === undefined ? {} : { runId: options.runId }),
  };
  let crashed: StateOwner[];
  try {
    crashed = await keepStaleOwner(root, await readOwner(root));
    await writeJson(join(root, OWNER_FILE), me);
  } catch (error) {
    await store.close();
    throw error;
  }
  return {
    store,
    kind: 'local',
    describe: `local ${shown}/state (per directory: runs in other directories or tables do not see this ledger)`,
    crashed,
    forNamespace: (tenant) => store.forNamespace(tenant),
    close: async () => {
      // Removed while the database is still held, so it never deletes the next holder's file.
      const current = await readOwner(root);
      if (current !== undefined && current.pid === me.pid && current.startedAt === me.startedAt)
        await rm(join(root, OWNER_FILE), { force: true });
      await store.close();
    },
  };
}

/** Retries while another process holds LevelDB's lock: 50 ms, doubling to 500 ms, until `waitMs`. */
async function openWaiting(
  root: string,
  shown: string,
  namespace: string,
  waitMs: number,
  onWait?: (message: string) => void,
): Promise<LevelStore> {
  const started = Date.now();
  let delay = 50;
  let told = false;
  for (;;) {
    try {
      return await LevelStore.open(join(root, 'state'), namespace);
    } catch (error) {
      if (!(error instanceof StateLockedError)) throw error;
      const left = waitMs - (Date.now() - started);
      if (left <= 0) throw await busyError(root, shown, error);
      if (!told && onWait !== undefined) {
        // The holder writes its owner file just after opening: give it a moment to appear.
        const owner = await readOwner(root);
        if (owner !== undefined || Date.now() - started >= 250) {
          onWait(
            `${shown} is in use${owner === undefined ? '' : ` by pid ${owner.pid} (${owner.command}, since ${owner.startedAt})`}; waiting up to ${formatSeconds(waitMs)} for it to finish`,
          );
          told = true;
        }
      }
      await sleep(Math.min(delay, left));
      delay = Math.min(delay * 2, 500);
    }
  }
}

async function busyError(root: string, shown: string, cause: StateLockedError): Promise<StateBusyError> {
  const owner = await readOwner(root);
  if (owner === undefined) {
    return new StateBusyError(
      `another process is using ${shown} and left no owner record (an older aicore-janitor?); wait for it to finish`,
      undefined,
      undefined,
      { cause },
    );
  }
  const liveness = livenessOf(owner);
  if (liveness === 'gone') {
    return new StateBusyError(
      `another process is using ${shown}, but its recorded holder (pid ${owner.pid}, since ${owner.startedAt}) is gone; run \`aicore-janitor unlock\` to clear the stale record, and wait for the other process to finish`,
      owner,
      liveness,
      { cause },
    );
  }
  return new StateBusyError(`another aicore-janitor run is using ${shown} (${describeOwner(owner)})`, owner, liveness, { cause });
}

/** `pid N, since T`, with the host when it is not this one. */
function describeOwner(owner: StateOwner): string {
  const elsewhere = owner.hostname !== undefined && owner.hostname !== hostname() ? ` on host ${owner.hostname}` : '';
  return `pid ${owner.pid}${elsewhere}, since ${owner.startedAt}`;
}

/** `process.kill(pid, 0)`: ESRCH means gone; EPERM means it exists (another user's). */
function livenessOf(owner: Pick<StateOwner, 'pid' | 'hostname'>): Liveness {
  if (owner.hostname !== undefined && owner.hostname !== hostname()) return 'unknown';
  try {
    process.kill(owner.pid, 0);
    return 'alive';
  } catch (error) {
    return errorCode(error) === 'ESRCH' ? 'gone' : 'alive';
  }
}

/**
 * Removes an owner file whose process is gone (never a live one's, nor one from another host).
 * @returns the record removed, if any.
 */
async function clearStaleOwner(cwd = process.cwd()): Promise<StateOwner | undefined> {
  const root = join(cwd, LOCAL_STATE_DIR);
  const owner = await readOwner(root);
  if (owner === undefined || livenessOf(owner) !== 'gone') return undefined;
  await keepStaleOwner(root, owner);
  await rm(join(root, OWNER_FILE), { force: true });
  return owner;
}

/** Forgets the crashed runs `unlock` has dealt with. */
async function clearCrashed(cwd = process.cwd()): Promise<void> {
  await rm(join(cwd, LOCAL_STATE_DIR, CRASHED_FILE), { force: true });
}

/** Adds a stale owner record (if it named a run) to `crashed-runs.json`; returns the list, newest first. */
async function keepStaleOwner(root: string, stale: StateOwner | undefined): Promise<StateOwner[]> {
  const path = join(root, CRASHED_FILE);
  const parsed = CrashedRuns.safeParse(await readJson(path));
  const known = parsed.success ? parsed.data : [];
  if (stale?.runId === undefined || known.some((c) => c.runId === stale.runId)) return known;
  const crashed = [stale, ...known].slice(0, CRASHED_KEPT);
  await writeJson(path, crashed);
  return crashed;
}

async function readOwner(root: string): Promise<StateOwner | undefined> {
  const parsed = StateOwner.safeParse(await readJson(join(root, OWNER_FILE)));
  return parsed.success ? parsed.data : undefined;
}

/** A missing or unreadable file reads as undefined: these files are hints, never trusted blindly. */
async function readJson(path: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** Written to a temporary file first, so a reader never sees half a record. */
async function writeJson(path: string, value: unknown): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, 2)}\n`);
  await rename(temporary, path);
}

/** `./.aicore-janitor` under the working directory, else the absolute path. */
function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? path : `.${sep}${rel}`;
}

function waitFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env[STATE_WAIT_ENV];
  const ms = raw === undefined || raw === '' ? Number.NaN : Number(raw);
  return Number.isFinite(ms) && ms >= 0 ? ms : DEFAULT_STATE_WAIT_MS;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}

export {
  openState,
  clearStaleOwner,
  clearCrashed,
  describeOwner,
  livenessOf,
  StateBusyError,
  StateOwner,
  LOCAL_STATE_DIR,
  DEFAULT_STATE_WAIT_MS,
  STATE_WAIT_ENV,
};
export type { CliState, Liveness, OpenStateOptions };
