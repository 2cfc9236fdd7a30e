/**
 * Every failure lib/aicore can raise. One base class so callers can catch the room's errors as a
 * family; each failure mode carries the data needed to report it without leaking secrets.
 */
import type { Action, ResourceType } from '../lifecycle.js';

/** Where in a run a call was made, for error messages and logs. */
interface CallContext {
  operation: string;
  group?: string | undefined;
}

class AiCoreError extends Error {
  override name = 'AiCoreError';
  readonly operation: string;
  readonly group: string | undefined;

  constructor(message: string, context: CallContext, options?: ErrorOptions) {
    super(message, options);
    this.operation = context.operation;
    this.group = context.group;
  }
}

/** AI Core answered with a non-2xx status (after retries, where the status is retryable). */
class AiCoreHttpError extends AiCoreError {
  override name = 'AiCoreHttpError';
  readonly status: number;
  readonly code: string | undefined;
  readonly requestId: string | undefined;

  constructor(
    details: CallContext & { status: number; code?: string | undefined; requestId?: string | undefined; serverMessage?: string | undefined },
    options?: ErrorOptions,
  ) {
    const where = details.group === undefined ? '' : ` in resource group ${details.group}`;
    const what = details.serverMessage === undefined ? '' : `: ${details.serverMessage}`;
    const code = details.code === undefined ? '' : ` (code ${details.code})`;
    super(`${details.operation}${where} failed with HTTP ${details.status}${code}${what}`, details, options);
    this.status = details.status;
    this.code = details.code;
    this.requestId = details.requestId;
  }
}

/** No answer in time, the connection failed, or the run's deadline left no room for another try. */
class AiCoreNetworkError extends AiCoreError {
  override name = 'AiCoreNetworkError';
}

/** The response did not have the documented shape. */
class AiCoreResponseError extends AiCoreError {
  override name = 'AiCoreResponseError';
}

/** The service key is missing or malformed. Never carries the key itself. */
class CredentialsError extends AiCoreError {
  override name = 'CredentialsError';

  constructor(message: string, options?: ErrorOptions) {
    super(message, { operation: 'read service key' }, options);
  }
}

/** The client refused to send a transition that lib/lifecycle.ts does not allow. Nothing was sent. */
class IllegalTransitionError extends AiCoreError {
  override name = 'IllegalTransitionError';
  readonly type: ResourceType;
  readonly id: string;
  readonly status: string;
  readonly action: Action;

  constructor(details: { type: ResourceType; id: string; status: string; action: Action; group: string }) {
    super(`refusing to ${details.action} ${details.type} ${details.id} in status ${details.status}: not a legal transition`, {
      operation: `${details.action} ${details.type}`,
      group: details.group,
    });
    this.type = details.type;
    this.id = details.id;
    this.status = details.status;
    this.action = details.action;
  }
}

export { AiCoreError, AiCoreHttpError, AiCoreNetworkError, AiCoreResponseError, CredentialsError, IllegalTransitionError };
export type { CallContext };
