import { describe, expect, it } from 'vitest';
import { durationSeconds, formatAge } from '../../lib/policy/duration.js';

describe('Function: durationSeconds', () => {
  it.each([
    ['30m', 1800],
    ['36h', 129_600],
    ['7d', 604_800],
    ['2w', 1_209_600],
    ['1d12h', 129_600],
    ['1w2d3h4m', 604_800 + 2 * 86_400 + 3 * 3600 + 240],
    ['0m', 0],
  ])('reads %s as %i seconds', (text, seconds) => {
    expect(durationSeconds(text)).toBe(seconds);
  });

  it.each(['', '1', 'h', '1.5h', '4h30', '30M', '1h1d', '1s', ' 1h', '1h ', '-1h', '1y', '1h1h'])('rejects %j', (text) => {
    expect(durationSeconds(text)).toBeNull();
  });
});

describe('Function: formatAge', () => {
  it.each([
    [59, '59s'],
    [60, '1m'],
    [3 * 86_400 + 4 * 3600 + 5 * 60, '3d 4h'],
    [3 * 86_400 + 5 * 60, '3d'],
    [2 * 3600 + 30 * 60, '2h 30m'],
    [-120, 'in the future (2m)'],
  ])('formats %i seconds as %s', (seconds, text) => {
    expect(formatAge(seconds)).toBe(text);
  });
});
