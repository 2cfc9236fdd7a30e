/**
 * Teams chat ops end to end on the local stack (AI Core simulator + dynalite): a signed @mention →
 * webhook (answers at once, queues a job) → worker (runs it) → one Adaptive Card at a loopback
 * receiver standing in for the stage's Workflows webhook. The same approval and idempotency cases
 * as Slack's (chat-flow.test.ts): approvals bound to a plan hash, approver ≠ requester, used once,
 * re-deliveries run once.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeWebhookHandler } from '../../functions/webhook.js';
import { handler as worker, type WorkerResult } from '../../functions/worker.js';
import { localContext } from '../../cli/demo.js';
import type { TeamsMessage } from '../../lib/chatops/adaptive-card.js';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.js';
import { demoFleet } from '../../infra/local/simulator/index.js';
import { signedButtonClick } from '../../scripts/slack-command.js';
import { signedTeamsMessage } from '../../scripts/teams-message.js';
import { httpEvent, recordingInvoker, startReceiver, type Receiver } from './helpers.js';

const TOKEN = randomBytes(32).toString('base64');
const SLACK = 'slack-secret-for-teams-flow';
const ALICE = '6f2b1c3d-1111-4a2b-9c3d-00000000a11c';
const BOB = '6f2b1c3d-2222-4a2b-9c3d-000000000b0b';
const CAROL = '6f2b1c3d-3333-4a2b-9c3d-0000000ca201';
const now = new Date();
const savedEnv = { ...process.env };
let stack: LocalStack;
let workflow: Receiver<TeamsMessage>;
let tmp: string;
let messageIds = 0;

beforeEach(async () => {
  stack = await startLocalStack({ simulator: { fleet: demoFleet(now) } });
  workflow = await startReceiver<TeamsMessage>();
  tmp = mkdtempSync(join(tmpdir(), 'janitor-teams-'));
  // The example policy with the permission to act (`mode: apply`; a chat approval is the consent).
  const policyFile = join(tmp, 'policy.yaml');
  writeFileSync(policyFile, readFileSync('examples/policy.yaml', 'utf8').replace(/^mode: .*$/m, 'mode: apply'));
  // The receiver is on loopback: the local-stage flag lets the worker post to it.
  Object.assign(process.env, stack.env, {
    JANITOR_POLICY_FILE: policyFile,
    LOG_LEVEL: 'silent',
    TEAMS_SECURITY_TOKEN: TOKEN,
    TEAMS_WORKFLOW_URL: workflow.url,
    SLACK_SIGNING_SECRET: SLACK,
    JANITOR_ALLOW_LOOPBACK_REPLIES: 'true',
  });
});
afterEach(async () => {
  await Promise.all([stack.stop(), workflow.stop()]);
  rmSync(tmp, { recursive: true, force: true });
  process.env = { ...savedEnv };
});

const updates = () => stack.simulator.requests.entries.filter((e) => e.method === 'PATCH' || e.method === 'DELETE');
const cardText = (m: TeamsMessage | undefined): string => JSON.stringify(m?.attachments[0].content.body ?? []);

/** An @mention through the webhook; returns the synchronous answer and the queued payloads. */
async function mention(text: string, aadObjectId: string, messageId = `m${++messageIds}`) {
  const recorder = recordingInvoker();
  const webhook = makeWebhookHandler({ invokeWorker: recorder.invokeWorker });
  const answer = await webhook(
    httpEvent('/teams/messages', signedTeamsMessage({ securityToken: TOKEN, text, aadObjectId, messageId })),
    localContext(10_000),
  );
  return { answer, payloads: recorder.payloads };
}

async function runWorker(payload: unknown): Promise<WorkerResult> {
  return worker(payload, localContext(120_000));
}

/** plan → worker → the card's `apply <hash>` command. */
async function planAs(user: string): Promise<string> {
  const { payloads } = await mention('plan', user);
  expect(await runWorker(payloads[0])).toMatchObject({ status: 'answered', posted: true });
  const command = /@Janitor (apply [0-9a-f]{64})/.exec(cardText(workflow.messages.at(-1)))?.[1];
  if (command === undefined) throw new Error('expected the command to type in the plan card');
  return command;
}

describe('Teams chat ops on the local stack', () => {
  it('answers a plan at once, before any work, then posts one Adaptive Card digest to the Workflows webhook', async () => {
    const { answer, payloads } = await mention('plan', ALICE);
    expect(answer.statusCode).toBe(200);
    expect(cardText(JSON.parse(answer.body) as TeamsMessage)).toContain('Planning');
    expect(stack.simulator.requests.entries).toEqual([]);
    expect(workflow.messages).toEqual([]);

    expect(await runWorker(payloads[0])).toMatchObject({ status: 'answered', command: 'plan', posted: true });
    expect(workflow.messages).toHaveLength(1);
    const card = workflow.messages[0];
    expect(card).toMatchObject({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard', version: '1.4' } }],
    });
    expect(cardText(card)).toContain('team-a');
    expect(cardText(card)).toMatch(/@Janitor apply [0-9a-f]{64}/);
    expect(JSON.stringify(card)).not.toContain('"actions"');
    expect(updates()).toEqual([]);
  });

  it('with approval.required, refuses the requester’s own apply and applies someone else’s, once', async () => {
    expect(readFileSync(join(tmp, 'policy.yaml'), 'utf8')).toMatch(/approval:\n\s+required: true/);
    const apply = await planAs(ALICE);
    expect(cardText(workflow.messages.at(-1))).toContain('Someone other than the requester may approve');

    const own = await mention(apply, ALICE);
    expect(await runWorker(own.payloads[0])).toMatchObject({ status: 'answered', command: 'apply' });
    expect(cardText(workflow.messages.at(-1))).toContain('requires someone else to approve');
    expect(updates()).toEqual([]);

    const other = await mention(apply, BOB);
    expect(await runWorker(other.payloads[0])).toMatchObject({ status: 'answered', command: 'apply' });
    expect(cardText(workflow.messages.at(-1))).toMatch(/Janitor apply [0-9a-f]{12}: applied/);
    expect(updates().length).toBeGreaterThan(0);

    const patches = updates().length;
    const again = await mention(apply, CAROL);
    await runWorker(again.payloads[0]);
    expect(cardText(workflow.messages.at(-1))).toContain('already approved by');
    expect(updates()).toHaveLength(patches);
  });

  it('runs a re-delivered message once and posts one card', async () => {
    const first = await mention('plan', ALICE, 'same-message');
    const replay = await mention('plan', ALICE, 'same-message');
    expect(replay.payloads[0]).toMatchObject({ triggerId: (first.payloads[0] as { triggerId: string }).triggerId });
    const results = await Promise.all([runWorker(first.payloads[0]), runWorker(replay.payloads[0])]);
    expect(results.map((r) => r.status).sort()).toEqual(['answered', 'duplicate']);
    expect(stack.simulator.requests.count('GET /v2/lm/meta')).toBe(1);
    expect(workflow.messages).toHaveLength(1);
  });

  it('does not let a Slack user approve a plan shown in Teams', async () => {
    const apply = await planAs(ALICE);
    const slack = await startReceiver();
    try {
      const recorder = recordingInvoker();
      const webhook = makeWebhookHandler({ invokeWorker: recorder.invokeWorker });
      await webhook(
        httpEvent('/slack/interactions', signedButtonClick({ secret: SLACK, text: apply, userId: 'U0BOB', responseUrl: slack.url })),
        localContext(3000),
      );
      await runWorker(recorder.payloads[0]);
      expect(JSON.stringify(slack.messages.at(-1)?.blocks)).toContain('was shown in Microsoft Teams');
      expect(updates()).toEqual([]);
    } finally {
      await slack.stop();
    }
  });

  it('answers status and snooze through the Workflows webhook, naming the Teams user', async () => {
    await planAs(ALICE);
    const status = await mention('status', ALICE);
    await runWorker(status.payloads[0]);
    expect(cardText(workflow.messages.at(-1))).toContain(`teams:${ALICE}`);
    const snooze = await mention('snooze e-churn-stale-30h 2d demo', BOB);
    await runWorker(snooze.payloads[0]);
    expect(cardText(workflow.messages.at(-1))).toContain('snoozed until');
    expect(cardText(workflow.messages.at(-1))).toContain('Local User');
  });

  it('posts nothing, and says so in the log, when the stage has no Workflows URL', async () => {
    delete process.env.TEAMS_WORKFLOW_URL;
    const { payloads } = await mention('status', ALICE);
    expect(await runWorker(payloads[0])).toMatchObject({ status: 'answered', posted: false });
    expect(workflow.messages).toEqual([]);
  });
});
