/**
 * A middy middleware that admits only correctly signed, fresh requests. It runs `before` the
 * handler and answers early — 401 for a forged, stale or unsigned request (without saying which),
 * 404 for an unknown path, 400 for something that is not an HTTP API event — so the handler only
 * ever sees verified bodies, through `verifiedRequestOf(context)`.
 */
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { routeOf } from '../../lib/chatops/inbound.js';
import type { JobSource } from '../../lib/chatops/job.js';
import { verifySlackRequest, verifyTeamsRequest, verifyWebhookRequest, type Verdict } from '../../lib/chatops/signature.js';
import type { WebhookEnv } from './chat-config.js';
import { HttpEvent, jsonResult, lowerCaseHeaders, rawBody, UNAUTHORIZED, type HttpResult } from './http.js';
import { log } from './log.js';
import type { SecretReference } from './secret.js';
import { FunctionError } from './errors.js';

interface VerifiedRequest {
  source: JobSource;
  /** The verified body as text. */
  body: string;
  /** The verified signature header (unique per signed delivery; Teams: the `Authorization` HMAC). */
  signature: string;
  /** Slack's `X-Slack-Retry-Num`, when this is a retry. */
  retryNum: string | undefined;
}

interface SignedRequestOptions {
  env: () => WebhookEnv;
  secret: (ref: SecretReference) => Promise<string | undefined>;
  clock: () => Date;
}

const verifiedByInvocation = new WeakMap<Context, VerifiedRequest>();

interface FrontDoorCheck {
  secret: SecretReference;
  /** For the log line when the secret is configured neither way. */
  names: string;
  signature: string | undefined;
  verify: (secret: string) => Verdict;
}

/** Each front door's secret and scheme (lib/chatops/signature.ts). */
function checkFor(source: JobSource, env: WebhookEnv, headers: Record<string, string>, body: Buffer, now: Date): FrontDoorCheck {
  switch (source) {
    case 'webhook': {
      const signed = { timestamp: headers['x-janitor-timestamp'], signature: headers['x-janitor-signature'] };
      return {
        secret: { value: env.WEBHOOK_HMAC_SECRET, secretId: env.WEBHOOK_HMAC_SECRET_ID },
        names: 'WEBHOOK_HMAC_SECRET(_ID)',
        signature: signed.signature,
        verify: (secret) => verifyWebhookRequest({ ...signed, body, secret, now }),
      };
    }
    case 'teams': {
      const authorization = headers.authorization;
      return {
        secret: { value: env.TEAMS_SECURITY_TOKEN, secretId: env.TEAMS_SECURITY_TOKEN_ID },
        names: 'TEAMS_SECURITY_TOKEN(_ID)',
        signature: authorization,
        verify: (securityToken) => verifyTeamsRequest({ authorization, body, securityToken, now }),
      };
    }
    case 'slack-command':
    case 'slack-interaction': {
      const signed = { timestamp: headers['x-slack-request-timestamp'], signature: headers['x-slack-signature'] };
      return {
        secret: { value: env.SLACK_SIGNING_SECRET, secretId: env.SLACK_SIGNING_SECRET_ID },
        names: 'SLACK_SIGNING_SECRET(_ID)',
        signature: signed.signature,
        verify: (secret) => verifySlackRequest({ ...signed, body, secret, now }),
      };
    }
  }
}

function verifiedRequestOf(context: Context): VerifiedRequest {
  const verified = verifiedByInvocation.get(context);
  if (verified === undefined) throw new FunctionError('no verified request for this invocation: is signedRequestMiddleware in the chain?');
  return verified;
}

function signedRequestMiddleware(options: SignedRequestOptions): MiddlewareObj<unknown, HttpResult, Error, Context> {
  const signedRequestMiddlewareBefore = async (request: { event: unknown; context: Context }): Promise<HttpResult | undefined> => {
    const event = HttpEvent.safeParse(request.event);
    if (!event.success) return jsonResult(400, { error: 'malformed request: expected an HTTP API (payload 2.0) event' });
    const source = routeOf(event.data.rawPath);
    if (source === undefined) return jsonResult(404, { error: 'not found' });

    const env = options.env();
    const headers = lowerCaseHeaders(event.data.headers);
    const body = rawBody(event.data);
    const check = checkFor(source, env, headers, body, options.clock());
    const secret = await options.secret(check.secret);
    if (secret === undefined) {
      log('error', `${check.names} is not configured: refusing every ${source} request`);
      return UNAUTHORIZED;
    }
    const verdict = check.verify(secret);
    if (!verdict.ok || check.signature === undefined) {
      log('warn', 'refused an unverified request', { source, reason: verdict.ok ? 'no signature' : verdict.reason });
      return UNAUTHORIZED;
    }
    verifiedByInvocation.set(request.context, {
      source,
      body: body.toString('utf8'),
      signature: check.signature,
      retryNum: headers['x-slack-retry-num'],
    });
    return undefined;
  };
  return { before: signedRequestMiddlewareBefore };
}

export { signedRequestMiddleware, verifiedRequestOf };
export type { VerifiedRequest, SignedRequestOptions };
