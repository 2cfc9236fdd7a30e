/**
 * Hands a job to the worker function by asynchronous invoke (`X-Amz-Invocation-Type: Event`):
 * Lambda queues it and answers 202 at once, so the webhook acknowledges Slack within its 3 s without
 * ever waiting for AI Core. One signed POST to Lambda's Invoke API (aws-request.ts) rather than the
 * Lambda client: that client was about a fifth of the webhook bundle for this single call. With
 * LAMBDA_ENDPOINT (serverless-offline's invoke API) the request goes there with static dummy
 * credentials, so nothing looks for real ones.
 */
import type { ChatJob } from '../../lib/chatops/job.js';
import { awsRequester, serviceEndpoint, type AwsRequest, type AwsResponse } from './aws-request.js';
import type { WebhookEnv } from './chat-config.js';
import { ConfigurationError } from './config.js';
import { FunctionError } from './errors.js';

type InvokeWorker = (job: ChatJob) => Promise<void>;

type InvokerEnv = Pick<WebhookEnv, 'AWS_REGION' | 'LAMBDA_ENDPOINT' | 'WORKER_FUNCTION_NAME'>;

/** Queuing an event takes Lambda milliseconds; Slack's whole budget is 3 s. */
const INVOKE_TIMEOUT_MS = 2_000;

class WorkerInvokeError extends FunctionError {
  override name = 'WorkerInvokeError';
}

/** LAMBDA_ENDPOINT, else where the SDK would send a Lambda call (see serviceEndpoint). */
function lambdaEndpoint(env: Pick<WebhookEnv, 'AWS_REGION' | 'LAMBDA_ENDPOINT'>): string {
  return env.LAMBDA_ENDPOINT?.replace(/\/+$/, '') ?? serviceEndpoint('lambda', 'LAMBDA', env.AWS_REGION);
}

function defaultSender(env: Pick<WebhookEnv, 'LAMBDA_ENDPOINT'>): (request: AwsRequest) => Promise<AwsResponse> {
  return env.LAMBDA_ENDPOINT === undefined
    ? awsRequester()
    : awsRequester({ credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}

/**
 * @example
 * const invokeWorker = lambdaInvoker(readWebhookEnv());
 * await invokeWorker(job); // resolves once Lambda has queued the event
 */
function lambdaInvoker(env: InvokerEnv, send: (request: AwsRequest) => Promise<AwsResponse> = defaultSender(env)): InvokeWorker {
  const functionName = env.WORKER_FUNCTION_NAME;
  return async function invokeWorker(job: ChatJob): Promise<void> {
    if (functionName === undefined)
      throw new ConfigurationError('WORKER_FUNCTION_NAME is not set: the webhook cannot hand work to the worker');
    const answer = await send({
      method: 'POST',
      url: `${lambdaEndpoint(env)}/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`,
      service: 'lambda',
      region: env.AWS_REGION,
      headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'Event' },
      body: JSON.stringify(job),
      timeoutMs: INVOKE_TIMEOUT_MS,
    });
    if (answer.status !== 202) {
      // Lambda names the failure in a header (e.g. ResourceNotFoundException); its body says why.
      const type = answer.headers.get('x-amzn-errortype')?.split(':')[0];
      const detail = answer.text.trim().slice(0, 300);
      throw new WorkerInvokeError(
        `invoking ${functionName} answered ${answer.status}${type === undefined ? '' : ` ${type}`}, expected 202${detail === '' ? '' : `: ${detail}`}`,
      );
    }
  };
}

export { lambdaInvoker, lambdaEndpoint, WorkerInvokeError };
export type { InvokeWorker };
