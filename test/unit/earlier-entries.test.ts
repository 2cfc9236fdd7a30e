import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { judgeEarlier } from '../../lib/run/earlier-entries.js';
import type { Resource } from '../../lib/resources.js';
import type { LedgerItem } from '../../lib/store/records.js';
import { deployment, execution } from '../helpers/fleet.js';

const SENT = new Date('2026-11-23T12:00:00.000Z');
const MINUTE = 60_000;
const GUARD = 30 * MINUTE;

function entry(targetStatus: LedgerItem['targetStatus'], extra: Partial<LedgerItem> = {}): LedgerItem {
  return {
    id: 'e0000001',
    targetStatus,
    state: 'submitted',
    attempt: 1,
    sentAt: SENT.toISOString(),
    updatedAt: SENT.toISOString(),
    message: null,
    ...extra,
  };
}

function listedExecution(status: string, targetStatus: string | null): Resource {
  return { type: 'executions', group: 'team-a', item: execution('e0000001', status, { targetStatus }) };
}

function listedDeployment(status: string, targetStatus: string | null): Resource {
  return { type: 'deployments', group: 'team-a', item: deployment('e0000001', status, { targetStatus }) };
}

const later = (ms: number) => new Date(SENT.getTime() + ms);

describe('Function: judgeEarlier', () => {
  describe('a stop', () => {
    it.each([
      { shows: 'targetStatus STOPPED', live: listedExecution('RUNNING', 'STOPPED') },
      { shows: 'status STOPPING', live: listedExecution('STOPPING', 'RUNNING') },
      { shows: 'status STOPPED', live: listedExecution('STOPPED', 'RUNNING') },
      { shows: 'a deployment with status STOPPED', live: listedDeployment('STOPPED', 'RUNNING') },
    ])('is confirmed when the listing shows $shows', ({ live }) => {
      // Act
      const verdict = judgeEarlier(entry('STOPPED'), 'run-1', live, later(MINUTE), GUARD);

      // Assess
      expect(verdict).toEqual({ kind: 'confirmed', message: `sent by run run-1 at ${SENT.toISOString()}; confirmed by a later listing` });
    });

    it('is confirmed when its item is no longer listed (someone deleted it)', () => {
      const verdict = judgeEarlier(entry('STOPPED'), 'run-1', undefined, later(MINUTE), GUARD);

      expect(verdict).toEqual({ kind: 'confirmed', message: `sent by run run-1 at ${SENT.toISOString()}; the item is no longer listed` });
    });

    it('is confirmed by the listing even long after the guard', () => {
      expect(judgeEarlier(entry('STOPPED'), 'run-1', listedExecution('STOPPED', 'STOPPED'), later(10 * GUARD), GUARD).kind).toBe(
        'confirmed',
      );
    });
  });

  describe('a delete', () => {
    it.each([
      { shows: 'targetStatus DELETED', live: listedDeployment('STOPPED', 'DELETED') },
      { shows: 'the item gone', live: undefined },
    ])('is confirmed when the listing shows $shows', ({ live }) => {
      const verdict = judgeEarlier(entry('DELETED'), 'run-1', live, later(MINUTE), GUARD);

      expect(verdict).toEqual({ kind: 'confirmed', message: `sent by run run-1 at ${SENT.toISOString()}; confirmed by a later listing` });
    });

    it('is not confirmed by a STOPPED item that is still listed', () => {
      expect(judgeEarlier(entry('DELETED'), 'run-1', listedDeployment('STOPPED', 'STOPPED'), later(MINUTE), GUARD).kind).toBe('waiting');
    });
  });

  describe('without an effect seen', () => {
    const running = listedExecution('RUNNING', 'RUNNING');

    it('waits within the resubmit guard', () => {
      for (const age of [0, MINUTE, GUARD - 1]) {
        expect(judgeEarlier(entry('STOPPED', { state: 'unknown' }), 'run-1', running, later(age), GUARD)).toEqual({
          kind: 'waiting',
          message: `sent by run run-1 at ${SENT.toISOString()} (unknown); not visible yet, not sent again before 30 min without effect`,
        });
      }
    });

    it('has had no effect once the guard has passed', () => {
      expect(judgeEarlier(entry('STOPPED'), 'run-1', running, later(GUARD), GUARD)).toEqual({
        kind: 'no-effect',
        message: `sent by run run-1 at ${SENT.toISOString()} (submitted); no effect seen after 30 min`,
      });
      expect(judgeEarlier(entry('STOPPED'), 'run-1', running, later(95 * MINUTE), GUARD).message).toMatch(/no effect seen after 95 min$/);
    });

    it('waits, and is never re-sent, when the time it was sent cannot be read', () => {
      expect(judgeEarlier(entry('STOPPED', { sentAt: 'not a date' }), 'run-1', running, later(100 * GUARD), GUARD).kind).toBe('waiting');
    });

    it('waits when the clock reads earlier than the send (skew between hosts)', () => {
      expect(judgeEarlier(entry('STOPPED'), 'run-1', running, later(-5 * MINUTE), GUARD).kind).toBe('waiting');
    });
  });

  describe('Property: never blind', () => {
    const statuses = fc.constantFrom('UNKNOWN', 'PENDING', 'RUNNING', 'COMPLETED', 'DEAD', 'STOPPING', 'STOPPED', 'DELETING', 'WEIRD');
    const targets = fc.constantFrom(null, 'RUNNING', 'COMPLETED', 'STOPPED', 'DELETED');
    const live: fc.Arbitrary<Resource | undefined> = fc.option(
      fc
        .tuple(fc.boolean(), statuses, targets)
        .map(([isExecution, status, target]) => (isExecution ? listedExecution(status, target) : listedDeployment(status, target))),
      { nil: undefined },
    );
    const target = fc.constantFrom<LedgerItem['targetStatus']>('STOPPED', 'DELETED');
    const state = fc.constantFrom<LedgerItem['state']>('submitting', 'submitted', 'unknown');

    it('never finds no effect before the resubmit guard has passed', () => {
      fc.assert(
        fc.property(
          target,
          state,
          live,
          fc.integer({ min: -GUARD, max: 10 * GUARD }),
          fc.integer({ min: 0, max: 5 * GUARD }),
          (targetStatus, itemState, listed, age, guard) => {
            const verdict = judgeEarlier(entry(targetStatus, { state: itemState }), 'run-1', listed, later(age), guard);
            if (age < guard) expect(verdict.kind).not.toBe('no-effect');
            if (verdict.kind === 'no-effect') {
              expect(listed).toBeDefined();
              expect(age).toBeGreaterThanOrEqual(guard);
            }
          },
        ),
      );
    });

    it('judges an item that is gone confirmed, whatever its age', () => {
      fc.assert(
        fc.property(target, state, fc.integer({ min: -GUARD, max: 10 * GUARD }), (targetStatus, itemState, age) => {
          expect(judgeEarlier(entry(targetStatus, { state: itemState }), 'run-1', undefined, later(age), GUARD).kind).toBe('confirmed');
        }),
      );
    });
  });
});
