/**
 * The Lambda environment, validated once at cold start. serverless.yml sets these per stage; the
 * local stack and serverless-offline set them to loopback endpoints.
 */
import * as z from 'zod';
import { ReplyEnv } from '../../lib/chatops/reply-url.js';

const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .default('false')
  .transform((v) => v === 'true' || v === '1');

const JanitorEnv = z.object({
  /** Policy file bundled with the function, relative to the task root. */
  JANITOR_POLICY_FILE: z.string().min(1).default('policy.yaml'),
  /** The schedule's consent to act; the policy must also say `mode: apply`. */
  JANITOR_APPLY: flag,
  /** Kill switch: log and do nothing. */
  JANITOR_DISABLED: flag,
  JANITOR_TABLE: z.string().min(1),
  /** Comma-separated resource groups; empty = every PROVISIONED group. */
  JANITOR_GROUPS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((g) => g.trim())
        .filter((g) => g !== ''),
    ),
  /** Local DynamoDB (dynalite) endpoint; unset in AWS. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  /** Secrets Manager secret holding the service key (AWS); else AICORE_SERVICE_KEY is read. */
  AICORE_SECRET_ID: z.string().min(1).optional(),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** Where the chat worker may post replies (checked again before every post): lib/chatops/reply-url.ts. */
  ...ReplyEnv.shape,
});
type JanitorEnv = z.infer<typeof JanitorEnv>;

class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

function readEnv(env: NodeJS.ProcessEnv = process.env): JanitorEnv {
  const parsed = JanitorEnv.safeParse(env);
  if (!parsed.success) throw new ConfigurationError(`invalid function environment:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

export { JanitorEnv, ConfigurationError, readEnv };
