/**
 * A loopback stand-in for AWS Secrets Manager's GetSecretValue, for `npm run offline` only.
 *
 * Why a stub rather than `AICORE_SERVICE_KEY` in the environment: serverless.yml gives every
 * function a secret *id* (as in AWS), and serverless-offline lets serverless.yml's environment win
 * over the local one. Serving those ids here keeps the functions on their deployed code path — the
 * middleware's GetSecretValue call, caching and parsing — with the AWS SDK pointed at this server
 * through `AWS_ENDPOINT_URL_SECRETS_MANAGER`. Unknown ids get the same error type AWS returns.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../infra/local/loopback.js';
import * as z from 'zod';

interface SecretsStub {
  endpoint: string;
  /** Every id asked for, in order (lets tests prove the functions read their secrets). */
  requested: string[];
  stop(): Promise<void>;
}

const GetSecretValueRequest = z.object({ SecretId: z.string().min(1) });
const JSON_1_1 = 'application/x-amz-json-1.1';

function reply(res: ServerResponse, status: number, body: Record<string, unknown>): void {
  res.writeHead(status, { 'content-type': JSON_1_1 });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function startSecretsStub(secrets: Readonly<Record<string, string>>): Promise<SecretsStub> {
  const requested: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const target = req.headers['x-amz-target'];
      if (req.method !== 'POST' || target !== 'secretsmanager.GetSecretValue') {
        reply(res, 400, { __type: 'UnknownOperationException', message: `not served locally: ${String(target)}` });
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(await readBody(req));
      } catch {
        parsed = undefined;
      }
      const request = GetSecretValueRequest.safeParse(parsed);
      if (!request.success) {
        reply(res, 400, { __type: 'InvalidParameterException', message: 'SecretId is required' });
        return;
      }
      const id = request.data.SecretId;
      requested.push(id);
      const value = secrets[id];
      if (value === undefined) {
        reply(res, 400, { __type: 'ResourceNotFoundException', message: `Secrets Manager can't find the specified secret: ${id}` });
        return;
      }
      reply(res, 200, {
        ARN: `arn:aws:secretsmanager:us-east-1:000000000000:secret:${id}-local`,
        Name: id,
        SecretString: value,
        VersionId: 'local',
        VersionStages: ['AWSCURRENT'],
        CreatedDate: Date.now() / 1000,
      });
    })();
  });
  const listening = await listenOnLoopback(server);
  return { endpoint: listening.url, requested, stop: () => listening.close() };
}

export { startSecretsStub };
export type { SecretsStub };
