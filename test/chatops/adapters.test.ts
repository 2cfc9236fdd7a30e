/**
 * The worker-side and edge adapters with fakes: the Lambda invoker against a local invoke API,
 * response_url posting (failures are logged, never thrown), the secret cache, and the command
 * executor's failure, duplicate and kill-switch paths.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { executeChatJob, type ChatDeps } from '../../functions/adapters/chat-command.js';
import { WebhookEnv } from '../../functions/adapters/chat-config.js';
import { lambdaInvoker } from '../../functions/adapters/invoke-worker.js';
import { responsePoster as poster, type PostOptions } from '../../functions/adapters/response-url.js';
import { secretCache } from '../../functions/adapters/secret.js';
import { workerHandler } from '../../functions/worker.js';
import { localContext } from '../../cli/demo.js';
import { ChatJob } from '../../lib/chatops/job.js';
import { replyPolicyFromEnv } from '../../lib/chatops/reply-url.js';
import { helpMessage } from '../../lib/chatops/messages.js';
import { toBlockKit } from '../../lib/chatops/slack-render.js';
import type { SlackMessage } from '../../lib/chatops/blocks.js';
import type { TriggerRecord } from '../../lib/store/records.js';
import { MemoryStore } from '../../lib/store/memory.js';
import { silenceLogs } from '../helpers/silence-logs.js';

silenceLogs();

const job = ChatJob.parse({
  version: 1,
  source: 'slack-command',
  command: { name: 'plan' },
  user: { id: 'U0ALICE' },
  responseUrl: 'http://127.0.0.1:9/response',
  triggerId: 'slack:t1',
  receivedAt: '2026-11-23T12:00:00Z',
});

async function withServer(
  handle: (req: IncomingMessage, body: string) => { status: number; body?: string; hang?: boolean },
  test: (url: string) => Promise<void>,
) {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = handle(req, Buffer.concat(chunks).toString('utf8'));
      if (answer.hang !== true) res.writeHead(answer.status).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await test(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

describe('lambdaInvoker', () => {
  it('invokes the worker asynchronously (Event) at LAMBDA_ENDPOINT with dummy credentials', async () => {
    const seen: Array<{ url: string; type: string | undefined; auth: string | undefined; body: string }> = [];
    await withServer(
      (req, body) => {
        seen.push({
          url: req.url ?? '',
          type: req.headers['x-amz-invocation-type'] as string | undefined,
          auth: req.headers.authorization,
          body,
        });
        return { status: 202 };
      },
      async (endpoint) => {
        const invoke = lambdaInvoker(
          WebhookEnv.parse({ LAMBDA_ENDPOINT: endpoint, WORKER_FUNCTION_NAME: 'aicore-janitor-local-worker', AWS_REGION: 'us-east-1' }),
        );
        await invoke(job);
      },
    );
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe('/2015-03-31/functions/aicore-janitor-local-worker/invocations');
    expect(seen[0]?.type).toBe('Event');
    expect(seen[0]?.auth).toContain('Credential=local/');
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual(job);
  });

  it('refuses to run without WORKER_FUNCTION_NAME', async () => {
    const sent = () => Promise.resolve({ status: 202, headers: new Headers(), text: '' });
    await expect(lambdaInvoker(WebhookEnv.parse({}), sent)(job)).rejects.toThrow('WORKER_FUNCTION_NAME');
  });
});

describe('responsePoster', () => {
  const message = toBlockKit(helpMessage());
  // These receivers are on loopback: the local-stage flag allows them (response-url.test.ts covers the rest).
  const responsePoster = (options: Partial<PostOptions> = {}) =>
    poster({ policy: replyPolicyFromEnv({ JANITOR_ALLOW_LOOPBACK_REPLIES: 'true' }), ...options });

  it('POSTs the message as JSON', async () => {
    let received: unknown;
    await withServer(
      (req, body) => {
        received = { type: req.headers['content-type'], body: JSON.parse(body) };
        return { status: 200, body: 'ok' };
      },
      async (url) => {
        expect(await responsePoster()(`${url}/r`, message)).toBe(true);
      },
    );
    expect(received).toEqual({ type: 'application/json', body: message });
  });

  it('reports a refusal, a hang (timeout) and an unreachable URL as false, never throwing', async () => {
    await withServer(
      (req) => (req.url === '/hang' ? { status: 0, hang: true } : { status: 404, body: 'expired_url' }),
      async (url) => {
        expect(await responsePoster()(`${url}/gone`, message)).toBe(false);
        expect(await responsePoster({ timeoutMs: 100 })(`${url}/hang`, message)).toBe(false);
      },
    );
    expect(await responsePoster()('http://127.0.0.1:9/closed', message)).toBe(false);
  });
});

describe('secretCache', () => {
  it('prefers the direct value, fetches by id once and caches it', async () => {
    let calls = 0;
    const resolve = secretCache({ reader: { secretString: () => Promise.resolve(`s${++calls}\n`) } });
    expect(await resolve({ value: 'direct', secretId: 'id' })).toBe('direct');
    expect(await resolve({ value: undefined, secretId: undefined })).toBeUndefined();
    expect(await resolve({ value: undefined, secretId: 'id' })).toBe('s1');
    expect(await resolve({ value: undefined, secretId: 'id' })).toBe('s1');
    expect(calls).toBe(1);
  });
});

describe('executeChatJob', () => {
  function fakeDeps(overrides: Partial<ChatDeps> = {}): { deps: ChatDeps; posted: SlackMessage[]; triggers: Map<string, TriggerRecord> } {
    const posted: SlackMessage[] = [];
    const triggers = new Map<string, TriggerRecord>();
    const deps: ChatDeps = {
      store: {
        beginTrigger: (triggerId, runId, now, leaseUntil) => {
          const earlier = triggers.get(triggerId);
          if (earlier !== undefined && earlier.state !== 'failed') return Promise.resolve({ kind: 'duplicate', earlier });
          triggers.set(triggerId, {
            triggerId,
            runId,
            state: 'running',
            startedAt: now.toISOString(),
            leaseUntil: leaseUntil.toISOString(),
            summary: null,
          });
          return Promise.resolve(earlier === undefined ? { kind: 'new' } : { kind: 'retry', earlier });
        },
        finishTrigger: (triggerId, _runId, state, summary) => {
          const record = triggers.get(triggerId);
          if (record !== undefined) triggers.set(triggerId, { ...record, state, summary });
          return Promise.resolve();
        },
        recentRuns: () => Promise.resolve([]),
        snooze: () => Promise.resolve(),
        snoozeNotices: () => Promise.resolve([]),
        recordPlan: () => Promise.resolve(),
        findPlans: () => Promise.resolve([]),
        claimApproval: () => Promise.resolve(false),
      },
      policy: () => Promise.reject(new Error('policy file policy.yaml not found')),
      run: () => Promise.reject(new Error('AI Core unreachable')),
      // Slack and webhook jobs are delivered as Block Kit.
      post: (_url, payload) => {
        posted.push(payload as SlackMessage);
        return Promise.resolve(true);
      },
      teamsWorkflowUrl: () => Promise.resolve(undefined),
      clock: () => new Date('2026-11-23T12:00:00Z'),
      remainingMs: () => 60_000,
      disabled: false,
      ...overrides,
    };
    return { deps, posted, triggers };
  }

  it('turns a failing command into one failure message instead of an exception (no Lambda retry re-runs it)', async () => {
    const { deps, posted, triggers } = fakeDeps();
    const outcome = await executeChatJob(job, deps);
    expect(outcome).toMatchObject({ status: 'failed', command: 'plan', posted: true });
    expect(posted).toHaveLength(1);
    expect(JSON.stringify(posted[0]?.blocks)).toContain('policy file policy.yaml not found');
    // A failed trigger may be tried again by a later delivery.
    expect(triggers.get('slack:t1')?.state).toBe('failed');
  });

  it('answers a duplicate of an answered command with nothing (the first delivery answered)', async () => {
    const { deps, posted } = fakeDeps({ run: () => Promise.reject(new Error('unused')) });
    await executeChatJob({ ...job, command: { name: 'status' } }, deps);
    expect(await executeChatJob({ ...job, command: { name: 'status' } }, deps)).toEqual({
      status: 'duplicate',
      triggerId: 'slack:t1',
      posted: false,
    });
    expect(posted).toHaveLength(1);
  });

  it('tells a later duplicate that the first is still running, and runs the command again once the first died', async () => {
    // A real store: the first delivery's record stays `running`, as a worker killed mid-command leaves it.
    const store = new MemoryStore('T#chat@host');
    const t0 = new Date('2026-11-23T12:00:00Z');
    await store.beginTrigger('slack:t1', 'dead-worker', t0, new Date(t0.getTime() + 10 * 60_000));
    const at = (ms: number) => fakeDeps({ store, clock: () => new Date(t0.getTime() + ms) });
    const status = { ...job, command: { name: 'status' as const } };

    // Seconds later (a platform retry of a slow ack): silent, the first answer follows.
    const soon = at(5_000);
    expect(await executeChatJob(status, soon.deps)).toEqual({ status: 'duplicate', triggerId: 'slack:t1', posted: false });
    expect(soon.posted).toEqual([]);

    // A minute later (Lambda retrying the worker): told it is still running, and when it counts as dead.
    const minute = at(61_000);
    expect(await executeChatJob(status, minute.deps)).toEqual({ status: 'duplicate', triggerId: 'slack:t1', posted: true });
    expect(minute.posted[0]?.text).toMatch(/already being worked on .*If none arrives by 2026-11-23T12:10:00\.000Z, that attempt died/);

    // Past its lease the first delivery is dead: this one runs, and says why.
    const later = at(11 * 60_000);
    expect(await executeChatJob(status, later.deps)).toMatchObject({ status: 'answered', command: 'status', posted: true });
    expect(later.posted[0]?.text).toMatch(/^\(An earlier delivery of this command died before it finished; this is the retry\.\)/);
  });

  it('refuses plans and applies under the kill switch, without touching the policy or AI Core', async () => {
    const { deps, posted } = fakeDeps({ disabled: true });
    expect(await executeChatJob(job, deps)).toMatchObject({ status: 'answered' });
    expect(JSON.stringify(posted[0]?.blocks)).toContain('JANITOR_DISABLED');
  });
});

describe('worker handler', () => {
  it('drops an event that is not a chat job, with the reason, and does not throw', async () => {
    const result = await workerHandler({ command: 'plan' }, localContext(1000));
    expect(result).toMatchObject({ status: 'invalid', error: expect.stringContaining('version') });
  });
});
