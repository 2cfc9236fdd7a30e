/**
 * `unlock`: releases the run lock of the service key's tenant when its holder cannot come back —
 * its lease has passed, or (local state) its process is gone — after asking on a terminal.
 *
 * With local state the second test needs no pid: every run keeps `./.aicore-janitor` open until it
 * has released its lock, and only one process can have it open. So once `unlock` has opened it, a
 * run lock still in it belongs to a process that died (killed, out of memory, power cut). The pid
 * it had is shown when the owner file it left behind names the run. With `--table` a holder may
 * run anywhere, so only an ended lease counts. Stale owner files are cleared either way.
 */
import { randomUUID } from 'node:crypto';
import { tenantNamespace } from '../lib/aicore/tenant.js';
import type { LockStore } from '../lib/store/ports.js';
import type { LockRecord } from '../lib/store/records.js';
import { EXIT, InputError, type CliArgs } from './args.js';
import type { CliIo } from './io.js';
import { serviceKeyFor } from './service-key.js';
import { clearCrashed, clearStaleOwner, describeOwner, openState, StateBusyError, type CliState } from './state.js';
import { CliError } from './errors.js';

/** The lock is held by a run that may still be working: nothing was released. */
class UnlockRefusedError extends CliError {
  override name = 'UnlockRefusedError';
}

type UnlockArgs = Pick<CliArgs, 'serviceKey' | 'table' | 'yes'>;

interface UnlockOptions {
  clock?: () => Date;
  /** Passed to openState (tests). */
  waitMs?: number;
}

/**
 * @example await unlockCommand({ serviceKey: 'key.json', table: undefined, yes: false }, processIo()) // asks, then 0
 */
async function unlockCommand(args: UnlockArgs, io: CliIo, options: UnlockOptions = {}): Promise<number> {
  const clock = options.clock ?? (() => new Date());
  const key = await serviceKeyFor(args);
  const state = await openForUnlock(args, tenantNamespace(key), io, options.waitMs);
  try {
    io.err(`state: ${state.describe}`);
    const holder = await readLock(state.store);
    if (holder === 'none') {
      io.out('No run lock is held for this tenant: nothing to unlock.');
      if (state.kind === 'local') await forgetCrashed(state, io);
      return EXIT.ok;
    }
    if (holder === 'unreadable')
      throw new UnlockRefusedError('the run lock record cannot be read, so its holder cannot be checked; nothing was released');

    const now = clock();
    const until = new Date(holder.leaseUntil).toISOString();
    const who = `run ${holder.owner}${holder.acquiredAt === undefined ? '' : ` (started ${holder.acquiredAt})`}`;
    const reason = whyReleasable(holder, state, now);
    if (reason === undefined) {
      throw new UnlockRefusedError(
        `${who} holds the run lock until ${until} and its lease is live, so it stays. With --table only an ended lease counts (whether that run's process is alive cannot be seen from here): after ${until} the next run takes the lock by itself.`,
      );
    }
    if (!args.yes) {
      if (!io.isInteractive) throw new InputError('unlock needs a terminal to confirm, or --yes');
      const answer = await io.ask(`Release the run lock of ${who}, lease until ${until}: ${reason}? [y/N] `);
      if (answer === null || !/^y(es)?$/i.test(answer.trim())) {
        io.out('Declined: the run lock stays.');
        return EXIT.ok;
      }
    }
    // Conditional on the owner: a run that took the lock since it was read keeps it.
    await state.store.releaseLock(holder.owner);
    const after = await readLock(state.store);
    if (after !== 'none' && (after === 'unreadable' || after.owner === holder.owner))
      throw new UnlockRefusedError(`the run lock of ${who} could not be released`);
    if (state.kind === 'local') await forgetCrashed(state, io);
    io.out(
      `Released the run lock of ${who}, lease until ${until}: ${reason}.${after === 'none' ? '' : ` Run ${after.owner} has taken it since.`}`,
    );
    return EXIT.ok;
  } finally {
    await state.close();
  }
}

/** The local state is ours alone now: every stale owner record is of a run that died. */
async function forgetCrashed(state: CliState, io: CliIo): Promise<void> {
  if (state.crashed.length > 0)
    io.err(
      `cleared ${state.crashed.length} stale owner record(s) of runs that died: ${state.crashed.map((c) => `${c.command} ${describeOwner(c)}`).join('; ')}`,
    );
  await clearCrashed();
}

/** Opens the state; a live holder of the local state is a refusal, a stale owner file is cleared. */
async function openForUnlock(args: UnlockArgs, namespace: string, io: CliIo, waitMs: number | undefined): Promise<CliState> {
  try {
    return await openState(args.table, namespace, {
      command: 'unlock',
      onWait: (m) => io.err(m),
      ...(waitMs === undefined ? {} : { waitMs }),
    });
  } catch (error) {
    if (!(error instanceof StateBusyError)) throw error;
    if (error.liveness === 'gone') {
      const cleared = await clearStaleOwner();
      const what = cleared === undefined ? '' : `Removed the stale owner record (${cleared.command}, ${describeOwner(cleared)}). `;
      throw new UnlockRefusedError(
        `${what}The local state is still open in a process that did not record itself (an older aicore-janitor?), so its run lock cannot be checked; wait for that process to finish, then run unlock again.`,
        { cause: error },
      );
    }
    throw new UnlockRefusedError(`${error.message}: it is running, so nothing is unlocked (wait for it to finish, or stop it first)`, {
      cause: error,
    });
  }
}

/** Why the lock may be released, or undefined when its holder may still be working. */
function whyReleasable(holder: LockRecord, state: CliState, now: Date): string | undefined {
  // The same comparison acquireLock makes: a lease that ended is free for any run to take.
  if (holder.leaseUntil < now.getTime()) return 'its lease has ended';
  if (state.kind === 'table') return undefined;
  const crashed = state.crashed.find((c) => c.runId === holder.owner);
  return crashed === undefined
    ? 'its process is gone (no other process has the local state open)'
    : `its process (${crashed.command}, ${describeOwner(crashed)}) is gone`;
}

/**
 * The lock record, through the lock port alone. A probe "acquires" with now = the epoch: no real
 * lease ends before it, so only an absent lock is taken — with a lease that ended at once (any run
 * may take it), and the probe deletes it again, conditionally on being its owner.
 */
async function readLock(store: LockStore): Promise<LockRecord | 'none' | 'unreadable'> {
  const probe = `unlock-probe:${randomUUID()}`;
  const epoch = new Date(0);
  const attempt = await store.acquireLock(probe, epoch, epoch);
  if (attempt.acquired) {
    await store.releaseLock(probe);
    return 'none';
  }
  return attempt.holder ?? 'unreadable';
}

export { unlockCommand, readLock, UnlockRefusedError };
export type { UnlockOptions };
