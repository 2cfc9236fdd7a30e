/**
 * Request signing for the chat front doors. Each is HMAC-SHA256 compared in constant time, and
 * refused outside a ±5 minute window so that a captured request cannot be replayed later:
 *
 * - Slack (https://api.slack.com/authentication/verifying-requests-from-slack):
 *   `X-Slack-Signature: v0=<hex>` over `v0:{X-Slack-Request-Timestamp}:{body}`.
 * - The generic JSON webhook (CI, other chat tools): `X-Janitor-Signature: sha256=<hex>` over
 *   `{X-Janitor-Timestamp}.{body}`.
 * - Microsoft Teams outgoing webhooks (https://learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/how-to/add-outgoing-webhook):
 *   `Authorization: HMAC <base64>` over the raw body alone, keyed with the base64-decoded security
 *   token Teams shows once when the webhook is created. Teams sends no timestamp header; the
 *   activity's own `timestamp` (inside the signed body) is held to the same window.
 *
 * Verification answers only "valid or not" plus a reason for the log; callers never send the
 * reason back (a forger learns nothing from a 401).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { TeamsTokenError } from './errors.js';
import { jsonOrUndefined } from '../util/json.js';

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
  return skew > SIGNATURE_WINDOW_SECONDS
    ? { ok: false, reason: `timestamp outside the ${SIGNATURE_WINDOW_SECONDS}s window (${skew}s)` }
    : { ok: true };
}

function verify(request: SignedRequest, prefix: string, expected: () => string): Verdict {
  const time = checkTimestamp(request.timestamp, request.now);
  if (!time.ok) return time;
  if (request.signature === undefined || !request.signature.startsWith(prefix))
    return { ok: false, reason: 'missing or malformed signature' };
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

/** Teams' security tokens are base64 of at least 32 random bytes; anything shorter is a configuration mistake. */
const MIN_TEAMS_KEY_BYTES = 16;

function teamsKey(securityToken: string): Buffer | undefined {
  const token = securityToken.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token) || token.length % 4 !== 0) return undefined;
  const key = Buffer.from(token, 'base64');
  return key.length >= MIN_TEAMS_KEY_BYTES ? key : undefined;
}

/** `HMAC <base64>`, as Teams sends it in `Authorization`. Throws for a token that is not base64. */
function teamsSignature(securityToken: string, body: string | Uint8Array): string {
  const key = teamsKey(securityToken);
  if (key === undefined) throw new TeamsTokenError(MIN_TEAMS_KEY_BYTES);
  return `HMAC ${createHmac('sha256', key).update(body).digest('base64')}`;
}

interface TeamsSignedRequest {
  /** The `Authorization` header, as sent. */
  authorization: string | undefined;
  body: Uint8Array;
  /** The outgoing webhook's security token (base64), as Teams showed it. */
  securityToken: string;
  now: Date;
}

/** The activity's `timestamp` (ISO-8601, UTC), read from the verified body only. */
function activityTimestamp(body: Uint8Array): string | undefined {
  const json = jsonOrUndefined(Buffer.from(body).toString('utf8'));
  if (typeof json !== 'object' || json === null || !('timestamp' in json)) return undefined;
  return typeof json.timestamp === 'string' ? json.timestamp : undefined;
}

/**
 * @example
 * verifyTeamsRequest({ authorization: headers.authorization, body, securityToken, now }); // { ok: true }
 */
function verifyTeamsRequest(request: TeamsSignedRequest): Verdict {
  const key = teamsKey(request.securityToken);
  if (key === undefined) return { ok: false, reason: 'the configured Teams security token is not base64 of at least 16 bytes' };
  const header = request.authorization?.trim();
  if (header === undefined || !/^HMAC [A-Za-z0-9+/]+={0,2}$/.test(header)) return { ok: false, reason: 'missing or malformed signature' };
  const expected = `HMAC ${createHmac('sha256', key).update(request.body).digest('base64')}`;
  if (!sameText(header, expected)) return { ok: false, reason: 'signature mismatch' };
  const timestamp = activityTimestamp(request.body);
  const ms = timestamp === undefined ? Number.NaN : Date.parse(timestamp);
  if (Number.isNaN(ms)) return { ok: false, reason: 'missing or malformed activity timestamp' };
  const skew = Math.abs(Math.round((request.now.getTime() - ms) / 1000));
  return skew > SIGNATURE_WINDOW_SECONDS
    ? { ok: false, reason: `activity timestamp outside the ${SIGNATURE_WINDOW_SECONDS}s window (${skew}s)` }
    : { ok: true };
}

/** Seconds since the epoch, as both timestamp headers carry it. */
function unixSeconds(now: Date): string {
  return String(Math.floor(now.getTime() / 1000));
}

export {
  SIGNATURE_WINDOW_SECONDS,
  slackSignature,
  webhookSignature,
  teamsSignature,
  verifySlackRequest,
  verifyWebhookRequest,
  verifyTeamsRequest,
  unixSeconds,
};
export type { Verdict, SignedRequest, TeamsSignedRequest };
