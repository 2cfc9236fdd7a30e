/**
 * The simulated tenant: groups and items, plus the lifecycle AI Core runs after it answers 202.
 * Time-driven changes (STOPPING → STOPPED, DELETED → gone) are applied lazily from the injected
 * clock at the start of every read, so tests move time instead of waiting for it.
 */
import { isLegalTransition, type Action, type ResourceType } from '../../../lib/lifecycle.js';
import type { Deployment, Execution } from '../../../lib/resources.js';
import { SimulatorFleet, type SimulatorGroup } from './fleet.js';
import { isoSeconds, type Clock } from './time.js';

type WireItem = Execution | Deployment;

interface Entry {
  item: WireItem;
  /** When a requested stop completes; null when none is pending (a fleet item loaded as STOPPING stays so). */
  stopAt: number | null;
  /** When a requested delete removes the item. */
  deleteAt: number | null;
  /** An accepted (202) request AI Core has not acted on yet: nothing about the item shows it. */
  pending: { action: Action; at: number } | null;
}

type TransitionResult = { ok: true } | { ok: false; reason: 'unknown' } | { ok: false; reason: 'ineligible'; status: string };

interface ListFilter {
  status?: string;
  scenarioId?: string;
  configurationId?: string;
  executableIds?: readonly string[];
  executionScheduleId?: string;
}

/** Stable order: createdAt (nulls first), then id, so `$skip` paging is deterministic. */
function byCreatedThenId(a: WireItem, b: WireItem): number {
  const ca = a.createdAt ?? '';
  const cb = b.createdAt ?? '';
  if (ca !== cb) return ca < cb ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

class FleetState {
  private readonly groups: SimulatorGroup[];
  private readonly items: Record<ResourceType, Map<string, Map<string, Entry>>> = { executions: new Map(), deployments: new Map() };

  constructor(
    fleet: SimulatorFleet,
    private readonly clock: Clock,
    private readonly delays: { stopMs: number; deleteMs: number; acceptMs: number },
  ) {
    const copy = structuredClone(fleet);
    this.groups = copy.resourceGroups;
    for (const group of this.groups) {
      for (const type of ['executions', 'deployments'] as const) {
        const byId = new Map<string, Entry>();
        for (const item of copy[type][group.resourceGroupId] ?? [])
          byId.set(item.id, { item, stopAt: null, deleteAt: null, pending: null });
        this.items[type].set(group.resourceGroupId, byId);
      }
    }
  }

  hasGroup(group: string): boolean {
    return this.groups.some((g) => g.resourceGroupId === group);
  }

  groupList(): readonly SimulatorGroup[] {
    return this.groups;
  }

  /** Matching items in stable order (live objects: callers must copy before handing them out). */
  list(type: ResourceType, group: string, filter: ListFilter = {}): WireItem[] {
    return [...this.entries(type, group).values()]
      .map((e) => e.item)
      .filter((item) => matches(item, filter))
      .sort(byCreatedThenId);
  }

  get(type: ResourceType, group: string, id: string): WireItem | undefined {
    return this.entries(type, group).get(id)?.item;
  }

  /** Applies a stop or delete if the lifecycle table allows it from the item's current status. */
  transition(type: ResourceType, group: string, id: string, action: Action): TransitionResult {
    const entry = this.entries(type, group).get(id);
    if (entry === undefined) return { ok: false, reason: 'unknown' };
    const { item } = entry;
    if (!isLegalTransition(type, item.status, action)) return { ok: false, reason: 'ineligible', status: item.status };
    // AI Core is already deleting it: a repeated delete is refused, as a repeated stop is (STOPPING).
    if (action === 'delete' && item.targetStatus === 'DELETED' && entry.pending === null)
      return { ok: false, reason: 'ineligible', status: item.status };
    const now = this.clock();
    if (this.delays.acceptMs > 0) {
      // The first accepted request decides when AI Core gets to it; repeats change nothing.
      entry.pending ??= { action, at: now + this.delays.acceptMs };
      return { ok: true };
    }
    this.apply(entry, type, action, now);
    return { ok: true };
  }

  /** Adds an item (fault injection: items appearing between pages). */
  add(type: ResourceType, group: string, item: WireItem): void {
    this.entries(type, group).set(item.id, { item, stopAt: null, deleteAt: null, pending: null });
  }

  /** Removes an item outright (fault injection: items vanishing between pages). */
  remove(type: ResourceType, group: string, id: string): void {
    this.entries(type, group).delete(id);
  }

  /** Moves every pending request, stop and delete whose time has come. */
  advance(): void {
    const now = this.clock();
    for (const type of ['executions', 'deployments'] as const) {
      for (const byId of this.items[type].values()) {
        for (const [id, entry] of byId) {
          if (entry.pending !== null && now >= entry.pending.at) {
            const { action, at } = entry.pending;
            entry.pending = null;
            if (isLegalTransition(type, entry.item.status, action)) this.apply(entry, type, action, at);
          }
          if (entry.stopAt !== null && now >= entry.stopAt) {
            entry.item.status = 'STOPPED';
            entry.item.completionTime = isoSeconds(entry.stopAt);
            entry.item.modifiedAt = isoSeconds(entry.stopAt);
            entry.stopAt = null;
          }
          if (entry.deleteAt !== null && now >= entry.deleteAt) byId.delete(id);
        }
      }
    }
  }

  /** What AI Core does once it acts on a stop or delete. */
  private apply(entry: Entry, type: ResourceType, action: Action, now: number): void {
    const { item } = entry;
    item.modifiedAt = isoSeconds(now);
    if (action === 'stop') {
      item.targetStatus = 'STOPPED';
      item.status = 'STOPPING';
      entry.stopAt = now + this.delays.stopMs;
      if (type === 'deployments') item.lastOperation = 'UPDATE';
    } else {
      item.targetStatus = 'DELETED';
      // A repeated delete keeps the first deadline: AI Core is already on it.
      entry.deleteAt ??= now + this.delays.deleteMs;
      if (type === 'deployments') item.lastOperation = 'DELETE';
    }
  }

  /** The current state as a snapshot: a deep copy, re-validated so it always loads back. */
  snapshot(): SimulatorFleet {
    const pick = (type: ResourceType): Record<string, WireItem[]> => {
      const out: Record<string, WireItem[]> = {};
      for (const g of this.groups) {
        const items = this.list(type, g.resourceGroupId);
        if (items.length > 0) out[g.resourceGroupId] = items;
      }
      return out;
    };
    return SimulatorFleet.parse(
      structuredClone({ resourceGroups: this.groups, executions: pick('executions'), deployments: pick('deployments') }),
    );
  }

  private entries(type: ResourceType, group: string): Map<string, Entry> {
    let byId = this.items[type].get(group);
    if (byId === undefined) {
      byId = new Map();
      this.items[type].set(group, byId);
    }
    return byId;
  }
}

function matches(item: WireItem, filter: ListFilter): boolean {
  if (filter.status !== undefined && item.status !== filter.status) return false;
  if (filter.scenarioId !== undefined && item.scenarioId !== filter.scenarioId) return false;
  if (filter.configurationId !== undefined && item.configurationId !== filter.configurationId) return false;
  if (filter.executableIds !== undefined && !filter.executableIds.includes(item.executableId ?? '')) return false;
  if (filter.executionScheduleId !== undefined && item.executionScheduleId !== filter.executionScheduleId) return false;
  return true;
}

export { FleetState, byCreatedThenId };
export type { WireItem, ListFilter, TransitionResult };
