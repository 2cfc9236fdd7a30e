/**
 * Hands a job to the worker function by asynchronous invoke (`InvocationType: 'Event'`): Lambda
 * queues it and answers 202 at once, so the webhook acknowledges Slack within its 3 s without ever
 * waiting for AI Core. With LAMBDA_ENDPOINT (serverless-offline's invoke API) the client gets that
 * endpoint and static dummy credentials, so the SDK never probes the instance-metadata address.
 */
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { ChatJob } from '../../lib/chatops/job.js';
import type { WebhookEnv } from './chat-config.js';
import { ConfigurationError } from './config.js';

type InvokeWorker = (job: ChatJob) => Promise<void>;

class WorkerInvokeError extends Error {
  override name = 'WorkerInvokeError';
}

function lambdaClient(env: Pick<WebhookEnv, 'AWS_REGION' | 'LAMBDA_ENDPOINT'>): LambdaClient {
  if (env.LAMBDA_ENDPOINT === undefined) return new LambdaClient({ region: env.AWS_REGION });
  return new LambdaClient({
    region: env.AWS_REGION,
    endpoint: env.LAMBDA_ENDPOINT,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/**
 * @example
 * const invokeWorker = lambdaInvoker(readWebhookEnv());
 * await invokeWorker(job); // resolves once Lambda has queued the event
 */
function lambdaInvoker(
  env: Pick<WebhookEnv, 'AWS_REGION' | 'LAMBDA_ENDPOINT' | 'WORKER_FUNCTION_NAME'>,
  client: Pick<LambdaClient, 'send'> = lambdaClient(env),
): InvokeWorker {
  const functionName = env.WORKER_FUNCTION_NAME;
  return async function invokeWorker(job: ChatJob): Promise<void> {
    if (functionName === undefined)
      throw new ConfigurationError('WORKER_FUNCTION_NAME is not set: the webhook cannot hand work to the worker');
    const result = await client.send(
      new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify(job)) }),
    );
    if (result.StatusCode !== 202)
      throw new WorkerInvokeError(`invoking ${functionName} answered ${String(result.StatusCode)}, expected 202`);
  };
}

export { lambdaInvoker, lambdaClient, WorkerInvokeError };
export type { InvokeWorker };
