/**
 * `--json` output: every command prints exactly one JSON document on stdout, a result or
 * `{"version": 1, "error": {code, message, exitCode, …}}`, so automation can always parse stdout.
 */
import { CliError } from './errors.js';

const ERROR_VERSION = 1;

/** A failure a command reports itself (a held lock, a duplicate trigger): its code and exit code. */
class CliFailure extends CliError {
  override name = 'CliFailure';
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: number,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/**
 * @example jsonError('usage', 'unknown flag --polcy', 2) // '{"version":1,"error":{"code":"usage",…}}'
 */
function jsonError(code: string, message: string, exitCode: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ version: ERROR_VERSION, error: { code, message, exitCode, ...extra } }, null, 2);
}

/** A versioned result document. */
function jsonDocument(body: Record<string, unknown>): string {
  return JSON.stringify({ version: 1, ...body }, null, 2);
}

export { CliFailure, jsonError, jsonDocument, ERROR_VERSION };
