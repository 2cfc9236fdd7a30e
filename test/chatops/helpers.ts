/**
 * Test seams for chat ops: a local receiver standing in for Slack's response_url, API Gateway v2
 * events built from signed requests, and a recording worker invoker (what Lambda would queue).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatJob } from '../../lib/chatops/job.js';
import type { SlackMessage } from '../../lib/chatops/blocks.js';
import type { SignedHttpRequest } from '../../scripts/slack-command.js';

interface Receiver<T = SlackMessage> {
  url: string;
  messages: T[];
  stop(): Promise<void>;
}

/**
 * Accepts POSTed JSON on 127.0.0.1 (a free port) and keeps it, answering `ok` as Slack does (also
 * the stand-in for a Teams Workflows webhook, which answers 202 in reality: any 2xx is success).
 */
async function startReceiver<T = SlackMessage>(): Promise<Receiver<T>> {
  const messages: T[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      messages.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as T);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/response`,
    messages,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** An HTTP API (payload 2.0) event as API Gateway delivers it. */
function httpEvent(
  path: string,
  request: SignedHttpRequest,
  options: { headers?: Record<string, string>; base64?: boolean } = {},
): Record<string, unknown> {
  return {
    version: '2.0',
    routeKey: `POST ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'local', ...request.headers, ...options.headers },
    requestContext: {
      http: { method: 'POST', path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'Slackbot 1.0' },
      requestId: 'r1',
      stage: '$default',
    },
    body: options.base64 === true ? Buffer.from(request.body, 'utf8').toString('base64') : request.body,
    isBase64Encoded: options.base64 === true,
  };
}

/** Records what the webhook would queue, serialised as Lambda would deliver it to the worker. */
function recordingInvoker(): { payloads: unknown[]; invokeWorker: (job: ChatJob) => Promise<void> } {
  const payloads: unknown[] = [];
  return {
    payloads,
    invokeWorker: (job) => {
      payloads.push(JSON.parse(JSON.stringify(job)));
      return Promise.resolve();
    },
  };
}

/** The Approve button's value in a digest, if it has one. */
function approveValue(message: SlackMessage | undefined): string | undefined {
  for (const block of message?.blocks ?? []) if (block.type === 'actions') return block.elements[0]?.value;
  return undefined;
}

/** All text of a message, for `toContain` assertions. */
function textOf(message: SlackMessage | undefined): string {
  return JSON.stringify(message?.blocks ?? []);
}

export { startReceiver, httpEvent, recordingInvoker, approveValue, textOf };
export type { Receiver };
