/**
 * A test-only seam: wraps a real store and switches one safety guard off, so each safety test can
 * show that it fails without the guard it is about (and so cannot pass vacuously).
 */
import type { JanitorStore, TriggerBegin } from '../../lib/store/ports.js';

interface GuardsOff {
  /** The ledger forgets: no open entries are ever read back and nothing is written. */
  ledger?: boolean;
  /** beginTrigger() never remembers a trigger. */
  trigger?: boolean;
  /** A trigger still `running` past its lease is treated as a duplicate forever (the old behaviour). */
  healing?: boolean;
  /** acquireLock() always succeeds. */
  lock?: boolean;
  /** renewLock() reports success without extending (or checking) anything. */
  renewal?: boolean;
}

function withGuardsOff(store: JanitorStore, off: GuardsOff): JanitorStore {
  return {
    get requests() {
      return store.requests;
    },
    openChunks: off.ledger ? () => Promise.resolve([]) : (group) => store.openChunks(group),
    writeChunks: off.ledger ? () => Promise.resolve() : (changes) => store.writeChunks(changes),
    ledger: (group) => store.ledger(group),
    observations: (groups, now, options) => store.observations(groups, now, options),
    writeNotices: (changes) => store.writeNotices(changes),
    snoozeNotices: (id, until, by, reason) => store.snoozeNotices(id, until, by, reason),
    recordStopped: (items, now) => store.recordStopped(items, now),
    countActions: (n, now) => store.countActions(n, now),
    recordRun: (run) => store.recordRun(run),
    recentRuns: (limit) => store.recentRuns(limit),
    acquireLock: off.lock ? () => Promise.resolve({ acquired: true }) : (owner, until, now) => store.acquireLock(owner, until, now),
    renewLock: off.renewal ? () => Promise.resolve(true) : (owner, until) => store.renewLock(owner, until),
    releaseLock: (owner) => store.releaseLock(owner),
    beginTrigger: off.trigger
      ? () => Promise.resolve({ kind: 'new' })
      : async (id, runId, now, leaseUntil): Promise<TriggerBegin> => {
          const begin = await store.beginTrigger(id, runId, now, leaseUntil);
          return off.healing && begin.kind === 'retry' && begin.earlier.state === 'running'
            ? { kind: 'duplicate', earlier: begin.earlier }
            : begin;
        },
    finishTrigger: (id, runId, state, summary) => store.finishTrigger(id, runId, state, summary),
  };
}

export { withGuardsOff };
export type { GuardsOff };
