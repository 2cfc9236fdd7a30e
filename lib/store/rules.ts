/**
 * The store's rules in one place, shared by every adapter (as Powertools keeps expiry and status
 * checks in its persistence base): which ledger moves are legal, which states still await AI Core,
 * and how long each kind of record is kept.
 */
import type { ItemState, LedgerChunk } from './records.js';

/** Legal moves of one ledger item. Final states have none: a new attempt is a new entry. */
const ITEM_TRANSITIONS: Readonly<Record<ItemState, readonly ItemState[]>> = {
  submitting: ['submitted', 'unknown', 'confirmed', 'failed', 'not-attempted'],
  submitted: ['confirmed', 'failed'],
  unknown: ['confirmed', 'failed'],
  confirmed: [],
  failed: [],
  'not-attempted': [],
};

/** States whose outcome AI Core has not shown yet: the item must not be sent again blindly. */
const AWAITING_STATES: ReadonlySet<ItemState> = new Set(['submitting', 'submitted', 'unknown']);

/** Days each record is kept (the table's TTL attribute `expiresAt`; expiry is also compared in code). */
const RETENTION_DAYS = { ledger: 90, observation: 30, run: 30, trigger: 7, counter: 3, planAfterWindow: 7, noticeAfterEnd: 14 } as const;

const DAY_SECONDS = 86_400;

function isLegalMove(from: ItemState, to: ItemState): boolean {
  return from === to || ITEM_TRANSITIONS[from].includes(to);
}

function isAwaiting(state: ItemState): boolean {
  return AWAITING_STATES.has(state);
}

/** A chunk stays in the open set while any of its items awaits AI Core. */
function isOpenChunk(chunk: LedgerChunk): boolean {
  return chunk.items.some((item) => isAwaiting(item.state));
}

function expiresAt(from: Date, days: number): number {
  return Math.floor(from.getTime() / 1000) + days * DAY_SECONDS;
}

export { ITEM_TRANSITIONS, AWAITING_STATES, RETENTION_DAYS, isLegalMove, isAwaiting, isOpenChunk, expiresAt };
