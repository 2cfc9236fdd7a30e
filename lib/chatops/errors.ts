/**
 * Every failure lib/chatops raises on purpose: one base class, one class per failure mode. (A
 * chat user's mistake is never an error here: it is answered with help text or a refusal.)
 */

class ChatOpsError extends Error {
  override name = 'ChatOpsError';
}

/** A reply-URL allowlist variable does not validate; `issues` names each variable and entry. */
class ReplyAllowlistError extends ChatOpsError {
  override name = 'ReplyAllowlistError';
  constructor(
    message: string,
    readonly issues: ReadonlyArray<{ variable: string; message: string }>,
  ) {
    super(message);
  }
}

/** The Teams outgoing webhook's security token is not base64 of enough bytes (a configuration mistake). */
class TeamsTokenError extends ChatOpsError {
  override name = 'TeamsTokenError';
  constructor(readonly minBytes: number) {
    super(`the Teams security token must be base64 of at least ${minBytes} bytes`);
  }
}

export { ChatOpsError, ReplyAllowlistError, TeamsTokenError };
