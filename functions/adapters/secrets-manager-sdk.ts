/**
 * Secrets Manager's GetSecretValue through the pinned SDK client, created once per container: the
 * reader of every function but the webhook (see secrets-manager-fetch.ts for why that one differs).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CONFIG_DEFAULTS } from './config.js';
import { errorMessage } from '../../lib/util/errors.js';
import { SecretsManagerError, type SecretsReader } from './secrets-reader.js';

const TIMEOUT_MS = 5_000;

let shared: SecretsManagerClient | undefined;

/**
 * @example
 * const value = await sdkSecretsReader().secretString('aicore-janitor/aicore-service-key');
 */
function sdkSecretsReader(
  client: () => SecretsManagerClient = () => {
    shared ??= new SecretsManagerClient({
      region: process.env.AWS_REGION ?? CONFIG_DEFAULTS.region,
      requestHandler: { requestTimeout: TIMEOUT_MS, connectionTimeout: TIMEOUT_MS },
    });
    return shared;
  },
): SecretsReader {
  return {
    async secretString(secretId: string): Promise<string | undefined> {
      try {
        return (await client().send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
      } catch (error: unknown) {
        const type = error instanceof Error ? ` ${error.name}` : '';
        throw new SecretsManagerError(`GetSecretValue ${secretId} failed${type}: ${errorMessage(error)}`, { cause: error });
      }
    },
  };
}

export { sdkSecretsReader };
