/**
 * Every function's event is checked with its zod schema before anything runs; one that does not
 * validate is an InvalidEventError naming each problem (never a raw ZodError with a stack of zod
 * internals in the log).
 */
import * as z from 'zod';
import { zodIssues } from '../../lib/util/errors.js';
import { FunctionError } from './errors.js';

/** The event a function was invoked with is not the one it handles. */
class InvalidEventError extends FunctionError {
  override name = 'InvalidEventError';
  constructor(
    readonly what: string,
    readonly issues: ReadonlyArray<{ path: string; message: string }>,
    message: string,
  ) {
    super(message);
  }
}

/**
 * @example
 * const trigger = parseEvent(ScheduledEvent, event, 'scheduled event'); // throws InvalidEventError
 */
function parseEvent<S extends z.ZodType>(schema: S, event: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(event);
  if (parsed.success) return parsed.data;
  throw new InvalidEventError(what, zodIssues(parsed.error, '(event)'), `invalid ${what}:\n${z.prettifyError(parsed.error)}`);
}

export { parseEvent, InvalidEventError };
