/**
 * The one secret cache: a secret given directly or by Secrets Manager id, fetched once and cached
 * for `cacheExpiryMs`. Every secret a function reads goes through it (the service key, the signing
 * secrets, the Teams Workflows URL): a warm function answers without calling Secrets Manager, and a
 * rotated secret is picked up within the expiry.
 */
import { CONFIG_DEFAULTS } from './config.js';
import type { SecretsReader } from './secrets-reader.js';
import { FunctionError } from './errors.js';

interface SecretReference {
  /** The secret itself (local use). Wins over `secretId`. */
  value: string | undefined;
  /** Secrets Manager secret id whose SecretString is the secret. */
  secretId: string | undefined;
}

interface SecretCacheOptions {
  /** Default: CONFIG_DEFAULTS.secretCacheMs. */
  cacheExpiryMs?: number;
  /** Secrets Manager (container-secrets.ts: the SDK client; the webhook: one signed request). */
  reader: SecretsReader;
}

/** Reference → secret, or undefined when neither a value nor an id is set. */
type SecretResolver = (ref: SecretReference) => Promise<string | undefined>;

class SecretUnavailableError extends FunctionError {
  override name = 'SecretUnavailableError';
}

/**
 * Returns a resolver: reference → secret, or undefined when neither a value nor an id is set.
 *
 * @example
 * const resolve = secretCache({ reader: sdkSecretsReader() });
 * const secret = await resolve({ value: env.SLACK_SIGNING_SECRET, secretId: env.SLACK_SIGNING_SECRET_ID });
 */
function secretCache(options: SecretCacheOptions): SecretResolver {
  const opts = { cacheExpiryMs: CONFIG_DEFAULTS.secretCacheMs, ...options };
  const cached = new Map<string, { value: string; expiresAt: number }>();

  return async function resolveSecret(ref: SecretReference): Promise<string | undefined> {
    if (ref.value !== undefined) return ref.value;
    if (ref.secretId === undefined) return undefined;
    const hit = cached.get(ref.secretId);
    if (hit !== undefined && Date.now() < hit.expiresAt) return hit.value;
    const secret = await opts.reader.secretString(ref.secretId);
    if (secret === undefined || secret.trim() === '') throw new SecretUnavailableError(`secret ${ref.secretId} has no SecretString`);
    const value = secret.trim();
    cached.set(ref.secretId, { value, expiresAt: Date.now() + opts.cacheExpiryMs });
    return value;
  };
}

export { secretCache, SecretUnavailableError };
export type { SecretReference, SecretResolver };
