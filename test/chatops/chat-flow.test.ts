/**
 * Chat ops end to end on the local stack (AI Core simulator + dynalite): signed request → webhook
 * (acknowledges, queues a job) → worker (runs it) → one digest at a local response_url receiver.
 * The webhook gets a recording invoker, so "acknowledged before any work" is shown structurally:
 * when the ack returns, the simulator has seen no request and the worker has not started.
 */
import { writeFileSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeWebhookHandler } from '../../functions/webhook.js';
import { handler as worker, type WorkerResult } from '../../functions/worker.js';
import { localContext } from '../../cli/demo.js';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.js';
import { demoFleet } from '../../infra/local/simulator/index.js';
import { signedButtonClick, signedSlashCommand } from '../../scripts/slack-command.js';
import { approveValue, httpEvent, recordingInvoker, startReceiver, textOf, type Receiver } from './helpers.js';

const SECRET = 'slack-signing-secret-for-tests';
const now = new Date();
const savedEnv = { ...process.env };
let stack: LocalStack;
let receiver: Receiver;
let tmp: string;

beforeEach(async () => {
  stack = await startLocalStack({ simulator: { fleet: demoFleet(now) } });
  receiver = await startReceiver();
  tmp = mkdtempSync(join(tmpdir(), 'janitor-chat-'));
  // The receiver is on loopback: the local-stage flag lets the webhook accept and the worker post to it.
  Object.assign(process.env, stack.env, {
    JANITOR_POLICY_FILE: 'infra/local/simulator/demo-policy.yaml',
    LOG_LEVEL: 'silent',
    SLACK_SIGNING_SECRET: SECRET,
    JANITOR_ALLOW_LOOPBACK_REPLIES: 'true',
  });
});
afterEach(async () => {
  await Promise.all([stack.stop(), receiver.stop()]);
  rmSync(tmp, { recursive: true, force: true });
  process.env = { ...savedEnv };
});

const updates = () => stack.simulator.requests.entries.filter((e) => e.method === 'PATCH' || e.method === 'DELETE');

/** Sends a signed slash command (or button click) through the webhook; returns the ack and the queued payloads. */
async function send(text: string, user: string, options: { click?: boolean; triggerId?: string; retry?: string } = {}) {
  const recorder = recordingInvoker();
  const webhook = makeWebhookHandler({ invokeWorker: recorder.invokeWorker });
  const signed = (options.click === true ? signedButtonClick : signedSlashCommand)({
    secret: SECRET,
    text,
    userId: user,
    responseUrl: receiver.url,
    ...(options.triggerId === undefined ? {} : { triggerId: options.triggerId }),
  });
  const path = options.click === true ? '/slack/interactions' : '/slack/commands';
  const ack = await webhook(
    httpEvent(
      path,
      signed,
      options.retry === undefined ? {} : { headers: { 'x-slack-retry-num': options.retry, 'x-slack-retry-reason': 'http_timeout' } },
    ),
    localContext(3000),
  );
  return { ack, payloads: recorder.payloads };
}

async function runWorker(payload: unknown): Promise<WorkerResult> {
  return worker(payload, localContext(120_000));
}

/** plan → worker → the digest's Approve value (`apply <hash>`). */
async function planAs(user: string): Promise<string> {
  const { payloads } = await send('plan', user);
  expect(await runWorker(payloads[0])).toMatchObject({ status: 'answered', posted: true });
  const value = approveValue(receiver.messages.at(-1));
  if (value === undefined) throw new Error('expected an Approve button in the plan digest');
  return value;
}

describe('chat ops on the local stack', () => {
  it('acknowledges a signed plan before any work, then the worker posts one digest with the plan hash', async () => {
    const { ack, payloads } = await send('plan', 'U0ALICE');

    // The ack is complete: 200, an ephemeral note, one queued job — and AI Core has not been asked anything.
    expect(ack.statusCode).toBe(200);
    expect(JSON.parse(ack.body)).toMatchObject({ response_type: 'ephemeral' });
    expect(payloads).toHaveLength(1);
    expect(payloads[0]).toMatchObject({
      source: 'slack-command',
      command: { name: 'plan' },
      user: { id: 'U0ALICE' },
      responseUrl: receiver.url,
    });
    expect(stack.simulator.requests.entries).toEqual([]);
    expect(receiver.messages).toEqual([]);

    // The worker, run with exactly the queued payload, does the work and posts once.
    const result = await runWorker(payloads[0]);
    expect(result).toMatchObject({ status: 'answered', command: 'plan', posted: true });
    expect(stack.simulator.requests.count('GET /v2/lm/meta')).toBe(1);
    expect(receiver.messages).toHaveLength(1);
    const digest = receiver.messages[0];
    const value = approveValue(digest);
    expect(value).toMatch(/^apply [0-9a-f]{64}$/);
    const hash = value?.slice('apply '.length) ?? '';
    expect(digest?.response_type).toBe('in_channel');
    expect(textOf(digest)).toContain(hash); // the full plan hash, in the context line
    expect(textOf(digest)).toContain('team-a');
    expect(textOf(digest)).toContain('e-churn-stale-30h'); // a top item, with its reason
    expect(textOf(digest)).toContain('stale-runs: RUNNING');
    expect(digest?.blocks.length).toBeLessThanOrEqual(50);
    expect(updates()).toEqual([]);
  });

  it('refuses to apply a hash whose plan has changed since it was shown: the digest says so, nothing is sent', async () => {
    const approve = await planAs('U0ALICE');

    // The fleet's plan changes: a snooze (written by chat, honoured by the policy) protects one item.
    const snooze = await send('snooze e-churn-stale-30h 2d demo on Monday', 'U0ALICE');
    expect(await runWorker(snooze.payloads[0])).toMatchObject({ status: 'answered', command: 'snooze' });
    expect(textOf(receiver.messages.at(-1))).toContain('snoozed until');

    const { payloads } = await send(approve, 'U0BOB', { click: true });
    expect(payloads[0]).toMatchObject({ source: 'slack-interaction', command: { name: 'apply' }, user: { id: 'U0BOB' } });
    expect(await runWorker(payloads[0])).toMatchObject({ status: 'answered', command: 'apply' });
    const digest = receiver.messages.at(-1);
    expect(digest?.blocks[0]).toMatchObject({ type: 'header', text: { text: expect.stringContaining('not applied') } });
    expect(textOf(digest)).toContain('the plan changed since it was approved');
    expect(approveValue(digest)).toBeUndefined();
    expect(updates()).toEqual([]);
  });

  it('refuses an apply of a hash that no plan showed', async () => {
    const { payloads } = await send('apply 0123456789abcdef', 'U0BOB');
    expect(await runWorker(payloads[0])).toMatchObject({ status: 'answered' });
    expect(receiver.messages.at(-1)).toMatchObject({ response_type: 'ephemeral' });
    expect(textOf(receiver.messages.at(-1))).toContain('No plan');
    expect(stack.simulator.requests.entries).toEqual([]);
  });

  it('with approval.required, refuses the requester’s own approval and applies someone else’s, once', async () => {
    const policyFile = join(tmp, 'policy.yaml');
    const example = readFileSync('infra/local/simulator/demo-policy.yaml', 'utf8');
    expect(example).toMatch(/approval:\n\s+required: true/);
    writeFileSync(policyFile, example.replace('expiresAfter: 1h', 'expiresAfter: 30m'));
    process.env.JANITOR_POLICY_FILE = policyFile;
    const approve = await planAs('U0ALICE');
    expect(textOf(receiver.messages.at(-1))).toContain('Someone other than the requester may approve');

    const own = await send(approve, 'U0ALICE', { click: true });
    expect(await runWorker(own.payloads[0])).toMatchObject({ status: 'answered', command: 'apply' });
    expect(textOf(receiver.messages.at(-1))).toContain('requires someone else to approve');
    expect(updates()).toEqual([]);

    const other = await send(approve, 'U0BOB', { click: true });
    expect(await runWorker(other.payloads[0])).toMatchObject({ status: 'answered', command: 'apply' });
    const digest = receiver.messages.at(-1);
    expect(digest?.blocks[0]).toMatchObject({ type: 'header', text: { text: expect.stringMatching(/: applied$/) } });
    expect(textOf(digest)).toContain('Approved by <@U0BOB>');
    expect(updates().length).toBeGreaterThan(0);

    // The approval is used up: a second click does nothing more.
    const patches = updates().length;
    const again = await send(approve, 'U0CAROL', { click: true });
    await runWorker(again.payloads[0]);
    expect(textOf(receiver.messages.at(-1))).toContain('already approved by <@U0BOB>');
    expect(updates()).toHaveLength(patches);
  });

  it('runs a Slack retry of the same command once and posts one digest', async () => {
    const first = await send('plan', 'U0ALICE', { triggerId: '1234.5678.abcd' });
    const retry = await send('plan', 'U0ALICE', { triggerId: '1234.5678.abcd', retry: '1' });
    expect(retry.ack.statusCode).toBe(200);
    expect(retry.payloads[0]).toMatchObject({ triggerId: 'slack:1234.5678.abcd' });

    const results = await Promise.all([runWorker(first.payloads[0]), runWorker(retry.payloads[0])]);
    expect(results.map((r) => r.status).sort()).toEqual(['answered', 'duplicate']);
    expect(stack.simulator.requests.count('GET /v2/lm/meta')).toBe(1);
    expect(receiver.messages).toHaveLength(1);
  });

  it('answers status from the ledger', async () => {
    await planAs('U0ALICE');
    const { payloads } = await send('status', 'U0ALICE');
    expect(await runWorker(payloads[0])).toMatchObject({ status: 'answered', command: 'status' });
    expect(textOf(receiver.messages.at(-1))).toContain('slack:U0ALICE');
    expect(textOf(receiver.messages.at(-1))).toContain('dry run');
  });
});
