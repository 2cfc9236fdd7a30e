/**
 * What this run makes of ledger entries earlier runs left open (sent, not yet seen to take
 * effect), judged against this run's fresh listing. Pure: the caller writes the moves.
 *
 * A mutation whose outcome is unknown is reconciled, never re-sent blind: if the listing shows the
 * change the entry is confirmed; if not, it keeps waiting until the resubmit guard has passed since
 * it was sent, and only then is it failed ("no effect seen") and — if the plan still wants it — sent
 * again as a new entry.
 */
import type { LedgerItem } from '../store/records.js';
import type { Resource } from '../resources.js';
import { isConfirmed } from './confirm.js';

type EarlierVerdict =
  | { kind: 'confirmed'; message: string }
  | { kind: 'waiting'; message: string }
  | { kind: 'no-effect'; message: string };

function judgeEarlier(item: LedgerItem, runId: string, live: Resource | undefined, now: Date, resubmitAfterMs: number): EarlierVerdict {
  const by = `sent by run ${runId} at ${item.sentAt}`;
  if (isConfirmed(item.targetStatus, live)) return { kind: 'confirmed', message: `${by}; confirmed by a later listing` };
  // A stop whose item is gone cannot show STOPPING any more: someone deleted it, which ends the cost too.
  if (live === undefined) return { kind: 'confirmed', message: `${by}; the item is no longer listed` };
  const age = now.getTime() - Date.parse(item.sentAt);
  if (!(age >= resubmitAfterMs)) {
    return {
      kind: 'waiting',
      message: `${by} (${item.state}); not visible yet, not sent again before ${Math.round(resubmitAfterMs / 60_000)} min without effect`,
    };
  }
  return { kind: 'no-effect', message: `${by} (${item.state}); no effect seen after ${Math.round(age / 60_000)} min` };
}

export { judgeEarlier };
export type { EarlierVerdict };
