/**
 * The chat front door (HTTP API): Slack slash commands, Slack button clicks, the signed JSON
 * webhook and Microsoft Teams outgoing-webhook messages. A middy `before` admits only signed, fresh
 * requests (401 otherwise); the handler parses the body (400 when malformed), answers `help` itself,
 * and hands everything else to the worker by asynchronous invoke — it acknowledges at once and never
 * waits for AI Core (Slack allows 3 s, Teams 10 s).
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { toTeamsMessage } from '../lib/chatops/adaptive-card.js';
import { parseInbound } from '../lib/chatops/inbound.js';
import type { JobSource } from '../lib/chatops/job.js';
import { noticeMessage } from '../lib/chatops/messages.js';
import { readWebhookEnv, webhookReplyPolicy, type WebhookEnv } from './adapters/chat-config.js';
import { jsonResult, type HttpResult } from './adapters/http.js';
import { lambdaInvoker, type InvokeWorker } from './adapters/invoke-worker.js';
import { log, loggerMiddleware } from './adapters/log.js';
import { secretCache, type SecretReference } from './adapters/secret.js';
import { signedSecretsReader } from './adapters/secrets-manager-fetch.js';
import { signedRequestMiddleware, verifiedRequestOf } from './adapters/signed-request.js';
import { errorMessage } from '../lib/util/errors.js';

interface WebhookDeps {
  /** Default: asynchronous Lambda invoke of WORKER_FUNCTION_NAME. Tests inject a recorder. */
  invokeWorker: InvokeWorker;
  env: () => WebhookEnv;
  secret: (ref: SecretReference) => Promise<string | undefined>;
  clock: () => Date;
}

const NOT_STARTED = 'The janitor could not start the work; please try again.';

/** Slack and Teams show a 200's text to the user but only a generic error for anything else. */
function notStarted(source: JobSource): HttpResult {
  if (source === 'webhook') return jsonResult(503, { response_type: 'ephemeral', text: NOT_STARTED });
  return jsonResult(
    200,
    source === 'teams' ? toTeamsMessage(noticeMessage(NOT_STARTED)) : { response_type: 'ephemeral', text: NOT_STARTED },
  );
}

function makeWebhookHandler(deps: Partial<WebhookDeps> = {}) {
  const env = deps.env ?? (() => readWebhookEnv());
  const clock = deps.clock ?? (() => new Date());
  let invoker = deps.invokeWorker;

  async function webhookHandler(_event: unknown, context: Context): Promise<HttpResult> {
    const request = verifiedRequestOf(context);
    const inbound = parseInbound(request.source, request.body, {
      now: clock(),
      signature: request.signature,
      replies: webhookReplyPolicy(env()),
    });
    if (inbound.kind === 'answer') {
      if (inbound.answer.statusCode >= 400)
        log('warn', 'request refused', { source: request.source, status: inbound.answer.statusCode, body: inbound.answer.body });
      return jsonResult(inbound.answer.statusCode, inbound.answer.body);
    }
    invoker ??= lambdaInvoker(env());
    try {
      await invoker(inbound.job);
    } catch (error) {
      log('error', 'could not hand the job to the worker', {
        triggerId: inbound.job.triggerId,
        error: errorMessage(error),
      });
      return notStarted(request.source);
    }
    log('info', `dispatched ${inbound.job.command.name}`, {
      source: request.source,
      triggerId: inbound.job.triggerId,
      retryNum: request.retryNum,
    });
    return jsonResult(inbound.answer.statusCode, inbound.answer.body);
  }

  return middy<unknown, HttpResult, Error, Context>(webhookHandler)
    .use(loggerMiddleware())
    .use(signedRequestMiddleware({ env, secret: deps.secret ?? secretCache({ reader: signedSecretsReader() }), clock }));
}

const handler = makeWebhookHandler();

export { handler, makeWebhookHandler };
export type { WebhookDeps };
