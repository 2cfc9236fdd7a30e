/**
 * A middy middleware shaped like @middy/secrets-manager: it fetches the AI Core service key once,
 * caches it for `cacheExpiryMs`, and hands it to the handler in `context.serviceKey`. In AWS the
 * key comes from Secrets Manager; locally from `AICORE_SERVICE_KEY`. Handlers never call the SDK.
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

type ServiceKeyContext = Context & { serviceKey: ServiceKey };

function serviceKeyMiddleware<E, R>(options: Partial<ServiceKeyOptions> = {}): MiddlewareObj<E, R, Error, ServiceKeyContext> {
  const opts = { ...defaults, ...options };
  let cached: { key: ServiceKey; expiresAt: number } | undefined;

  const load = async (): Promise<ServiceKey> => {
    if (opts.secretId === undefined) return credentialsFromEnv().serviceKey();
    const secret = await opts.client().send(new GetSecretValueCommand({ SecretId: opts.secretId }));
    if (secret.SecretString === undefined) throw new CredentialsError(`secret ${opts.secretId} has no SecretString`);
    return parseServiceKey(secret.SecretString, `secret ${opts.secretId}`);
  };

  const serviceKeyMiddlewareBefore = async (request: { context: ServiceKeyContext }): Promise<void> => {
    if (cached === undefined || Date.now() >= cached.expiresAt) cached = { key: await load(), expiresAt: Date.now() + opts.cacheExpiryMs };
    request.context.serviceKey = cached.key;
  };

  return { before: serviceKeyMiddlewareBefore };
}

export { serviceKeyMiddleware };
export type { ServiceKeyOptions, ServiceKeyContext };
