/**
 * Time as AI Core writes it: ISO-8601 UTC with a `Z` and no fractional seconds
 * (`2026-11-20T10:00:00Z`), which is what the real server and SAP's SDK fixtures show.
 */

/** A clock in epoch milliseconds; injectable so lifecycle delays and token expiry are testable. */
type Clock = () => number;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const MINUTE_MS = 60_000;

/** Formats epoch ms as AI Core does: seconds precision, UTC, `Z` suffix. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export { isoSeconds, MINUTE_MS, HOUR_MS, DAY_MS };
export type { Clock };
