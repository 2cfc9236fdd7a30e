/**
 * The error helpers every room shares, and lib/util's own error. lib/util imports nothing from
 * other rooms (only the zod library), so any room can use it.
 */
import type * as z from 'zod';

/**
 * What to show of a caught value: an Error's message, anything else as text.
 *
 * @example
 * try { JSON.parse(text) } catch (error) { throw new InputError(`not JSON: ${errorMessage(error)}`) }
 */
function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The `code` a Node error carries (`ENOENT`, `EADDRINUSE`, …), or undefined when it has none.
 *
 * @example
 * if (errorCode(error) === 'ENOENT') throw new InputError(`${path} not found`);
 */
function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error ? String(error.code) : undefined;
}

/**
 * A zod error's issues as `{ path, message }`: the path dotted, `rootLabel` for an issue about the
 * whole value (an empty path).
 *
 * @example
 * zodIssues(parsed.error, '(file)'); // [{ path: 'tenants.0.name', message: 'Too small: …' }]
 */
function zodIssues(error: z.ZodError, rootLabel: string): { path: string; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || rootLabel, message: i.message }));
}

/** A utility was called with an argument it cannot work with (a caller's bug, never data). */
class UtilArgumentError extends Error {
  override name = 'UtilArgumentError';
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(message);
  }
}

export { errorMessage, errorCode, zodIssues, UtilArgumentError };
