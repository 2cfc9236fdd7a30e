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
    details: CallContext & {
      status: number;
      code?: string | undefined;
      requestId?: string | undefined;
      serverMessage?: string | undefined;
    },
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

/**
 * No answer in time, or the connection failed. `notWritten` is true only when the failure provably
 * happened before the request was written (connection refused, DNS, unreachable, connect timeout,
 * TLS handshake): only then can a mutation be re-sent without risk of acting twice.
 */
class AiCoreNetworkError extends AiCoreError {
  override name = 'AiCoreNetworkError';
  readonly notWritten: boolean;

  constructor(message: string, context: CallContext, options: ErrorOptions & { notWritten: boolean }) {
    super(message, context, options);
    this.notWritten = options.notWritten;
  }
}

/** Why a request was never sent. */
const NOT_SENT_REASONS = ['deadline', 'stopped'] as const;
type NotSentReason = (typeof NOT_SENT_REASONS)[number];

/**
 * The request was not sent at all: the run's deadline had come (`deadline`) or the send gate, e.g.
 * the lease renewal, refused (`stopped`, with the gate's error as `cause`). AI Core saw nothing.
 *
 * @example
 * if (error instanceof RequestNotSentError && error.reason === 'deadline') markNotAttempted();
 */
class RequestNotSentError extends AiCoreError {
  override name = 'RequestNotSentError';
  readonly reason: NotSentReason;

  constructor(reason: NotSentReason, message: string, context: CallContext, options?: ErrorOptions) {
    super(message, context, options);
    this.reason = reason;
  }
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

/** The client refused to send an id that breaks the spec's `^[\w.-]{4,64}$`. Nothing was sent. */
class InvalidIdError extends AiCoreError {
  override name = 'InvalidIdError';
  readonly type: ResourceType;
  readonly id: string;

  constructor(details: { type: ResourceType; id: string; group: string; action: Action }) {
    super(`refusing to ${details.action} ${details.type} ${JSON.stringify(details.id)}: not a valid AI Core id (^[\\w.-]{4,64}$)`, {
      operation: `${details.action} ${details.type}`,
      group: details.group,
    });
    this.type = details.type;
    this.id = details.id;
  }
}

/** The client was configured or called in a way it cannot honour (a caller's bug, never data). Nothing was sent. */
class ClientUsageError extends AiCoreError {
  override name = 'ClientUsageError';
}

export {
  AiCoreError,
  ClientUsageError,
  AiCoreHttpError,
  AiCoreNetworkError,
  AiCoreResponseError,
  CredentialsError,
  IllegalTransitionError,
  InvalidIdError,
  RequestNotSentError,
  NOT_SENT_REASONS,
};
export type { CallContext, NotSentReason };
