/**
 * Facts from outside the fleet listing that the policy needs, passed in so that evaluate() stays
 * pure: the ledger's memory (first seen STOPPED, snoozes, notices) and the day's action count.
 */
import type { ResourceType } from '../lifecycle.js';
import type { Notice } from './notices.js';

interface Observations {
  /** `observationKey(...)` → ISO instant the item was first seen STOPPED (for grace periods). */
  firstSeenStopped: Readonly<Record<string, string>>;
  /** Resource id → ISO instant until which it is snoozed (protected). */
  snoozes: Readonly<Record<string, string>>;
  /** Actions already submitted today (UTC), for the per-day cap. */
  actionsToday: number;
  /** `observationKey(...)` → the heads-up notice recorded for the item (absent: none recorded). */
  notices?: Readonly<Record<string, Notice>>;
}

const NO_OBSERVATIONS: Observations = { firstSeenStopped: {}, snoozes: {}, actionsToday: 0 };

function observationKey(group: string, type: ResourceType, id: string): string {
  return `${group}#${type}#${id}`;
}

export { NO_OBSERVATIONS, observationKey };
export type { Observations };
