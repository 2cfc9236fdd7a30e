/** Edge values of the small helpers: instants that look right but are not dates, durations too large to count. */
import fc from 'fast-check';
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

describe('Function: parseInstant (the fast path for YYYY-MM-DDTHH:MM:SSZ)', () => {
  /** The general reading, as parseInstant did it before it had a fast path. */
  function reference(text: string): number | null {
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i.test(text)) return null;
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? null : ms;
  }
  const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
  const shaped = fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')),
      two(19),
      two(39),
      two(29),
      two(69),
      two(69),
    )
    .map(([y, mo, d, h, mi, s]) => `${y}-${mo}-${d}T${h}:${mi}:${s}Z`);
  const mangled = fc
    .tuple(shaped, fc.integer({ min: 0, max: 19 }), fc.constantFrom('x', ' ', '-', ':', 'T', 'z', '1'))
    .map(([text, at, c]) => `${text.slice(0, at)}${c}${text.slice(at + 1)}`);

  it('reads every value exactly as the general reading does', () => {
    fc.assert(
      fc.property(fc.oneof(shaped, mangled), (text) => {
        expect(parseInstant(text)).toBe(reference(text));
      }),
      { numRuns: 5000 },
    );
    for (const text of [
      '2026-02-29T00:00:00Z',
      '2024-02-29T23:59:59Z',
      '2026-12-31T24:00:00Z',
      '2026-01-01T00:00:60Z',
      '0000-01-01T00:00:00Z',
    ]) {
      expect(parseInstant(text)).toBe(reference(text));
    }
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
