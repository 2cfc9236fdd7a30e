/**
 * A middy middleware shaped like @middy/secrets-manager: it fetches the AI Core service key once,
 * caches it for `cacheExpiryMs`, and hands it to the handler through `serviceKeyOf(context)`. In
 * AWS the key comes from Secrets Manager; locally from `AICORE_SERVICE_KEY`. Handlers never call
 * the SDK. (A WeakMap keyed by the invocation's context keeps the Lambda `Context` type honest.)
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import { credentialsFromEnv, parseServiceKey } from '../../lib/aicore/credentials.js';
import { CredentialsError } from '../../lib/aicore/errors.js';
import type { ServiceKey } from '../../lib/aicore/wire.js';

interface ServiceKeyOptions {
  secretId: string | undefined;
  cacheExpiryMs: number;
  client: () => Pick<SecretsManagerClient, 'send'>;
}

const defaults: ServiceKeyOptions = {
  secretId: undefined,
  cacheExpiryMs: 5 * 60_000,
  client: () => new SecretsManagerClient({}),
};

const keysByInvocation = new WeakMap<Context, ServiceKey>();

/** The service key the middleware loaded for this invocation. */
function serviceKeyOf(context: Context): ServiceKey {
  const key = keysByInvocation.get(context);
  if (key === undefined) throw new CredentialsError('no service key for this invocation: is serviceKeyMiddleware in the chain?');
  return key;
}

function serviceKeyMiddleware<E, R>(options: Partial<ServiceKeyOptions> = {}): MiddlewareObj<E, R, Error, Context> {
  const opts = { ...defaults, ...options };
  let cached: { key: ServiceKey; expiresAt: number } | undefined;

  const load = async (secretId: string): Promise<ServiceKey> => {
    const secret = await opts.client().send(new GetSecretValueCommand({ SecretId: secretId }));
    if (secret.SecretString === undefined) throw new CredentialsError(`secret ${secretId} has no SecretString`);
    return parseServiceKey(secret.SecretString, `secret ${secretId}`);
  };

  const serviceKeyMiddlewareBefore = async (request: { context: Context }): Promise<void> => {
    // Only the Secrets Manager call is worth caching; the environment is read afresh every time.
    if (opts.secretId === undefined) {
      keysByInvocation.set(request.context, await credentialsFromEnv().serviceKey());
      return;
    }
    if (cached === undefined || Date.now() >= cached.expiresAt)
      cached = { key: await load(opts.secretId), expiresAt: Date.now() + opts.cacheExpiryMs };
    keysByInvocation.set(request.context, cached.key);
  };

  return { before: serviceKeyMiddlewareBefore };
}

export { serviceKeyMiddleware, serviceKeyOf };
export type { ServiceKeyOptions };
