/**
 * A test-only seam: wraps a real store and switches one safety guard off, so each safety test can
 * show that it fails without the guard it is about (and so cannot pass vacuously).
 */
import type { JanitorStore, LedgerEntry } from '../../lib/store/store.js';

interface GuardsOff {
  /** claim() always succeeds and transition() records nothing: no double-submission protection. */
  ledger?: boolean;
  /** beginTrigger() never remembers a trigger. */
  trigger?: boolean;
  /** acquireLock() always succeeds. */
  lock?: boolean;
}

function withGuardsOff(store: JanitorStore, off: GuardsOff): JanitorStore {
  return {
    observations: (groups, now) => store.observations(groups, now),
    recordStopped: (items, now) => store.recordStopped(items, now),
    openEntries: (group) => store.openEntries(group),
    getEntry: (key) => store.getEntry(key),
    claim: off.ledger
      ? (key, meta): Promise<LedgerEntry> =>
          Promise.resolve({ ...key, state: 'submitting', planHash: meta.planHash, runId: meta.runId, attempts: 1, updatedAt: meta.now.toISOString(), lastError: null })
      : (key, meta) => store.claim(key, meta),
    transition: off.ledger ? () => Promise.resolve() : (key, from, to, meta) => store.transition(key, from, to, meta),
    countActions: (n, now) => store.countActions(n, now),
    recordRun: (run) => store.recordRun(run),
    recentRuns: (limit) => store.recentRuns(limit),
    acquireLock: off.lock ? () => Promise.resolve(true) : (owner, until, now) => store.acquireLock(owner, until, now),
    releaseLock: (owner) => store.releaseLock(owner),
    beginTrigger: off.trigger ? () => Promise.resolve(undefined) : (id, runId, now) => store.beginTrigger(id, runId, now),
    finishTrigger: (id, state, summary) => store.finishTrigger(id, state, summary),
  };
}

export { withGuardsOff };
export type { GuardsOff };
