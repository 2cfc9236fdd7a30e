/** How an environment variable spells a setting, for every room that reads one (zod schemas). */
import * as z from 'zod';

/**
 * A yes/no variable: `true`/`1` or `false`/`0`/empty (unset: `false`); anything else is a mistake
 * the schema names.
 *
 * @example
 * z.object({ JANITOR_APPLY: envFlag }).parse({ JANITOR_APPLY: '1' }); // { JANITOR_APPLY: true }
 */
const envFlag = z
  .enum(['true', 'false', '1', '0', ''])
  .default('false')
  .transform((v) => v === 'true' || v === '1');

export { envFlag };
