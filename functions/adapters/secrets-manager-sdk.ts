/**
 * Secrets Manager's GetSecretValue through the pinned SDK client, built on the first read (one reader
 * per container: container-secrets.ts): the reader of every function but the webhook (see secrets-manager-fetch.ts for why that one differs).
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CONFIG_DEFAULTS } from './config.js';
import { errorMessage } from '../../lib/util/errors.js';
import { SecretsManagerError, type SecretsReader } from './secrets-reader.js';

/**
 * @example
 * const value = await sdkSecretsReader().secretString('aicore-janitor/aicore-service-key');
 */
function sdkSecretsReader(
  makeClient: () => SecretsManagerClient = () => {
    const timeout = CONFIG_DEFAULTS.secretsTimeoutMs;
    return new SecretsManagerClient({
      region: process.env.AWS_REGION ?? CONFIG_DEFAULTS.region,
      requestHandler: { requestTimeout: timeout, connectionTimeout: timeout },
    });
  },
): SecretsReader {
  // Built on the first read: a function given its secrets directly never constructs it.
  let client: SecretsManagerClient | undefined;
  return {
    async secretString(secretId: string): Promise<string | undefined> {
      client ??= makeClient();
      try {
        return (await client.send(new GetSecretValueCommand({ SecretId: secretId }))).SecretString;
      } catch (error: unknown) {
        const type = error instanceof Error ? ` ${error.name}` : '';
        throw new SecretsManagerError(`GetSecretValue ${secretId} failed${type}: ${errorMessage(error)}`, { cause: error });
      }
    },
  };
}

export { sdkSecretsReader };
