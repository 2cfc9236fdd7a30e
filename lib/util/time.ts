/** Waiting, in one place: every room that pauses (confirm polls, retries, lock waits) uses this. */

/**
 * Resolves after `ms` milliseconds.
 *
 * @example
 * await sleep(250);
 */
function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { sleep };
