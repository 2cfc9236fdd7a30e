/**
 * Every failure lib/policy can raise. One base class, so callers catch the room's errors as a
 * family; each carries the path into the policy it is about and a message written for the policy's
 * author (never a library's stack trace). Mistakes in a policy *file* are not thrown at all:
 * parsePolicy and validatePolicyDocument return them as issues; these errors are for policies that
 * reach the engine without having been validated, and for inputs the engine cannot work with.
 */
import { errorMessage } from '../util/errors.js';
import { formatPath, type PathKey } from './path.js';

class PolicyError extends Error {
  override name = 'PolicyError';
  /** Where in the policy, e.g. `rules[0].match.all[1]`; `(root)` for the policy as a whole. */
  readonly path: string;

  constructor(message: string, path: readonly PathKey[] = [], options?: ErrorOptions) {
    const at = formatPath(path);
    super(path.length === 0 ? message : `${message} (at ${at})`, options);
    this.path = at;
  }
}

/** A condition the registry does not know, or one whose value it cannot compile (e.g. a glob picomatch rejects). */
class InvalidConditionError extends PolicyError {
  override name = 'InvalidConditionError';
  /** The condition's keys as found; empty when it was not an object. */
  readonly keys: readonly string[];

  constructor(message: string, path: readonly PathKey[], keys: readonly string[], options?: ErrorOptions) {
    super(message, path, options);
    this.keys = keys;
  }
}

/** A glob picomatch cannot compile (e.g. longer than it accepts). */
class InvalidGlobError extends PolicyError {
  override name = 'InvalidGlobError';
  readonly glob: string;

  constructor(glob: string, path: readonly PathKey[], options?: ErrorOptions) {
    const shown = glob.length > 40 ? `${glob.slice(0, 40)}…` : glob;
    super(`cannot use glob ${JSON.stringify(shown)} (${glob.length} characters): ${errorMessage(options?.cause)}`, path, options);
    this.glob = glob;
  }
}

/** evaluate() or explain() was given a `now` that is not a valid instant. */
class InvalidNowError extends PolicyError {
  override name = 'InvalidNowError';
  readonly received: string;

  constructor(received: string) {
    super(`now must be a valid date, got ${received}`);
    this.received = received;
  }
}

export { PolicyError, InvalidConditionError, InvalidGlobError, InvalidNowError };
