import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ITEM_STATES, type ItemState, type LedgerChunk, type LedgerItem } from '../../lib/store/records.js';
import {
  AWAITING_STATES,
  expiresAt,
  isAwaiting,
  isLegalMove,
  isOpenChunk,
  ITEM_TRANSITIONS,
  RETENTION_DAYS,
} from '../../lib/store/rules.js';

const FINAL_STATES = ['confirmed', 'failed', 'not-attempted'] as const satisfies readonly ItemState[];
const T0 = '2026-11-23T12:00:00.000Z';

/** Every state reachable from `from` by legal moves (including `from`). */
function reachable(from: ItemState): Set<ItemState> {
  const seen = new Set<ItemState>([from]);
  const queue: ItemState[] = [from];
  for (let state = queue.shift(); state !== undefined; state = queue.shift()) {
    for (const next of ITEM_TRANSITIONS[state]) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
}

function item(id: string, state: ItemState): LedgerItem {
  return { id, targetStatus: 'STOPPED', state, attempt: 1, sentAt: T0, updatedAt: T0, message: null };
}

function chunkOf(states: readonly ItemState[]): LedgerChunk {
  return {
    chunkId: 'c1',
    group: 'team-a',
    type: 'executions',
    runId: 'run-1',
    planHash: 'h',
    createdAt: T0,
    version: 0,
    items: states.map((state, i) => item(`e${String(i).padStart(7, '0')}`, state)),
  };
}

describe('Module: store rules', () => {
  describe('Constant: ITEM_TRANSITIONS', () => {
    it('has a row for every item state, naming only known states', () => {
      expect(Object.keys(ITEM_TRANSITIONS).sort()).toEqual([...ITEM_STATES].sort());
      for (const moves of Object.values(ITEM_TRANSITIONS)) for (const to of moves) expect(ITEM_STATES).toContain(to);
    });

    it.each(FINAL_STATES)('gives the final state %s no moves', (state) => {
      expect(ITEM_TRANSITIONS[state]).toEqual([]);
      expect(isAwaiting(state)).toBe(false);
    });

    it.each([...AWAITING_STATES])('lets the awaiting state %s reach confirmed (and failed)', (state) => {
      expect(reachable(state)).toContain('confirmed');
      expect(reachable(state)).toContain('failed');
    });

    it('never moves an item back to submitting (a re-send is a new entry)', () => {
      for (const state of ITEM_STATES) expect(ITEM_TRANSITIONS[state]).not.toContain('submitting');
    });

    it('lets only an item still submitting end not-attempted (one that was sent may have taken effect)', () => {
      const into = ITEM_STATES.filter((state) => ITEM_TRANSITIONS[state].includes('not-attempted'));

      expect(into).toEqual(['submitting']);
    });

    it('reaches every state from submitting, and settles along every path', () => {
      expect([...reachable('submitting')].sort()).toEqual([...ITEM_STATES].sort());
      // Every awaiting state can settle in one move.
      for (const state of AWAITING_STATES) expect(ITEM_TRANSITIONS[state].some((to) => !isAwaiting(to))).toBe(true);
    });
  });

  describe('Function: isLegalMove', () => {
    it('allows exactly the moves in the table, and staying put', () => {
      for (const from of ITEM_STATES) {
        for (const to of ITEM_STATES) expect(isLegalMove(from, to)).toBe(from === to || ITEM_TRANSITIONS[from].includes(to));
      }
    });

    it.each([
      ['confirmed', 'submitted'],
      ['failed', 'confirmed'],
      ['not-attempted', 'submitting'],
      ['submitted', 'unknown'],
      ['unknown', 'submitted'],
    ] as const)('refuses %s → %s', (from, to) => {
      expect(isLegalMove(from, to)).toBe(false);
    });
  });

  describe('Function: isOpenChunk', () => {
    it('is open while one item awaits AI Core', () => {
      expect(isOpenChunk(chunkOf(['submitting']))).toBe(true);
      expect(isOpenChunk(chunkOf(['confirmed', 'failed', 'unknown']))).toBe(true);
      expect(isOpenChunk(chunkOf(['submitted', 'not-attempted']))).toBe(true);
    });

    it('is settled when every item is final', () => {
      expect(isOpenChunk(chunkOf(['confirmed']))).toBe(false);
      expect(isOpenChunk(chunkOf(['confirmed', 'failed', 'not-attempted']))).toBe(false);
    });

    it('is open exactly when some item is in an awaiting state', () => {
      fc.assert(
        fc.property(fc.array(fc.constantFrom(...ITEM_STATES), { minLength: 1, maxLength: 100 }), (states) => {
          expect(isOpenChunk(chunkOf(states))).toBe(states.some((state) => AWAITING_STATES.has(state)));
        }),
      );
    });
  });

  describe('Function: expiresAt', () => {
    it('gives epoch seconds `days` after the instant', () => {
      const from = new Date('2026-11-23T12:00:00.999Z');

      expect(expiresAt(from, 0)).toBe(Math.floor(from.getTime() / 1000));
      expect(expiresAt(from, RETENTION_DAYS.ledger)).toBe(Date.parse('2027-02-21T12:00:00.000Z') / 1000);
    });
  });
});
