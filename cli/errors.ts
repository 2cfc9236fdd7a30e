/**
 * The terminal front door's error base: every failure the CLI raises on purpose extends it, so
 * `main` can tell a reported failure (a short message and an exit code) from a bug.
 */

class CliError extends Error {
  override name = 'CliError';
}

export { CliError };
