/** Reading JSON whose shape a zod schema checks next: a body that is not JSON is just "not that shape". */

/**
 * The parsed value, or undefined when `text` is not JSON.
 *
 * @example
 * const parsed = TokenResponse.safeParse(jsonOrUndefined(response.text));
 */
function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export { jsonOrUndefined };
