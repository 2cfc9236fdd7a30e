/**
 * A signing secret given directly or by Secrets Manager id, fetched once and cached for
 * `cacheExpiryMs` (as service-key.ts caches the service key): a warm webhook verifies requests
 * without calling Secrets Manager, and a rotated secret is picked up within the expiry.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

interface SecretReference {
  /** The secret itself (local use). Wins over `secretId`. */
  value: string | undefined;
  /** Secrets Manager secret id whose SecretString is the secret. */
  secretId: string | undefined;
}

interface SecretCacheOptions {
  cacheExpiryMs: number;
  client: () => Pick<SecretsManagerClient, 'send'>;
}

const defaults: SecretCacheOptions = {
  cacheExpiryMs: 5 * 60_000,
  client: () => new SecretsManagerClient({}),
};

class SecretUnavailableError extends Error {
  override name = 'SecretUnavailableError';
}

/**
 * Returns a resolver: reference → secret, or undefined when neither a value nor an id is set.
 *
 * @example
 * const resolve = secretCache();
 * const secret = await resolve({ value: env.SLACK_SIGNING_SECRET, secretId: env.SLACK_SIGNING_SECRET_ID });
 */
function secretCache(options: Partial<SecretCacheOptions> = {}): (ref: SecretReference) => Promise<string | undefined> {
  const opts = { ...defaults, ...options };
  const cached = new Map<string, { value: string; expiresAt: number }>();
  let client: Pick<SecretsManagerClient, 'send'> | undefined;

  return async function resolveSecret(ref: SecretReference): Promise<string | undefined> {
    if (ref.value !== undefined) return ref.value;
    if (ref.secretId === undefined) return undefined;
    const hit = cached.get(ref.secretId);
    if (hit !== undefined && Date.now() < hit.expiresAt) return hit.value;
    client ??= opts.client();
    const secret = await client.send(new GetSecretValueCommand({ SecretId: ref.secretId }));
    if (secret.SecretString === undefined || secret.SecretString.trim() === '')
      throw new SecretUnavailableError(`secret ${ref.secretId} has no SecretString`);
    const value = secret.SecretString.trim();
    cached.set(ref.secretId, { value, expiresAt: Date.now() + opts.cacheExpiryMs });
    return value;
  };
}

export { secretCache, SecretUnavailableError };
export type { SecretReference, SecretCacheOptions };
