/**
 * Request signing for the two chat front doors. Both are HMAC-SHA256 over the timestamp and the
 * raw body, compared in constant time, and refused outside a ±5 minute window so that a captured
 * request cannot be replayed later:
 *
 * - Slack (https://api.slack.com/authentication/verifying-requests-from-slack):
 *   `X-Slack-Signature: v0=<hex>` over `v0:{X-Slack-Request-Timestamp}:{body}`.
 * - The generic JSON webhook (CI, other chat tools): `X-Janitor-Signature: sha256=<hex>` over
 *   `{X-Janitor-Timestamp}.{body}`.
 *
 * Verification answers only "valid or not" plus a reason for the log; callers never send the
 * reason back (a forger learns nothing from a 401).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's documented replay window, used for both schemes. */
const SIGNATURE_WINDOW_SECONDS = 300;

type Verdict = { ok: true } | { ok: false; reason: string };

interface SignedRequest {
  /** The timestamp header, as sent (unix seconds). */
  timestamp: string | undefined;
  /** The signature header, as sent. */
  signature: string | undefined;
  /** The raw body bytes exactly as received (after base64 decoding, before any parsing). */
  body: Uint8Array;
  secret: string;
  now: Date;
}

function hmacHex(secret: string, ...parts: ReadonlyArray<string | Uint8Array>): string {
  const hmac = createHmac('sha256', secret);
  for (const part of parts) hmac.update(part);
  return hmac.digest('hex');
}

/** Constant-time for equal lengths; a length mismatch is not secret (the format is public). */
function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}

function checkTimestamp(timestamp: string | undefined, now: Date): Verdict {
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing or malformed timestamp' };
  const skew = Math.abs(Math.floor(now.getTime() / 1000) - Number(timestamp));
  return skew > SIGNATURE_WINDOW_SECONDS ? { ok: false, reason: `timestamp outside the ${SIGNATURE_WINDOW_SECONDS}s window (${skew}s)` } : { ok: true };
}

function verify(request: SignedRequest, prefix: string, expected: () => string): Verdict {
  const time = checkTimestamp(request.timestamp, request.now);
  if (!time.ok) return time;
  if (request.signature === undefined || !request.signature.startsWith(prefix)) return { ok: false, reason: 'missing or malformed signature' };
  return sameText(request.signature, `${prefix}${expected()}`) ? { ok: true } : { ok: false, reason: 'signature mismatch' };
}

function slackSignature(secret: string, timestamp: string, body: string | Uint8Array): string {
  return `v0=${hmacHex(secret, `v0:${timestamp}:`, body)}`;
}

function webhookSignature(secret: string, timestamp: string, body: string | Uint8Array): string {
  return `sha256=${hmacHex(secret, `${timestamp}.`, body)}`;
}

function verifySlackRequest(request: SignedRequest): Verdict {
  return verify(request, 'v0=', () => hmacHex(request.secret, `v0:${request.timestamp ?? ''}:`, request.body));
}

function verifyWebhookRequest(request: SignedRequest): Verdict {
  return verify(request, 'sha256=', () => hmacHex(request.secret, `${request.timestamp ?? ''}.`, request.body));
}

/** Seconds since the epoch, as both timestamp headers carry it. */
function unixSeconds(now: Date): string {
  return String(Math.floor(now.getTime() / 1000));
}

export { SIGNATURE_WINDOW_SECONDS, slackSignature, webhookSignature, verifySlackRequest, verifyWebhookRequest, unixSeconds };
export type { Verdict, SignedRequest };
