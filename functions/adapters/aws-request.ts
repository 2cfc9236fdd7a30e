/**
 * One signed AWS API request over Node's fetch, for a function that needs a single call and should
 * not carry a whole SDK client for it (the webhook's asynchronous invoke of the worker: the Lambda
 * client alone is about a fifth of that bundle). Signing is the SDK's own: `@smithy/signature-v4`
 * with the SDK's Node SHA-256, and credentials come from the SDK's environment provider, the link of
 * its default chain that the Lambda runtime fills with the function role's keys. The SDK's full
 * chain (profiles, SSO, web identity, instance metadata) is as large as a client and has nothing to
 * find in Lambda; a caller outside Lambda passes static credentials (serverless-offline).
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';
import { Sha256 } from '@smithy/core/checksum';
import { SignatureV4 } from '@smithy/signature-v4';

interface AwsRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Absolute URL, query included. */
  url: string;
  /** The signing name of the service, e.g. `lambda`. */
  service: string;
  region: string;
  headers?: Record<string, string>;
  body?: string;
  /** Aborts the request (connect, send and answer) after this long. */
  timeoutMs: number;
}

interface AwsResponse {
  status: number;
  headers: Headers;
  text: string;
}

interface AwsRequestOptions {
  /** Static keys or a provider of them, as the SDK's signer takes them. */
  credentials: ConstructorParameters<typeof SignatureV4>[0]['credentials'];
  fetch: typeof fetch;
}

const defaults: AwsRequestOptions = { credentials: fromEnv(), fetch: (input, init) => fetch(input, init) };

/**
 * Where a service is reached, as the SDK decides it: `AWS_ENDPOINT_URL_<SERVICE>`, else
 * `AWS_ENDPOINT_URL` (both used by `npm run offline` and the tests), else the regional endpoint
 * (`.amazonaws.com.cn` in the China partition). No trailing slash.
 *
 * @example
 * serviceEndpoint('secretsmanager', 'SECRETS_MANAGER', 'eu-central-1', {}); // 'https://secretsmanager.eu-central-1.amazonaws.com'
 */
function serviceEndpoint(prefix: string, envName: string, region: string, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env[`AWS_ENDPOINT_URL_${envName}`] ?? env.AWS_ENDPOINT_URL;
  if (configured !== undefined && configured.trim() !== '') return configured.trim().replace(/\/+$/, '');
  return `https://${prefix}.${region}.${region.startsWith('cn-') ? 'amazonaws.com.cn' : 'amazonaws.com'}`;
}

/**
 * Returns a sender of signed requests (SigV4, `x-amz-content-sha256` not needed by JSON APIs).
 *
 * @example
 * const send = awsRequester();
 * const answer = await send({ method: 'POST', url, service: 'lambda', region: 'eu-central-1', body: '{}', timeoutMs: 2000 });
 */
function awsRequester(options: Partial<AwsRequestOptions> = {}): (request: AwsRequest) => Promise<AwsResponse> {
  const { credentials, fetch: send } = { ...defaults, ...options };
  const signers = new Map<string, SignatureV4>();
  const signerFor = (service: string, region: string): SignatureV4 => {
    const key = `${service}@${region}`;
    let signer = signers.get(key);
    if (signer === undefined) {
      signer = new SignatureV4({ credentials, region, service, sha256: Sha256 });
      signers.set(key, signer);
    }
    return signer;
  };

  return async function sendAwsRequest(request: AwsRequest): Promise<AwsResponse> {
    const url = new URL(request.url);
    const signed = await signerFor(request.service, request.region).sign({
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      ...(url.port === '' ? {} : { port: Number(url.port) }),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: { ...request.headers, host: url.host },
      body: request.body,
    });
    // fetch sets Host itself (and refuses to be given one); the signature covers the same value.
    const { host: _host, ...headers } = signed.headers;
    const response = await send(url, {
      method: request.method,
      headers,
      body: request.body ?? null,
      redirect: 'manual',
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
}

export { awsRequester, serviceEndpoint };
export type { AwsRequest, AwsResponse };
