/**
 * The error helpers every room shares, and lib/util's own error. lib/util imports nothing from
 * other rooms, so any room can use it.
 */

/**
 * What to show of a caught value: an Error's message, anything else as text.
 *
 * @example
 * try { JSON.parse(text) } catch (error) { throw new InputError(`not JSON: ${errorMessage(error)}`) }
 */
function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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

export { errorMessage, UtilArgumentError };
