/**
 * The worker's Teams setting: the Workflows webhook URL its Teams digests go to. The URL carries
 * its own authorisation (the `sig` query parameter), so it is a secret: given directly (local,
 * serverless-offline) or as a Secrets Manager secret id (AWS), cached like the signing secrets, and
 * never logged (the poster logs only the host).
 */
import * as z from 'zod';
import { envReader, optionalText } from './config.js';
import { containerSecrets, type SecretResolver } from './secret.js';

const TeamsWorkerEnv = z.object({
  /** The Workflows webhook URL ("Post to a channel when a webhook request is received"; local use). */
  TEAMS_WORKFLOW_URL: optionalText,
  /** Secrets Manager secret id holding that URL as a plain string (AWS). */
  TEAMS_WORKFLOW_URL_ID: optionalText,
});
type TeamsWorkerEnv = z.infer<typeof TeamsWorkerEnv>;

/** The Teams setting, parsed once per cold start (config.ts). */
const readTeamsWorkerEnv = envReader(TeamsWorkerEnv, 'Teams environment');

/**
 * A resolver for the Workflows URL: undefined when Teams is not configured for this stage.
 *
 * @example
 * const url = await teamsWorkflowUrl()(); // 'https://prod-12.westeurope.logic.azure.com/workflows/…?…&sig=…'
 */
function teamsWorkflowUrl(
  env: () => TeamsWorkerEnv = () => readTeamsWorkerEnv(),
  secret: SecretResolver = containerSecrets(),
): () => Promise<string | undefined> {
  return function resolveTeamsWorkflowUrl(): Promise<string | undefined> {
    const { TEAMS_WORKFLOW_URL, TEAMS_WORKFLOW_URL_ID } = env();
    return secret({ value: TEAMS_WORKFLOW_URL, secretId: TEAMS_WORKFLOW_URL_ID });
  };
}

export { TeamsWorkerEnv, readTeamsWorkerEnv, teamsWorkflowUrl };
