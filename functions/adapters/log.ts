/**
 * Structured JSON log lines for CloudWatch, written by Powertools Logger (service, level, timestamp,
 * Lambda request id and cold start via `loggerMiddleware`, and the run id once a run has one).
 *
 * `LOG_LEVEL` is read on every call rather than once at import: the CLI's demo imports the handler
 * first and sets `LOG_LEVEL=silent` afterwards, because it prints its own human-readable report.
 * Callers pass facts, never secrets; as a second line of defence, fields whose names look like
 * credentials are replaced before they are written.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { CONFIG_DEFAULTS } from './config.js';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = Exclude<keyof typeof LEVELS, 'silent'>;
type Fields = Record<string, unknown>;

/** Names of fields that must never reach a log line, whatever a caller passes. */
const SECRET_KEY = /secret|password|token|authorization|credential|clientid|serviceKey|signature|hmac|certificate|private.?key/i;
const REDACTED = '[redacted]';

/** Our own gate does the filtering, so Powertools is told to pass everything through. */
const logger = new Logger({ logLevel: 'DEBUG', serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? CONFIG_DEFAULTS.serviceName });

function threshold(): number {
  const configured = process.env.LOG_LEVEL?.toLowerCase();
  return configured !== undefined && configured in LEVELS ? LEVELS[configured as keyof typeof LEVELS] : LEVELS.info;
}

/** True when `LOG_LEVEL=silent`: nothing, metrics included, may be written to stdout. */
function isSilent(): boolean {
  return threshold() >= LEVELS.silent;
}

function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, SECRET_KEY.test(key) ? REDACTED : redact(inner, depth + 1)]));
}

function log(level: Level, message: string, fields: Fields = {}): void {
  if (LEVELS[level] < threshold()) return;
  logger[level](message, redact(fields) as Fields);
}

/** Tags every following line of this invocation with the run id and policy digest (cleared by `loggerMiddleware`). */
function tagRun(runId: string, policyDigest: string): void {
  logger.appendKeys({ runId, policyDigest });
}

/** Adds the Lambda request id and cold start to each line and drops per-invocation keys afterwards. */
function loggerMiddleware(): ReturnType<typeof injectLambdaContext> {
  return injectLambdaContext(logger, { resetKeys: true });
}

export { log, tagRun, isSilent, loggerMiddleware };
export type { Level };
