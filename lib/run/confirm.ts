/**
 * "Scheduled" is not "done": AI Core answers 202 and acts later. An action is confirmed only when
 * a fresh listing shows it took effect (or, for a delete, that the item is gone).
 */
import type { TargetStatus } from '../lifecycle.js';
import type { Resource } from '../resources.js';

/** Whether the live item (undefined = no longer listed) shows `target` took effect. */
function isConfirmed(target: TargetStatus, live: Resource | undefined): boolean {
  if (target === 'DELETED') return live === undefined || live.item.targetStatus === 'DELETED';
  if (live === undefined) return false;
  return live.item.targetStatus === 'STOPPED' || live.item.status === 'STOPPING' || live.item.status === 'STOPPED';
}

export { isConfirmed };
