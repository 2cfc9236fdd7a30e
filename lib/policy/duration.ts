/**
 * Durations as people write them in policies: `30m`, `36h`, `7d`, `2w`, or compounds from the
 * largest unit down (`1d12h`). Kept as text in the parsed policy (so plans and explanations can
 * quote the author's own words) and converted to seconds where the engine compares ages.
 */

const UNIT_SECONDS = { w: 604_800, d: 86_400, h: 3_600, m: 60 } as const;
type Unit = keyof typeof UNIT_SECONDS;
const UNIT_ORDER: readonly Unit[] = ['w', 'd', 'h', 'm'];

/** One or more `<integer><unit>` segments, units w, d, h, m (lower case), largest first, each at most once. */
const DURATION_PATTERN = /^(?=\d)(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?$/;

const DURATION_HINT = 'a duration such as 30m, 36h, 7d, 2w or 1d12h (units m, h, d, w)';

/**
 * Seconds in a duration text, or null when it is not a valid duration.
 *
 * @example
 * durationSeconds('36h'); // 129600
 * durationSeconds('1d12h'); // 129600
 * durationSeconds('1.5h'); // null
 */
function durationSeconds(text: string): number | null {
  if (text === '' || !DURATION_PATTERN.test(text)) return null;
  let total = 0;
  for (const match of text.matchAll(/(\d+)([wdhm])/g)) {
    const [, amount, unit] = match;
    if (amount === undefined || unit === undefined || !isUnit(unit)) return null;
    total += Number(amount) * UNIT_SECONDS[unit];
  }
  return Number.isSafeInteger(total) ? total : null;
}

function isUnit(value: string): value is Unit {
  return value in UNIT_SECONDS;
}

/**
 * A compact human age for reasons and explanations: the two largest non-zero units.
 *
 * @example
 * formatAge(273_600); // "3d 4h"
 * formatAge(59); // "59s"
 */
function formatAge(seconds: number): string {
  if (seconds < 0) return `in the future (${formatAge(-seconds)})`;
  const whole = Math.floor(seconds);
  if (whole < 60) return `${whole}s`;
  const parts: string[] = [];
  let rest = whole;
  for (const unit of UNIT_ORDER) {
    if (unit === 'w') continue; // weeks read badly in ages ("2w 3d"); days are clearer
    const size = UNIT_SECONDS[unit];
    const amount = Math.floor(rest / size);
    rest -= amount * size;
    if (amount > 0 || parts.length > 0) parts.push(`${amount}${unit}`);
  }
  // The two largest units from the first non-zero one, zeros dropped: "3d 4h", "3d" (not "3d 0h").
  return parts
    .slice(0, 2)
    .filter((p) => !/^0[a-z]$/.test(p))
    .join(' ');
}

export { DURATION_PATTERN, DURATION_HINT, durationSeconds, formatAge };
