/**
 * The worker's Teams setting: the Workflows webhook URL its Teams digests go to. The URL carries
 * its own authorisation (the `sig` query parameter), so it is a secret: given directly (local,
 * serverless-offline) or as a Secrets Manager secret id (AWS), read from the worker's configuration
 * (config.ts), cached like the signing secrets, and never logged (the poster logs only the host).
 */
import { readEnv, type JanitorEnv } from './config.js';
import { containerSecrets } from './container-secrets.js';
import type { SecretResolver } from './secret.js';

/**
 * A resolver for the Workflows URL: undefined when Teams is not configured for this stage.
 *
 * @example
 * const url = await teamsWorkflowUrl()(); // 'https://prod-12.westeurope.logic.azure.com/workflows/…?…&sig=…'
 */
function teamsWorkflowUrl(
  env: () => Pick<JanitorEnv, 'TEAMS_WORKFLOW_URL' | 'TEAMS_WORKFLOW_URL_ID'> = () => readEnv(),
  secret: SecretResolver = containerSecrets(),
): () => Promise<string | undefined> {
  return function resolveTeamsWorkflowUrl(): Promise<string | undefined> {
    const { TEAMS_WORKFLOW_URL, TEAMS_WORKFLOW_URL_ID } = env();
    return secret({ value: TEAMS_WORKFLOW_URL, secretId: TEAMS_WORKFLOW_URL_ID });
  };
}

export { teamsWorkflowUrl };
