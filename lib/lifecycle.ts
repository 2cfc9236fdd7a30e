/**
 * The shared vocabulary of aicore-janitor: resource types, statuses, and the ONE table of legal
 * transitions. The policy engine, the AI API client's guard and the simulator all read this table,
 * so none of them can disagree about what may be stopped or deleted.
 *
 * Source: SAP AI Launchpad eligibility tables (see ../shared/ai-api/CONTRACT.md §7).
 */

const RESOURCE_TYPES = ['executions', 'deployments'] as const;
type ResourceType = (typeof RESOURCE_TYPES)[number];

/** The documented status enum. `UNKNOWN` is a real, deletable state (new deployments start in it). */
const STATUSES = ['PENDING', 'RUNNING', 'COMPLETED', 'DEAD', 'STOPPING', 'STOPPED', 'UNKNOWN'] as const;
type Status = (typeof STATUSES)[number];

const ACTIONS = ['stop', 'delete'] as const;
type Action = (typeof ACTIONS)[number];

/** The `targetStatus` each action asks AI Core for. */
const TARGET_STATUS = { stop: 'STOPPED', delete: 'DELETED' } as const satisfies Record<Action, string>;
type TargetStatus = (typeof TARGET_STATUS)[Action];

/**
 * Legal origin statuses per action and resource type. Nothing is legal from STOPPING: the item is
 * already on its way and must be waited for.
 */
const LEGAL_ORIGINS: Readonly<Record<Action, Readonly<Record<ResourceType, readonly Status[]>>>> = {
  stop: {
    executions: ['PENDING', 'RUNNING'],
    deployments: ['PENDING', 'RUNNING'],
  },
  delete: {
    executions: ['STOPPED', 'DEAD', 'UNKNOWN', 'COMPLETED'],
    deployments: ['STOPPED', 'DEAD', 'UNKNOWN'],
  },
};

/** True when `value` is one of the documented statuses; anything else never acts. */
function isKnownStatus(value: unknown): value is Status {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}

/**
 * Whether `action` is legal for an item of `type` currently in `status`.
 *
 * @example
 * isLegalTransition('executions', 'COMPLETED', 'delete'); // true
 * isLegalTransition('deployments', 'COMPLETED', 'delete'); // false
 */
function isLegalTransition(type: ResourceType, status: string, action: Action): boolean {
  return isKnownStatus(status) && LEGAL_ORIGINS[action][type].includes(status);
}

/** The action whose target is `targetStatus`, for reading ledger keys and bulk responses back. */
function actionForTarget(targetStatus: TargetStatus): Action {
  return targetStatus === 'STOPPED' ? 'stop' : 'delete';
}

export { RESOURCE_TYPES, STATUSES, ACTIONS, TARGET_STATUS, LEGAL_ORIGINS, isKnownStatus, isLegalTransition, actionForTarget };
export type { ResourceType, Status, Action, TargetStatus };
