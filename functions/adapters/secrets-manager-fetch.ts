/**
 * Secrets Manager's GetSecretValue as one signed request (aws-request.ts, the SDK's own signer) for
 * the webhook only: it reads its signing secrets and nothing else from AWS, and the Secrets Manager
 * client with the SDK core under it weighs 437 KB minified, more than the webhook's whole 400 KB
 * budget. Every other function reads secrets with the client (secrets-manager-sdk.ts).
 * JSON 1.1 protocol: `POST /` with `X-Amz-Target: secretsmanager.GetSecretValue`; AWS names a
 * failure in the body's `__type`.
 */
import * as z from 'zod';
import { awsRequester, serviceEndpoint, type AwsRequest, type AwsResponse } from './aws-request.js';
import { CONFIG_DEFAULTS } from './config.js';
import { jsonOrUndefined } from '../../lib/util/json.js';
import { SecretsManagerError, type SecretsReader } from './secrets-reader.js';

/** The part of GetSecretValue's answer we read (tolerant: AWS sends more). */
const GetSecretValueAnswer = z.object({ SecretString: z.string().optional() });
/** An AWS JSON-protocol error body: `__type` is `[namespace#]ExceptionName`. */
const AwsJsonError = z.object({ __type: z.string().optional(), message: z.string().optional(), Message: z.string().optional() });

/**
 * @example
 * const value = await signedSecretsReader().secretString('aicore-janitor/slack-signing-secret');
 */
function signedSecretsReader(
  region: string = process.env.AWS_REGION ?? CONFIG_DEFAULTS.region,
  send: (request: AwsRequest) => Promise<AwsResponse> = awsRequester(),
): SecretsReader {
  return {
    async secretString(secretId: string): Promise<string | undefined> {
      const answer = await send({
        method: 'POST',
        url: `${serviceEndpoint('secretsmanager', 'SECRETS_MANAGER', region)}/`,
        service: 'secretsmanager',
        region,
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'secretsmanager.GetSecretValue' },
        body: JSON.stringify({ SecretId: secretId }),
        timeoutMs: CONFIG_DEFAULTS.secretsTimeoutMs,
      });
      const body = jsonOrUndefined(answer.text);
      if (answer.status !== 200) {
        const error = AwsJsonError.safeParse(body);
        const type = error.success ? error.data.__type?.split('#').at(-1) : undefined;
        const message = error.success ? (error.data.message ?? error.data.Message) : undefined;
        throw new SecretsManagerError(
          `GetSecretValue ${secretId} answered ${answer.status}${type === undefined ? '' : ` ${type}`}${message === undefined ? '' : `: ${message}`}`,
        );
      }
      const parsed = GetSecretValueAnswer.safeParse(body);
      if (!parsed.success) throw new SecretsManagerError(`GetSecretValue ${secretId}: unreadable answer`);
      return parsed.data.SecretString;
    },
  };
}

export { signedSecretsReader };
