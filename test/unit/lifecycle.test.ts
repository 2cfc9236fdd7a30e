import { describe, expect, it } from 'vitest';
import { isKnownStatus, isLegalTransition, STATUSES } from '../../lib/lifecycle.js';

describe('lifecycle', () => {
  it('allows stop only from PENDING and RUNNING', () => {
    const stoppable = STATUSES.filter((s) => isLegalTransition('executions', s, 'stop'));
    expect(stoppable).toEqual(['PENDING', 'RUNNING']);
    expect(STATUSES.filter((s) => isLegalTransition('deployments', s, 'stop'))).toEqual(['PENDING', 'RUNNING']);
  });

  it('allows delete of COMPLETED for executions but not deployments', () => {
    expect(STATUSES.filter((s) => isLegalTransition('executions', s, 'delete'))).toEqual(['COMPLETED', 'DEAD', 'STOPPED', 'UNKNOWN']);
    expect(STATUSES.filter((s) => isLegalTransition('deployments', s, 'delete'))).toEqual(['DEAD', 'STOPPED', 'UNKNOWN']);
  });

  it('allows nothing from STOPPING or from an undocumented status', () => {
    for (const action of ['stop', 'delete'] as const) {
      expect(isLegalTransition('executions', 'STOPPING', action)).toBe(false);
      expect(isLegalTransition('deployments', 'DELETING', action)).toBe(false);
    }
    expect(isKnownStatus('UNKNOWN')).toBe(true);
    expect(isKnownStatus('DELETING')).toBe(false);
  });
});
