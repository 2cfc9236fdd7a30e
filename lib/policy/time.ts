/**
 * Reading instants from items and observations. Only ISO-8601 date-times with a zone are accepted:
 * a timestamp without a zone, or anything `Date.parse` would guess at, is unknown (and unknown
 * never acts).
 */

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Milliseconds since the epoch, or null when `value` is not an ISO-8601 date-time with a zone.
 *
 * @example
 * parseInstant('2026-01-01T00:00:00Z'); // 1767225600000
 * parseInstant('2026-01-01 00:00'); // null
 */
function parseInstant(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const fast = plainUtcSeconds(value);
  if (fast !== null) return fast;
  if (!ISO_INSTANT.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/** The digit at `at` (0-9), or -1. */
function digit(text: string, at: number): number {
  const code = text.charCodeAt(at) - 48;
  return code >= 0 && code <= 9 ? code : -1;
}

function number(text: string, from: number, length: number): number {
  let value = 0;
  for (let i = from; i < from + length; i += 1) {
    const d = digit(text, i);
    if (d < 0) return -1;
    value = value * 10 + d;
  }
  return value;
}

/**
 * The shape AI Core lists nearly every timestamp in, `2026-03-01T12:00:00Z`, read without a regular
 * expression or Date.parse (a fleet has hundreds of thousands of them). Only values that are valid
 * in every month (day ≤ 28, year ≥ 100) take this path; anything else returns null and goes the general way,
 * so the result is always what Date.parse gives.
 */
function plainUtcSeconds(text: string): number | null {
  if (text.length !== 20 || text.charCodeAt(19) !== 90 /* Z */) return null;
  if (text[4] !== '-' || text[7] !== '-' || text[10] !== 'T' || text[13] !== ':' || text[16] !== ':') return null;
  const year = number(text, 0, 4);
  const month = number(text, 5, 2);
  const day = number(text, 8, 2);
  const hour = number(text, 11, 2);
  const minute = number(text, 14, 2);
  const second = number(text, 17, 2);
  // Date.UTC reads years 0-99 as 1900-1999: those go the general way.
  if (
    year < 100 ||
    month < 1 ||
    month > 12 ||
    day < 1 ||
    day > 28 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59 ||
    second < 0 ||
    second > 59
  ) {
    return null;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** Like parseInstant, but a bare date (`2026-12-01`) is also accepted, as midnight UTC (snooze ends). */
function parseInstantOrDate(value: unknown): number | null {
  if (typeof value === 'string' && ISO_DATE.test(value)) {
    const ms = Date.parse(`${value}T00:00:00Z`);
    return Number.isNaN(ms) ? null : ms;
  }
  return parseInstant(value);
}

export { parseInstant, parseInstantOrDate };
