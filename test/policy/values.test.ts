/** Edge values of the small helpers: instants that look right but are not dates, durations too large to count. */
import { describe, expect, it } from 'vitest';
import { durationSeconds } from '../../lib/policy/duration.js';
import { canonicalJson } from '../../lib/policy/hash.js';
import { evaluate, NO_OBSERVATIONS } from '../../lib/policy/index.js';
import { parseInstant, parseInstantOrDate } from '../../lib/policy/time.js';
import { NOW, group, policy } from './factories.js';

describe('Function: parseInstant', () => {
  it('rejects text shaped like an instant that is no date', () => {
    expect(parseInstant('2026-13-45T00:00:00Z')).toBeNull();
    expect(parseInstantOrDate('2026-13-45')).toBeNull();
    expect(parseInstantOrDate('2026-12-01')).toBe(Date.parse('2026-12-01T00:00:00Z'));
    expect(parseInstant(1_767_225_600_000)).toBeNull();
  });
});

describe('Function: durationSeconds', () => {
  it('refuses a duration too large to count exactly', () => {
    expect(durationSeconds('99999999999999w')).toBeNull();
    expect(durationSeconds('1w1d1h1m')).toBe(604_800 + 86_400 + 3_600 + 60);
  });
});

describe('Function: canonicalJson', () => {
  it('writes undefined list members as null, leaves undefined members out and writes nothing as null', () => {
    expect(canonicalJson([1, undefined, { b: undefined, a: [undefined] }])).toBe('[1,null,{"a":[null]}]');
    expect(canonicalJson(undefined)).toBe('null');
  });
});

describe('Function: evaluate (unparseable items)', () => {
  it('orders items without an id after those with one, and keeps each of them', () => {
    const fleet = [
      group('g', {
        unparseable: [
          { type: 'executions', id: null, reason: 'b' },
          { type: 'executions', id: 'e0009', reason: 'c' },
          { type: 'executions', id: null, reason: 'a' },
        ],
      }),
    ];
    const plan = evaluate({ fleet, policy: policy({ rules: [] }), now: NOW, observations: NO_OBSERVATIONS });
    expect(plan.groups[0]?.skipped.map((s) => `${s.id ?? '-'}:${s.reason}`)).toEqual([
      'e0009:item could not be parsed: c',
      '-:item could not be parsed: a',
      '-:item could not be parsed: b',
    ]);
  });
});
