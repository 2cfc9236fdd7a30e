/**
 * A signing secret given directly or by Secrets Manager id, fetched once and cached for
 * `cacheExpiryMs` (as service-key.ts caches the service key): a warm webhook verifies requests
 * without calling Secrets Manager, and a rotated secret is picked up within the expiry.
 */
import { secretsManagerReader, type SecretsReader } from './secrets-manager.js';

interface SecretReference {
  /** The secret itself (local use). Wins over `secretId`. */
  value: string | undefined;
  /** Secrets Manager secret id whose SecretString is the secret. */
  secretId: string | undefined;
}

interface SecretCacheOptions {
  cacheExpiryMs: number;
  /** Default: Secrets Manager's GetSecretValue as one signed request (secrets-manager.ts: no SDK client in the webhook). */
  client: () => SecretsReader;
}

const defaults: SecretCacheOptions = {
  cacheExpiryMs: 5 * 60_000,
  client: () => secretsManagerReader(),
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
  let client: SecretsReader | undefined;

  return async function resolveSecret(ref: SecretReference): Promise<string | undefined> {
    if (ref.value !== undefined) return ref.value;
    if (ref.secretId === undefined) return undefined;
    const hit = cached.get(ref.secretId);
    if (hit !== undefined && Date.now() < hit.expiresAt) return hit.value;
    client ??= opts.client();
    const secret = await client.secretString(ref.secretId);
    if (secret === undefined || secret.trim() === '') throw new SecretUnavailableError(`secret ${ref.secretId} has no SecretString`);
    const value = secret.trim();
    cached.set(ref.secretId, { value, expiresAt: Date.now() + opts.cacheExpiryMs });
    return value;
  };
}

export { secretCache, SecretUnavailableError };
export type { SecretReference, SecretCacheOptions };
