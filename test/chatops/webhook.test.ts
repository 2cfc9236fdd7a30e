/**
 * The webhook handler alone (no stack): what it admits, what it refuses and how, and that it
 * only ever queues work — the worker is a recorder here.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeWebhookHandler } from '../../functions/webhook.js';
import { WebhookEnv } from '../../functions/adapters/chat-config.js';
import { localContext } from '../../cli/demo.js';
import { parseInbound } from '../../lib/chatops/inbound.js';
import { replyPolicyFromEnv } from '../../lib/chatops/reply-url.js';
import { slackSignature, unixSeconds, webhookSignature } from '../../lib/chatops/signature.js';
import { signedButtonClick, signedSlashCommand, signedWebhook, type SignedHttpRequest } from '../../scripts/slack-command.js';
import { httpEvent, recordingInvoker } from './helpers.js';
import { silenceLogs } from '../helpers/silence-logs.js';

silenceLogs();

const SLACK = 'slack-secret';
const HMAC = 'webhook-secret';
const NOW = new Date('2026-11-23T12:00:00Z');
const RESPONSE_URL = 'https://hooks.slack.com/commands/T0/1/abc';
/** The JSON webhook's callback host is allowlisted by the stage (JANITOR_WEBHOOK_REPLY_HOSTS). */
const WEBHOOK_REPLY_URL = 'https://ci.example.com/janitor/reply';

// The reply policy comes from the environment, as the deployed webhook reads it.
beforeEach(() => {
  vi.stubEnv('JANITOR_WEBHOOK_REPLY_HOSTS', 'ci.example.com');
  vi.stubEnv('JANITOR_SLACK_REPLY_HOSTS', '');
  vi.stubEnv('JANITOR_ALLOW_LOOPBACK_REPLIES', 'false');
});
afterEach(() => {
  vi.unstubAllEnvs();
});

function setup(env: Record<string, string> = { SLACK_SIGNING_SECRET: SLACK, WEBHOOK_HMAC_SECRET: HMAC }, invoke?: () => Promise<void>) {
  const recorder = recordingInvoker();
  const handler = makeWebhookHandler({
    invokeWorker: invoke ?? recorder.invokeWorker,
    // Reply-URL settings come from the (stubbed) process environment, as they would in the Lambda.
    env: () => WebhookEnv.parse({ ...process.env, ...env }),
    secret: (ref) => Promise.resolve(ref.value),
    clock: () => NOW,
  });
  return {
    payloads: recorder.payloads,
    call: (path: string, request: SignedHttpRequest, options?: Parameters<typeof httpEvent>[2]) =>
      handler(httpEvent(path, request, options), localContext(3000)),
  };
}

const slash = (text: string, overrides: Partial<Parameters<typeof signedSlashCommand>[0]> = {}) =>
  signedSlashCommand({ secret: SLACK, text, userId: 'U0ALICE', responseUrl: RESPONSE_URL, now: NOW, ...overrides });

describe('webhook: signatures', () => {
  it('admits a signed slash command, acks 200 and queues exactly one job', async () => {
    const { call, payloads } = setup();
    const result = await call('/slack/commands', slash('plan'));
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body)).toEqual({ response_type: 'ephemeral', text: expect.stringContaining('Planning') });
    expect(payloads).toEqual([
      expect.objectContaining({
        version: 1,
        source: 'slack-command',
        command: { name: 'plan' },
        user: { id: 'U0ALICE', name: 'u0alice' },
        responseUrl: RESPONSE_URL,
      }),
    ]);
  });

  it('admits a base64-encoded body (signature over the decoded bytes) and a stage-prefixed path', async () => {
    const { call, payloads } = setup();
    expect((await call('/prod/slack/commands', slash('status'), { base64: true })).statusCode).toBe(200);
    expect(payloads).toHaveLength(1);
  });

  it.each([
    [
      'a forged signature',
      () => ({ ...slash('plan'), headers: { ...slash('plan').headers, 'x-slack-signature': `v0=${'0'.repeat(64)}` } }),
    ],
    ['a signature made with another secret', () => slash('plan', { secret: 'not-the-secret' })],
    ['a body changed after signing', () => ({ ...slash('plan'), body: slash('plan').body.replace('plan', 'apply') })],
    ['a stale timestamp (301 s old)', () => slash('plan', { now: new Date(NOW.getTime() - 301_000) })],
    ['a timestamp from the future (301 s ahead)', () => slash('plan', { now: new Date(NOW.getTime() + 301_000) })],
    ['no signature headers', () => ({ headers: {}, body: slash('plan').body })],
  ])('answers 401 without detail to %s, and queues nothing', async (_name, request) => {
    const { call, payloads } = setup();
    const result = await call('/slack/commands', request());
    expect(result).toEqual({ statusCode: 401, headers: { 'content-type': 'text/plain' }, body: 'unauthorized' });
    expect(payloads).toEqual([]);
  });

  it('accepts the edge of the window (300 s)', async () => {
    const { call } = setup();
    expect((await call('/slack/commands', slash('plan', { now: new Date(NOW.getTime() - 300_000) }))).statusCode).toBe(200);
  });

  it('refuses every request of a front door whose secret is not configured', async () => {
    const { call, payloads } = setup({ WEBHOOK_HMAC_SECRET: HMAC });
    expect((await call('/slack/commands', slash('plan'))).statusCode).toBe(401);
    expect(payloads).toEqual([]);
  });

  it('does not accept a Slack signature on the JSON webhook, nor the reverse', async () => {
    const { call } = setup();
    const json = signedWebhook({ secret: HMAC, text: 'plan', userId: 'ci', responseUrl: RESPONSE_URL, now: NOW });
    expect((await call('/slack/commands', json)).statusCode).toBe(401);
    expect((await call('/webhook', slash('plan'))).statusCode).toBe(401);
  });
});

describe('webhook: bodies and commands', () => {
  it('answers 400 with the problem to a signed but malformed slash command', async () => {
    const { call, payloads } = setup();
    const body = 'command=%2Fjanitor&text=plan';
    const timestamp = unixSeconds(NOW);
    const result = await call('/slack/commands', {
      headers: { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': slackSignature(SLACK, timestamp, body) },
      body,
    });
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).error).toMatch(/^malformed slash command: .*user_id/);
    expect(payloads).toEqual([]);
  });

  it('answers 400 to a signed JSON webhook body that is not JSON, or has an unknown key', async () => {
    const { call } = setup();
    const timestamp = unixSeconds(NOW);
    const sign = (body: string) => ({
      headers: { 'x-janitor-timestamp': timestamp, 'x-janitor-signature': webhookSignature(HMAC, timestamp, body) },
      body,
    });
    const notJson = await call('/webhook', sign('plan please'));
    expect(notJson.statusCode).toBe(400);
    expect(JSON.parse(notJson.body).error).toContain('expected JSON');
    const unknownKey = await call('/webhook', sign(JSON.stringify({ text: 'plan', user: 'ci', usr: 'x' })));
    expect(unknownKey.statusCode).toBe(400);
    expect(JSON.parse(unknownKey.body).error).toContain('usr');
  });

  it('answers help itself, without the worker, for `help`, an empty text and unknown commands', async () => {
    const { call, payloads } = setup();
    for (const text of ['help', '', 'destroy everything']) {
      const result = await call('/slack/commands', slash(text));
      expect(result.statusCode).toBe(200);
      const body = JSON.parse(result.body);
      expect(body.response_type).toBe('ephemeral');
      expect(JSON.stringify(body.blocks)).toContain('/janitor plan');
    }
    expect(JSON.parse((await call('/slack/commands', slash('destroy'))).body).text).toContain('unknown command `destroy`');
    expect(payloads).toEqual([]);
  });

  it('turns an Approve click into `apply <hash>` with the clicking user as approver, acked with an empty 200', async () => {
    const { call, payloads } = setup();
    const hash = 'ab'.repeat(32);
    const result = await call(
      '/slack/interactions',
      signedButtonClick({ secret: SLACK, text: `apply ${hash}`, userId: 'U0BOB', responseUrl: RESPONSE_URL, now: NOW, triggerId: 't-1' }),
    );
    expect(result).toEqual({ statusCode: 200, headers: {}, body: '' });
    expect(payloads).toEqual([
      expect.objectContaining({
        source: 'slack-interaction',
        command: { name: 'apply', hash },
        user: { id: 'U0BOB', name: 'u0bob' },
        triggerId: 'slack:t-1',
      }),
    ]);
  });

  it('turns a Snooze click (from "Coming up") into `snooze <id> <duration>` by the clicking user', async () => {
    const { call, payloads } = setup();
    const result = await call(
      '/slack/interactions',
      signedButtonClick({
        secret: SLACK,
        text: 'snooze d-0001 1w',
        userId: 'U0BOB',
        responseUrl: RESPONSE_URL,
        now: NOW,
        triggerId: 't-2',
      }),
    );
    expect(result).toEqual({ statusCode: 200, headers: {}, body: '' });
    expect(payloads).toEqual([
      expect.objectContaining({
        source: 'slack-interaction',
        command: { name: 'snooze', id: 'd-0001', duration: '1w' },
        user: { id: 'U0BOB', name: 'u0bob' },
      }),
    ]);
  });

  it('ignores any other button value (only Approve and Snooze act)', async () => {
    const { call, payloads } = setup();
    const result = await call(
      '/slack/interactions',
      signedButtonClick({ secret: SLACK, text: 'plan', userId: 'U0BOB', responseUrl: RESPONSE_URL, now: NOW, triggerId: 't-3' }),
    );
    expect(result).toEqual({ statusCode: 200, headers: {}, body: '' });
    expect(payloads).toEqual([]);
  });

  it('accepts the signed JSON webhook and acks 202 with the trigger id; its user is namespaced', async () => {
    const { call, payloads } = setup();
    const result = await call(
      '/webhook',
      signedWebhook({ secret: HMAC, text: 'plan', userId: 'ci-bot', responseUrl: WEBHOOK_REPLY_URL, now: NOW, id: 'build-42' }),
    );
    expect(result.statusCode).toBe(202);
    expect(JSON.parse(result.body)).toEqual({ accepted: true, command: 'plan', triggerId: 'webhook:id:build-42' });
    expect(payloads).toEqual([expect.objectContaining({ source: 'webhook', user: { id: 'webhook:ci-bot' } })]);
  });

  it('gives a Slack retry the same trigger id as the first delivery, so the worker runs it once', async () => {
    const { call, payloads } = setup();
    const request = slash('plan', { triggerId: '111.222.333' });
    await call('/slack/commands', request);
    await call('/slack/commands', request, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } });
    expect(payloads.map((p) => (p as { triggerId: string }).triggerId)).toEqual(['slack:111.222.333', 'slack:111.222.333']);
  });

  it('answers 404 to an unknown path and 400 to something that is not an HTTP event', async () => {
    const { call } = setup();
    expect((await call('/slack/other', slash('plan'))).statusCode).toBe(404);
    const handler = makeWebhookHandler({
      invokeWorker: () => Promise.resolve(),
      env: () => WebhookEnv.parse({}),
      secret: () => Promise.resolve(undefined),
    });
    expect((await handler({ hello: 'world' }, localContext(3000))).statusCode).toBe(400);
  });

  it('tells Slack users (200) and webhook callers (503) when the worker cannot be started', async () => {
    const { call } = setup(undefined, () => Promise.reject(new Error('throttled')));
    const slack = await call('/slack/commands', slash('plan'));
    expect(slack.statusCode).toBe(200);
    expect(JSON.parse(slack.body).text).toContain('could not start');
    const json = await call(
      '/webhook',
      signedWebhook({ secret: HMAC, text: 'plan', userId: 'ci', responseUrl: WEBHOOK_REPLY_URL, now: NOW }),
    );
    expect(json.statusCode).toBe(503);
  });
});

describe('webhook: reply URLs are checked before anything is dispatched', () => {
  /** The capability part of a forged URL: it must not come back in the answer. */
  const SECRET_PATH = 'T0/1/s3cr3tCapability';

  it.each([
    ['a foreign host', `https://evil.example/${SECRET_PATH}`, 'evil.example is not an allowed reply host'],
    [
      'a Slack lookalike',
      `https://hooks.slack.com.evil.example/${SECRET_PATH}`,
      'hooks.slack.com.evil.example is not an allowed reply host',
    ],
    ['plain http on Slack’s host', `http://hooks.slack.com/${SECRET_PATH}`, 'http is not allowed (https only)'],
    ['the metadata address', `https://169.254.169.254/${SECRET_PATH}`, '169.254.169.254 is a link-local address'],
    ['a private address', `https://10.1.2.3/${SECRET_PATH}`, '10.1.2.3 is a private address'],
    [
      'loopback on a deployed stage',
      `http://127.0.0.1:9/${SECRET_PATH}`,
      'loopback reply URLs are allowed only on a local stage (JANITOR_ALLOW_LOOPBACK_REPLIES=true)',
    ],
    [
      'GovSlack before the stage allows it',
      `https://hooks.slack-gov.com/${SECRET_PATH}`,
      'add GovSlack or Enterprise Grid hosts with the slackReplyHosts stage parameter',
    ],
  ])('refuses a slash command whose response_url is %s: 400, an ephemeral reason, nothing queued', async (_name, responseUrl, reason) => {
    const { call, payloads } = setup();
    const result = await call('/slack/commands', slash('plan', { responseUrl }));
    expect(result.statusCode).toBe(400);
    const body = JSON.parse(result.body);
    expect(body).toMatchObject({ response_type: 'ephemeral', error: expect.stringMatching(/^refused response_url: /) });
    expect(body.error).toContain(reason);
    expect(body.text).toContain('The janitor did not run this');
    expect(result.body).not.toContain('s3cr3tCapability');
    expect(payloads).toEqual([]);
  });

  it('refuses a button click whose response_url is foreign, and queues nothing', async () => {
    const { call, payloads } = setup();
    const click = signedButtonClick({
      secret: SLACK,
      text: `apply ${'ab'.repeat(32)}`,
      userId: 'U0BOB',
      responseUrl: 'https://evil.example/actions/x',
      now: NOW,
    });
    const result = await call('/slack/interactions', click);
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).error).toContain('evil.example is not an allowed reply host');
    expect(payloads).toEqual([]);
  });

  it('accepts GovSlack / Enterprise Grid hosts once slackReplyHosts lists them, and loopback with the local-stage flag', async () => {
    vi.stubEnv('JANITOR_SLACK_REPLY_HOSTS', 'hooks.slack-gov.com');
    vi.stubEnv('JANITOR_ALLOW_LOOPBACK_REPLIES', 'true');
    const { call, payloads } = setup();
    expect(
      (await call('/slack/commands', slash('plan', { responseUrl: 'https://hooks.slack-gov.com/commands/T0/1/abc' }))).statusCode,
    ).toBe(200);
    expect((await call('/slack/commands', slash('plan', { responseUrl: 'http://127.0.0.1:9/response' }))).statusCode).toBe(200);
    expect(payloads).toHaveLength(2);
  });

  it.each([
    ['a host the stage did not allow', 'https://evil.example/hook', 'evil.example is not an allowed reply host'],
    ['Slack’s host (not on the webhook’s allowlist)', RESPONSE_URL, 'hooks.slack.com is not an allowed reply host'],
    ['http on an allowed host', 'http://ci.example.com/janitor/reply', 'http is not allowed (https only)'],
    ['the metadata address', 'http://169.254.169.254/latest/meta-data/iam/', 'http is not allowed (https only)'],
    ['an IPv6 link-local address', 'https://[fe80::1]/hook', 'fe80::1 is a link-local address'],
    ['loopback on a deployed stage', 'http://localhost:8080/hook', 'loopback reply URLs are allowed only on a local stage'],
    ['a file URL', 'file:///etc/passwd', 'expected an http(s) URL'],
  ])('refuses a JSON webhook whose responseUrl is %s with a 400 JSON error, and queues nothing', async (_name, responseUrl, reason) => {
    const { call, payloads } = setup();
    const result = await call('/webhook', signedWebhook({ secret: HMAC, text: 'plan', userId: 'ci', responseUrl, now: NOW }));
    expect(result.statusCode).toBe(400);
    expect(result.headers['content-type']).toBe('application/json');
    expect(JSON.parse(result.body).error).toContain(reason);
    expect(payloads).toEqual([]);
  });

  it('accepts a JSON webhook without a responseUrl (nothing will be posted)', async () => {
    const { call, payloads } = setup();
    const timestamp = unixSeconds(NOW);
    const body = JSON.stringify({ text: 'status', user: 'ci' });
    const result = await call('/webhook', {
      headers: { 'x-janitor-timestamp': timestamp, 'x-janitor-signature': webhookSignature(HMAC, timestamp, body) },
      body,
    });
    expect(result.statusCode).toBe(202);
    expect(payloads).toEqual([expect.not.objectContaining({ responseUrl: expect.anything() })]);
  });

  it('parseInbound uses the policy it is given over the environment', () => {
    const body = JSON.stringify({ text: 'plan', user: 'ci', responseUrl: 'https://hooks.example.org/r' });
    const meta = { now: NOW, signature: 'sha256=00' };
    expect(parseInbound('webhook', body, meta)).toMatchObject({ kind: 'answer', answer: { statusCode: 400 } });
    const replies = replyPolicyFromEnv({ JANITOR_WEBHOOK_REPLY_HOSTS: 'hooks.example.org' });
    expect(parseInbound('webhook', body, { ...meta, replies })).toMatchObject({
      kind: 'dispatch',
      job: { responseUrl: 'https://hooks.example.org/r' },
    });
  });
});
