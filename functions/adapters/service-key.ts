/**
 * A middy middleware shaped like @middy/secrets-manager: it reads the AI Core service key through
 * the container's secret cache (secret.ts) and hands it to the handler through
 * `serviceKeyOf(context)`. In AWS the key comes from Secrets Manager (AICORE_SECRET_ID); locally
 * from `AICORE_SERVICE_KEY`. Both are read from the function's configuration (config.ts), parsed
 * once per cold start. Handlers never call AWS. (A WeakMap keyed by the invocation's context keeps
 * the Lambda `Context` type honest.)
 */
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { parseServiceKey } from '../../lib/aicore/credentials.js';
import { CredentialsError } from '../../lib/aicore/errors.js';
import type { ServiceKey } from '../../lib/aicore/wire.js';
import { readEnv, type JanitorEnv } from './config.js';
import { containerSecrets } from './container-secrets.js';
import { SecretUnavailableError, type SecretResolver } from './secret.js';

interface ServiceKeyOptions {
  /** Where the key is: default the function's configuration. */
  env: () => Pick<JanitorEnv, 'AICORE_SECRET_ID' | 'AICORE_SERVICE_KEY'>;
  /** Default: the container's secret cache. */
  secret: SecretResolver;
}

const keysByInvocation = new WeakMap<Context, ServiceKey>();

/** The service key the middleware loaded for this invocation. */
function serviceKeyOf(context: Context): ServiceKey {
  const key = keysByInvocation.get(context);
  if (key === undefined) throw new CredentialsError('no service key for this invocation: is serviceKeyMiddleware in the chain?');
  return key;
}

async function serviceKeyText(opts: ServiceKeyOptions): Promise<{ text: string; source: string }> {
  const { AICORE_SECRET_ID: secretId, AICORE_SERVICE_KEY: inline } = opts.env();
  if (secretId === undefined) {
    if (inline === undefined) throw new CredentialsError('no service key: set AICORE_SECRET_ID (AWS) or AICORE_SERVICE_KEY (local)');
    return { text: inline, source: 'environment variable AICORE_SERVICE_KEY' };
  }
  try {
    return { text: (await opts.secret({ value: undefined, secretId })) ?? '', source: `secret ${secretId}` };
  } catch (error) {
    if (error instanceof SecretUnavailableError) throw new CredentialsError(error.message, { cause: error });
    throw error;
  }
}

function serviceKeyMiddleware<E, R>(options: Partial<ServiceKeyOptions> = {}): MiddlewareObj<E, R, Error, Context> {
  const opts: ServiceKeyOptions = { env: () => readEnv(), secret: containerSecrets(), ...options };
  // The secret cache holds the text; the parsed key is kept while the text stays the same.
  let parsed: { text: string; key: ServiceKey } | undefined;

  const serviceKeyMiddlewareBefore = async (request: { context: Context }): Promise<void> => {
    const { text, source } = await serviceKeyText(opts);
    if (parsed === undefined || parsed.text !== text) parsed = { text, key: parseServiceKey(text, source) };
    keysByInvocation.set(request.context, parsed.key);
  };

  return { before: serviceKeyMiddlewareBefore };
}

export { serviceKeyMiddleware, serviceKeyOf };
export type { ServiceKeyOptions };
