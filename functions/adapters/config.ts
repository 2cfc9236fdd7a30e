/**
 * The functions' configuration: every setting a function reads from its environment, declared
 * here with zod, defaults in {@link CONFIG_DEFAULTS}, parsed once per cold start into one typed
 * object per kind of function (the run's, the webhook's, the Teams worker's). serverless.yml sets
 * the variables per stage; the local stack and serverless-offline set them to loopback endpoints.
 *
 * "Once" means once per distinct environment: each reader keeps the object it parsed and parses
 * again only when one of its variables has changed. In Lambda the environment never changes, so
 * that is once per container; tests and the CLI demo, which change variables between invocations
 * in one process, get the configuration they set.
 */
import * as z from 'zod';
import { ReplyEnv } from '../../lib/chatops/reply-url.js';
import { envFlag } from '../../lib/util/env.js';
import { zodIssues } from '../../lib/util/errors.js';
import { FunctionError } from './errors.js';

/** Every default of every function setting, in one place. */
const CONFIG_DEFAULTS = {
  /** Policy file bundled with the function, relative to the task root. */
  policyFile: 'policy.yaml',
  /** Tenants file bundled with the state machine's functions. */
  tenantsFile: 'tenants.json',
  /** The schedule's engine (stage parameter `engine`): one Lambda per run. */
  engine: 'lambda',
  region: 'us-east-1',
  /** Powertools' `service` (logs and the metrics dimension) when POWERTOOLS_SERVICE_NAME is unset. */
  serviceName: 'aicore-janitor',
  metricsNamespace: 'AicoreJanitor',
  /**
   * No request starts later than this before the Lambda's timeout: the time left records results.
   * Request timeouts and Retry-After waits are clamped to the deadline, so none outlives it.
   */
  deadlineMarginMs: 20_000,
  /** How long a secret read from Secrets Manager is trusted before it is read again (rotation). */
  secretCacheMs: 5 * 60_000,
  /** One GetSecretValue request, either reader. */
  secretsTimeoutMs: 5_000,
} as const;

/** Unset and empty mean the same: serverless.yml writes '' for parameters a stage does not use. */
const optionalText = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

/** The environment of every function that runs the janitor (the schedule, the chat worker, the steps). */
const JanitorEnv = z.object({
  JANITOR_POLICY_FILE: z.string().min(1).default(CONFIG_DEFAULTS.policyFile),
  /** The schedule's consent to act; the policy must also say `mode: apply`. */
  JANITOR_APPLY: envFlag,
  /** Kill switch: log and do nothing. */
  JANITOR_DISABLED: envFlag,
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
  /** The state machine's tenants file (engine `step-functions`). */
  JANITOR_TENANTS_FILE: z.string().min(1).default(CONFIG_DEFAULTS.tenantsFile),
  /** The schedule's engine; the chat worker runs its plans and applies on the same one. */
  JANITOR_ENGINE: z.enum(['lambda', 'step-functions']).default(CONFIG_DEFAULTS.engine),
  /** engine `step-functions`: the state machine chat runs start (serverless.yml; empty with `lambda`). */
  JANITOR_STATE_MACHINE_ARN: optionalText,
  /** Local DynamoDB (dynalite) endpoint; unset in AWS. */
  DYNAMODB_ENDPOINT: z.url().optional(),
  /** Secrets Manager secret holding the service key (AWS); else AICORE_SERVICE_KEY is read. */
  AICORE_SECRET_ID: z.string().min(1).optional(),
  /** The service key JSON itself (local use only: in AWS it comes from AICORE_SECRET_ID). */
  AICORE_SERVICE_KEY: optionalText,
  AWS_REGION: z.string().min(1).default(CONFIG_DEFAULTS.region),
  /** The chat worker's Teams Workflows webhook URL (a secret: it carries its own `sig`; local use). */
  TEAMS_WORKFLOW_URL: optionalText,
  /** Secrets Manager secret id holding that URL as a plain string (AWS). */
  TEAMS_WORKFLOW_URL_ID: optionalText,
  /** Where the chat worker may post replies (checked again before every post): lib/chatops/reply-url.ts. */
  ...ReplyEnv.shape,
});
type JanitorEnv = z.infer<typeof JanitorEnv>;

/** One environment variable that is missing or has a value its setting does not accept. */
interface ConfigurationIssue {
  variable: string;
  message: string;
}

/** A function's environment does not validate; names every offending variable. */
class ConfigurationError extends FunctionError {
  override name = 'ConfigurationError';
  constructor(
    message: string,
    readonly issues: readonly ConfigurationIssue[] = [],
  ) {
    super(message);
  }
}

/** The values of the schema's own variables: what decides whether a parse can be reused. */
function fingerprint(names: readonly string[], env: NodeJS.ProcessEnv): string {
  return JSON.stringify(names.map((name) => env[name] ?? null));
}

/**
 * A reader of one kind of function's configuration: parses `env` with `schema` on first use and
 * returns the same object until one of the schema's variables changes. A bad value throws a
 * {@link ConfigurationError} naming the variable.
 *
 * @example
 * const readWebhookEnv = envReader(WebhookEnv, 'webhook environment');
 * readWebhookEnv().SLACK_SIGNING_SECRET_ID; // parsed once per cold start
 */
function envReader<S extends z.ZodObject>(schema: S, what: string): (env?: NodeJS.ProcessEnv) => z.output<S> {
  const names = Object.keys(schema.shape);
  let parsed: { key: string; value: z.output<S> } | undefined;
  return function readConfiguration(env: NodeJS.ProcessEnv = process.env): z.output<S> {
    const key = fingerprint(names, env);
    if (parsed !== undefined && parsed.key === key) return parsed.value;
    const result = schema.safeParse(env);
    if (!result.success) {
      const issues = zodIssues(result.error, '(environment)').map(({ path, message }) => ({ variable: path, message }));
      throw new ConfigurationError(`invalid ${what}:\n${z.prettifyError(result.error)}`, issues);
    }
    parsed = { key, value: result.data };
    return result.data;
  };
}

/**
 * The janitor functions' configuration, parsed once per cold start.
 *
 * @example
 * const env = readEnv(); // { JANITOR_TABLE: 'aicore-janitor-prod', JANITOR_APPLY: false, … }
 */
const readEnv = envReader(JanitorEnv, 'function environment');

export { CONFIG_DEFAULTS, JanitorEnv, ConfigurationError, envReader, readEnv, optionalText };
