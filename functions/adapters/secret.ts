/**
 * The one secret cache: a secret given directly or by Secrets Manager id, fetched once and cached
 * for `cacheExpiryMs`. Every secret a function reads goes through it (the service key, the signing
 * secrets, the Teams Workflows URL): a warm function answers without calling Secrets Manager, and a
 * rotated secret is picked up within the expiry.
 */
import { CONFIG_DEFAULTS } from './config.js';
import { secretsManagerReader, type SecretsReader } from './secrets-manager.js';
import { FunctionError } from './errors.js';

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
  cacheExpiryMs: CONFIG_DEFAULTS.secretCacheMs,
  client: () => secretsManagerReader(),
};

/** Reference → secret, or undefined when neither a value nor an id is set. */
type SecretResolver = (ref: SecretReference) => Promise<string | undefined>;

class SecretUnavailableError extends FunctionError {
  override name = 'SecretUnavailableError';
}

/**
 * Returns a resolver: reference → secret, or undefined when neither a value nor an id is set.
 *
 * @example
 * const resolve = secretCache();
 * const secret = await resolve({ value: env.SLACK_SIGNING_SECRET, secretId: env.SLACK_SIGNING_SECRET_ID });
 */
function secretCache(options: Partial<SecretCacheOptions> = {}): SecretResolver {
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

let shared: SecretResolver | undefined;

/**
 * The container's secret cache, created on first use: one Secrets Manager reader and one cache
 * for every secret this container's function reads.
 *
 * @example
 * const serviceKeyText = await containerSecrets()({ value: undefined, secretId: env.AICORE_SECRET_ID });
 */
function containerSecrets(): SecretResolver {
  shared ??= secretCache();
  return shared;
}

export { secretCache, containerSecrets, SecretUnavailableError };
export type { SecretReference, SecretCacheOptions, SecretResolver };
