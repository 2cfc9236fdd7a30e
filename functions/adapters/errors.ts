/**
 * The functions' error base: every failure the Lambda edge raises on purpose (configuration,
 * secrets, the worker hand-off, reply URLs, the state machine) extends it, so a log line or a test
 * can tell the edge's own refusals from a library's error.
 */

class FunctionError extends Error {
  override name = 'FunctionError';
}

export { FunctionError };
