/**
 * The webhook function's environment, validated with zod like config.ts (the webhook needs no
 * table or service key: it only verifies, parses and hands over to the worker). Each signing
 * secret comes either directly (local, serverless-offline) or as a Secrets Manager secret id (AWS);
 * a front door whose secret is configured neither way refuses every request.
 */
import * as z from 'zod';
import { ReplyEnv, replyPolicyOf, type ReplyPolicy } from '../../lib/chatops/reply-url.js';
import { CONFIG_DEFAULTS, envReader, optionalText } from './config.js';

const WebhookEnv = z.object({
  /** Slack app → Basic Information → Signing Secret (local use). */
  SLACK_SIGNING_SECRET: optionalText,
  /** Secrets Manager secret id holding the Slack signing secret as a plain string (AWS). */
  SLACK_SIGNING_SECRET_ID: optionalText,
  /** Shared secret of the generic JSON webhook (local use). */
  WEBHOOK_HMAC_SECRET: optionalText,
  /** Secrets Manager secret id holding the webhook secret as a plain string (AWS). */
  WEBHOOK_HMAC_SECRET_ID: optionalText,
  /** The Teams outgoing webhook's security token (base64, shown once when it is created; local use). */
  TEAMS_SECURITY_TOKEN: optionalText,
  /** Secrets Manager secret id holding that token as a plain string (AWS). */
  TEAMS_SECURITY_TOKEN_ID: optionalText,
  /** The worker function to invoke asynchronously, e.g. `aicore-janitor-prod-worker`. */
  WORKER_FUNCTION_NAME: optionalText,
  /** A local Lambda invoke API (serverless-offline: http://127.0.0.1:3002); unset in AWS. */
  LAMBDA_ENDPOINT: optionalText.pipe(z.url().optional()),
  AWS_REGION: z.string().min(1).default(CONFIG_DEFAULTS.region),
  /** Reply-URL allowlists and the local-stage loopback flag (lib/chatops/reply-url.ts). */
  ...ReplyEnv.shape,
});
type WebhookEnv = z.infer<typeof WebhookEnv>;

/** The webhook's configuration, parsed once per cold start (config.ts). */
const readWebhookEnv = envReader(WebhookEnv, 'webhook environment');

/**
 * Where this webhook's requests may ask for replies to go, for `parseInbound`'s `replies`.
 *
 * @example
 * parseInbound(source, body, { now, signature, replies: webhookReplyPolicy(env()) });
 */
function webhookReplyPolicy(env: WebhookEnv): ReplyPolicy {
  return replyPolicyOf(env);
}

export { WebhookEnv, readWebhookEnv, webhookReplyPolicy };
