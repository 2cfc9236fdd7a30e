/** What the secret cache needs from Secrets Manager, with a client (secrets-manager-sdk.ts) or one signed request (secrets-manager-fetch.ts). */
import { FunctionError } from './errors.js';

class SecretsManagerError extends FunctionError {
  override name = 'SecretsManagerError';
}

interface SecretsReader {
  /** The secret's SecretString (undefined for a binary secret); throws when AWS refuses. */
  secretString(secretId: string): Promise<string | undefined>;
}

export { SecretsManagerError };
export type { SecretsReader };
