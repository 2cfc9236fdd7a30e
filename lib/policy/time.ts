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
  if (typeof value !== 'string' || !ISO_INSTANT.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
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
