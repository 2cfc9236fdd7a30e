/** The container's one secret cache, reading Secrets Manager through the SDK client (every function but the webhook). */
import { secretCache, type SecretResolver } from './secret.js';
import { sdkSecretsReader } from './secrets-manager-sdk.js';

let shared: SecretResolver | undefined;

/**
 * The container's secret cache, created on first use: one Secrets Manager reader and one cache
 * for every secret this container's function reads.
 *
 * @example
 * const serviceKeyText = await containerSecrets()({ value: undefined, secretId: env.AICORE_SECRET_ID });
 */
function containerSecrets(): SecretResolver {
  shared ??= secretCache({ reader: sdkSecretsReader() });
  return shared;
}

export { containerSecrets };
