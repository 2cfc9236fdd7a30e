/**
 * The webhook's SDK-free AWS calls: every request is checked on a loopback server by an
 * independent SigV4 verifier (node:crypto, following AWS's published algorithm), so a request AWS
 * would refuse fails here; GetSecretValue runs against the offline stack's Secrets Manager stand-in,
 * both as one signed request (the webhook) and through the SDK client (every other function).
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { awsRequester, serviceEndpoint } from '../../functions/adapters/aws-request.js';
import { lambdaEndpoint } from '../../functions/adapters/invoke-worker.js';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { signedSecretsReader } from '../../functions/adapters/secrets-manager-fetch.js';
import { sdkSecretsReader } from '../../functions/adapters/secrets-manager-sdk.js';
import { startSecretsStub } from '../../scripts/offline-secrets.js';

const KEYS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-1' };

const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');
const hmac = (key: string | Buffer, text: string): Buffer => createHmac('sha256', key).update(text, 'utf8').digest();
const rfc3986 = (text: string): string =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** SigV4 as AWS documents it (non-S3: each path segment URI-encoded once more); the expected signature. */
function expectedSignature(req: IncomingMessage, body: string, secret: string): { signature: string; signed: string[] } {
  const auth =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      req.headers.authorization ?? '',
    );
  if (auth === null) throw new Error(`not a SigV4 Authorization header: ${req.headers.authorization}`);
  const [, , day = '', region = '', service = '', signedList = ''] = auth;
  const signed = signedList.split(';');
  const url = new URL(req.url ?? '/', 'http://placeholder');
  const path = url.pathname
    .split('/')
    .map((segment) => rfc3986(segment))
    .join('/');
  const query = [...url.searchParams]
    .map(([k, v]) => `${rfc3986(k)}=${rfc3986(v)}`)
    .sort()
    .join('&');
  const headers = signed
    .map(
      (name) =>
        `${name}:${String(req.headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const canonical = [req.method, path, query, headers, signedList, sha256(body)].join('\n');
  const amzDate = String(req.headers['x-amz-date']);
  const toSign = ['AWS4-HMAC-SHA256', amzDate, `${day}/${region}/${service}/aws4_request`, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, day), region), service), 'aws4_request');
  return { signature: hmac(key, toSign).toString('hex'), signed };
}

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  valid: boolean;
  validWithWrongSecret: boolean;
  signed: string[];
}

async function withVerifier(answer: { status: number; body: string }, test: (url: string, seen: Seen[]) => Promise<void>): Promise<void> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const given = /Signature=([0-9a-f]{64})$/.exec(req.headers.authorization ?? '')?.[1];
      const { signature, signed } = expectedSignature(req, body, KEYS.secretAccessKey);
      const wrong = expectedSignature(req, body, 'not-the-secret').signature;
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body,
        valid: given === signature,
        validWithWrongSecret: given === wrong,
        signed,
      });
      res.writeHead(answer.status, { 'x-amzn-errortype': 'ResourceNotFoundException:http://internal.amazon.com/' }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await test(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('awsRequester', () => {
  it('signs method, path, query, host, body and session token as SigV4 requires', async () => {
    await withVerifier({ status: 202, body: '' }, async (url, seen) => {
      const send = awsRequester({ credentials: KEYS });
      const answer = await send({
        method: 'POST',
        url: `${url}/2015-03-31/functions/my-worker/invocations?Qualifier=live&a=b c`,
        service: 'lambda',
        region: 'eu-central-1',
        headers: { 'content-type': 'application/json', 'x-amz-invocation-type': 'Event' },
        body: '{"hello":"wörld"}',
        timeoutMs: 2_000,
      });
      expect(answer.status).toBe(202);
      expect(seen).toHaveLength(1);
      expect(seen[0]?.valid).toBe(true);
      // The verifier can fail: the same request does not verify under another secret.
      expect(seen[0]?.validWithWrongSecret).toBe(false);
      expect(seen[0]?.signed).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-security-token', 'x-amz-invocation-type']));
      expect(seen[0]?.headers['x-amz-security-token']).toBe('session-1');
      expect(seen[0]?.headers.authorization).toContain('/eu-central-1/lambda/aws4_request');
      expect(seen[0]?.body).toBe('{"hello":"wörld"}');
    });
  });

  it('gives up after its timeout instead of holding the caller', async () => {
    const server = createServer(() => undefined); // never answers
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const send = awsRequester({ credentials: KEYS });
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      await expect(send({ method: 'POST', url, service: 'lambda', region: 'us-east-1', timeoutMs: 100 })).rejects.toThrow();
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe('serviceEndpoint', () => {
  it('prefers the per-service override, then the global one, then the regional endpoint', () => {
    expect(
      serviceEndpoint('lambda', 'LAMBDA', 'eu-central-1', { AWS_ENDPOINT_URL_LAMBDA: 'http://127.0.0.1:3002/', AWS_ENDPOINT_URL: 'x' }),
    ).toBe('http://127.0.0.1:3002');
    expect(serviceEndpoint('lambda', 'LAMBDA', 'eu-central-1', { AWS_ENDPOINT_URL: 'http://127.0.0.1:9' })).toBe('http://127.0.0.1:9');
    expect(serviceEndpoint('lambda', 'LAMBDA', 'eu-central-1', {})).toBe('https://lambda.eu-central-1.amazonaws.com');
    expect(serviceEndpoint('secretsmanager', 'SECRETS_MANAGER', 'cn-north-1', {})).toBe(
      'https://secretsmanager.cn-north-1.amazonaws.com.cn',
    );
    expect(lambdaEndpoint({ AWS_REGION: 'eu-west-1', LAMBDA_ENDPOINT: 'http://127.0.0.1:3002/' })).toBe('http://127.0.0.1:3002');
  });
});

describe('signedSecretsReader', () => {
  /** Points Secrets Manager calls at `endpoint` (as `npm run offline` does) while `test` runs. */
  async function withSecretsEndpoint(endpoint: string, test: () => Promise<void>): Promise<void> {
    const saved = process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
    process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = endpoint;
    try {
      await test();
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER;
      else process.env.AWS_ENDPOINT_URL_SECRETS_MANAGER = saved;
    }
  }

  async function withStubEndpoint(test: () => Promise<void>): Promise<string[]> {
    const stub = await startSecretsStub({ 'janitor/slack': 'signing-secret' });
    try {
      await withSecretsEndpoint(stub.endpoint, test);
    } finally {
      await stub.stop();
    }
    return stub.requested;
  }

  it('reads a SecretString with GetSecretValue and names the error type AWS answers with', async () => {
    const requested = await withStubEndpoint(async () => {
      const reader = signedSecretsReader('us-east-1', awsRequester({ credentials: KEYS }));
      expect(await reader.secretString('janitor/slack')).toBe('signing-secret');
      await expect(reader.secretString('janitor/missing')).rejects.toThrow(/400 ResourceNotFoundException: .*janitor\/missing/);
    });
    expect(requested).toEqual(['janitor/slack', 'janitor/missing']);
  });

  it('sends a request SigV4 verifies, to the service the signature names', async () => {
    await withVerifier({ status: 200, body: '{"SecretString":"s3cret","Name":"x"}' }, async (url, seen) => {
      await withSecretsEndpoint(url, async () => {
        const reader = signedSecretsReader('eu-central-1', awsRequester({ credentials: KEYS }));
        expect(await reader.secretString('janitor/slack')).toBe('s3cret');
      });
      expect(seen[0]?.valid).toBe(true);
      expect(seen[0]?.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
      expect(seen[0]?.headers.authorization).toContain('/eu-central-1/secretsmanager/aws4_request');
      expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ SecretId: 'janitor/slack' });
    });
  });
});

describe('sdkSecretsReader', () => {
  const clientAt = (endpoint: string) => () => new SecretsManagerClient({ region: 'eu-central-1', endpoint, credentials: KEYS });

  it('reads a SecretString through the SDK client and names the error type AWS answers with', async () => {
    const stub = await startSecretsStub({ 'janitor/service-key': '{"clientid":"x"}' });
    try {
      const reader = sdkSecretsReader(clientAt(stub.endpoint));
      expect(await reader.secretString('janitor/service-key')).toBe('{"clientid":"x"}');
      await expect(reader.secretString('janitor/missing')).rejects.toThrow(
        /GetSecretValue janitor\/missing failed ResourceNotFoundException/,
      );
    } finally {
      await stub.stop();
    }
    expect(stub.requested).toEqual(['janitor/service-key', 'janitor/missing']);
  });

  it('by default builds its client from the environment on the first read, and reuses it (as the functions run it)', async () => {
    const stub = await startSecretsStub({ 'janitor/service-key': 'key-text' });
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SECRETS_MANAGER: stub.endpoint,
      AWS_ACCESS_KEY_ID: KEYS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey,
      AWS_REGION: 'eu-central-1',
    });
    try {
      const reader = sdkSecretsReader();
      expect(await reader.secretString('janitor/service-key')).toBe('key-text');
      expect(await reader.secretString('janitor/service-key')).toBe('key-text');
    } finally {
      process.env = saved;
      await stub.stop();
    }
    expect(stub.requested).toEqual(['janitor/service-key', 'janitor/service-key']);
  });

  it('sends the same request the signed reader sends, and SigV4 verifies it', async () => {
    await withVerifier({ status: 200, body: '{"SecretString":"s3cret","Name":"x"}' }, async (url, seen) => {
      expect(await sdkSecretsReader(clientAt(url)).secretString('janitor/slack')).toBe('s3cret');
      expect(seen[0]?.valid).toBe(true);
      expect(seen[0]?.headers['x-amz-target']).toBe('secretsmanager.GetSecretValue');
      expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ SecretId: 'janitor/slack' });
    });
  });
});
