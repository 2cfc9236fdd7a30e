/**
 * Microsoft Teams, without a stack: the outgoing webhook's HMAC and replay window, @mention parsing,
 * what the webhook admits on POST /teams/messages and what it queues, and the Adaptive Card digest
 * (size limit, no buttons, no markup from data).
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { makeWebhookHandler } from '../../functions/webhook.js';
import { WebhookEnv } from '../../functions/adapters/chat-config.js';
import { localContext } from '../../cli/demo.js';
import { TEAMS_MESSAGE_BUDGET_BYTES, toTeamsMessage, type TeamsMessage } from '../../lib/chatops/adaptive-card.js';
import { parseCommandText } from '../../lib/chatops/command.js';
import { digestModel } from '../../lib/chatops/digest.js';
import { checkReplyUrl, replyPolicyFromEnv } from '../../lib/chatops/reply-url.js';
import { SIGNATURE_WINDOW_SECONDS, teamsSignature, verifyTeamsRequest } from '../../lib/chatops/signature.js';
import { commandTextOf } from '../../lib/chatops/teams-inbound.js';
import { signedTeamsMessage, teamsActivity } from '../../scripts/teams-message.js';
import type { SignedHttpRequest } from '../../scripts/slack-command.js';
import { arbitraryGroup, planOf, runOf, simplePlan } from './digest-fixtures.js';
import { httpEvent, recordingInvoker } from './helpers.js';
import { silenceLogs } from '../helpers/silence-logs.js';

silenceLogs();

const TOKEN = randomBytes(32).toString('base64');
const NOW = new Date('2026-11-23T12:00:00Z');
const ALICE = '6f2b1c3d-1111-4a2b-9c3d-00000000a11c';
const BOB = '6f2b1c3d-2222-4a2b-9c3d-000000000b0b';
const bytes = (text: string) => new TextEncoder().encode(text);

const message = (text: string, overrides: Partial<Parameters<typeof signedTeamsMessage>[0]> = {}) =>
  signedTeamsMessage({
    securityToken: TOKEN,
    text,
    aadObjectId: ALICE,
    userName: 'Alice Example',
    now: NOW,
    messageId: '1763899200000',
    ...overrides,
  });

/** Every text of a card, for `toContain`. */
const cardText = (m: TeamsMessage): string => JSON.stringify(m.attachments[0].content.body);

describe('Teams outgoing-webhook signatures', () => {
  const body = JSON.stringify({ type: 'message', timestamp: NOW.toISOString(), text: 'x' });

  it('verifies what it signed (HMAC-SHA256 of the body under the base64-decoded token), for any body (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 64 }), fc.string(), (key, text) => {
        const token = Buffer.from(key).toString('base64');
        const signed = JSON.stringify({ timestamp: NOW.toISOString(), text });
        expect(teamsSignature(token, signed)).toMatch(/^HMAC [A-Za-z0-9+/]+=*$/);
        expect(
          verifyTeamsRequest({ authorization: teamsSignature(token, signed), body: bytes(signed), securityToken: token, now: NOW }),
        ).toEqual({ ok: true });
      }),
    );
  });

  it('keys the HMAC with the decoded token, not its text (as Teams does)', async () => {
    const { createHmac } = await import('node:crypto');
    const expected = createHmac('sha256', Buffer.from(TOKEN, 'base64')).update(body).digest('base64');
    expect(teamsSignature(TOKEN, body)).toBe(`HMAC ${expected}`);
    expect(
      verifyTeamsRequest({
        authorization: `HMAC ${createHmac('sha256', TOKEN).update(body).digest('base64')}`,
        body: bytes(body),
        securityToken: TOKEN,
        now: NOW,
      }).ok,
    ).toBe(false);
  });

  it.each([
    ['a forged signature', `HMAC ${Buffer.alloc(32).toString('base64')}`, body, TOKEN],
    ['a signature under another token', teamsSignature(randomBytes(32).toString('base64'), body), body, TOKEN],
    ['a body altered after signing', teamsSignature(TOKEN, body), body.replace('"x"', '"y"'), TOKEN],
    ['no Authorization header', undefined, body, TOKEN],
    ['another scheme', `Bearer ${teamsSignature(TOKEN, body).slice(5)}`, body, TOKEN],
    ['a configured token that is not base64', teamsSignature(TOKEN, body), body, 'not a token!'],
  ])('refuses %s', (_name, authorization, sent, securityToken) => {
    expect(verifyTeamsRequest({ authorization, body: bytes(sent), securityToken, now: NOW }).ok).toBe(false);
  });

  it('holds the signed activity timestamp to ±300 s, and refuses a body without one', () => {
    fc.assert(
      fc.property(fc.integer({ min: -3600, max: 3600 }), (skew) => {
        const signed = JSON.stringify({ timestamp: new Date(NOW.getTime() + skew * 1000).toISOString() });
        const verdict = verifyTeamsRequest({
          authorization: teamsSignature(TOKEN, signed),
          body: bytes(signed),
          securityToken: TOKEN,
          now: NOW,
        });
        expect(verdict.ok).toBe(Math.abs(skew) <= SIGNATURE_WINDOW_SECONDS);
      }),
    );
    const untimed = JSON.stringify({ text: 'plan' });
    expect(
      verifyTeamsRequest({ authorization: teamsSignature(TOKEN, untimed), body: bytes(untimed), securityToken: TOKEN, now: NOW }),
    ).toEqual({ ok: false, reason: expect.stringContaining('timestamp') });
  });

  it('accepts Teams’ seven-digit fractional seconds', () => {
    const signed = JSON.stringify({ timestamp: '2026-11-23T12:00:01.1234567Z' });
    expect(
      verifyTeamsRequest({ authorization: teamsSignature(TOKEN, signed), body: bytes(signed), securityToken: TOKEN, now: NOW }).ok,
    ).toBe(true);
  });
});

describe('Teams @mention text → command', () => {
  it.each([
    ['<at>Janitor</at> plan\n', 'plan', { name: 'plan' }],
    ['<at>Janitor</at>&nbsp;status', 'status', { name: 'status' }],
    ['<at>AI Core Janitor</at> apply 3F2A9C1B7D0E', 'apply 3F2A9C1B7D0E', { name: 'apply', hash: '3f2a9c1b7d0e' }],
    [
      '<p><at>Janitor</at> snooze e42 2d demo &amp; review</p>',
      'snooze e42 2d demo & review',
      { name: 'snooze', id: 'e42', duration: '2d', reason: 'demo & review' },
    ],
    ['<at>Janitor</at>', '', { name: 'help' }],
    ['<at id="0">Janitor</at> <at id="1">Bob</at> help', 'help', { name: 'help' }],
  ])('%j', (text, stripped, command) => {
    expect(commandTextOf(text)).toBe(stripped);
    expect(parseCommandText(commandTextOf(text))).toEqual(command);
  });
});

describe('webhook: POST /teams/messages', () => {
  beforeEach(() => vi.stubEnv('JANITOR_ALLOW_LOOPBACK_REPLIES', 'false'));
  afterEach(() => vi.unstubAllEnvs());

  function setup(env: Record<string, string> = { TEAMS_SECURITY_TOKEN: TOKEN }) {
    const recorder = recordingInvoker();
    const handler = makeWebhookHandler({
      invokeWorker: recorder.invokeWorker,
      env: () => WebhookEnv.parse({ ...process.env, ...env }),
      secret: (ref) => Promise.resolve(ref.value),
      clock: () => NOW,
    });
    return {
      payloads: recorder.payloads,
      call: (request: SignedHttpRequest, path = '/teams/messages') => handler(httpEvent(path, request), localContext(3000)),
    };
  }

  it('admits a signed @mention, answers at once with a card and queues one job: Teams user by AAD object id, no reply URL', async () => {
    const { call, payloads } = setup();
    const result = await call(message('plan'));
    expect(result.statusCode).toBe(200);
    const answer = JSON.parse(result.body) as TeamsMessage;
    expect(answer).toMatchObject({
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard' } }],
    });
    expect(cardText(answer)).toContain('Planning');
    expect(payloads).toEqual([
      {
        version: 1,
        source: 'teams',
        command: { name: 'plan' },
        user: { id: `teams:${ALICE}`, name: 'Alice Example' },
        mentionName: 'Janitor',
        triggerId: expect.stringMatching(/^teams:[0-9a-f]{40}$/),
        receivedAt: NOW.toISOString(),
      },
    ]);
  });

  it('gives a re-delivered (replayed) message the same trigger id, so the worker runs it once; another message gets another', async () => {
    const { call, payloads } = setup();
    await call(message('plan'));
    await call(message('plan'));
    await call(message('plan', { messageId: '1763899200001' }));
    const ids = payloads.map((p) => (p as { triggerId: string }).triggerId);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it.each([
    [
      'a forged signature',
      () => ({ ...message('plan'), headers: { ...message('plan').headers, authorization: `HMAC ${Buffer.alloc(32).toString('base64')}` } }),
    ],
    ['a message signed with another token', () => message('plan', { securityToken: randomBytes(32).toString('base64') })],
    [
      'a body altered after signing',
      () => ({ ...message('plan'), body: message('plan').body.replace('</at> plan', '</at> apply 0123456789abcdef') }),
    ],
    ['a stale message (301 s old)', () => message('plan', { now: new Date(NOW.getTime() - 301_000) })],
    ['no Authorization header', () => ({ headers: {}, body: message('plan').body })],
    [
      'a Slack-style signature',
      () => ({ ...message('plan'), headers: { 'x-slack-signature': 'v0=00', 'x-slack-request-timestamp': '1' } }),
    ],
  ])('answers 401 without detail to %s, and queues nothing', async (_name, request) => {
    const { call, payloads } = setup();
    expect(await call(request())).toEqual({ statusCode: 401, headers: { 'content-type': 'text/plain' }, body: 'unauthorized' });
    expect(payloads).toEqual([]);
  });

  it('refuses every Teams message when no security token is configured', async () => {
    const { call, payloads } = setup({});
    expect((await call(message('plan'))).statusCode).toBe(401);
    expect(payloads).toEqual([]);
  });

  it('answers help itself, with the commands as the webhook is @mentioned, without the worker', async () => {
    const { call, payloads } = setup();
    for (const text of ['help', '', 'destroy everything']) {
      const result = await call(message(text, { mentionName: 'Janitor Bot' }));
      expect(result.statusCode).toBe(200);
      expect(cardText(JSON.parse(result.body) as TeamsMessage)).toContain('@Janitor Bot apply <hash>');
    }
    expect(payloads).toEqual([]);
  });

  it('runs nothing for a message whose sender has no Azure AD object id', async () => {
    const { call, payloads } = setup();
    const activity = teamsActivity({ securityToken: TOKEN, text: 'plan', aadObjectId: ALICE, now: NOW });
    const body = JSON.stringify({ ...activity, from: { id: '29:guest', name: 'Mallory' } });
    const result = await call({ headers: { authorization: teamsSignature(TOKEN, body) }, body });
    expect(result.statusCode).toBe(200);
    expect(cardText(JSON.parse(result.body) as TeamsMessage)).toContain('could not tell who sent this');
    expect(payloads).toEqual([]);
  });

  it('answers 400 to a signed body that is not a Teams activity', async () => {
    const { call } = setup();
    const body = JSON.stringify({ timestamp: NOW.toISOString(), text: 'plan' });
    const result = await call({ headers: { authorization: teamsSignature(TOKEN, body) }, body });
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body).error).toMatch(/^malformed Teams message: /);
  });

  it('keeps Teams and Slack apart: a Teams signature does not open the Slack door', async () => {
    const { call } = setup({ TEAMS_SECURITY_TOKEN: TOKEN, SLACK_SIGNING_SECRET: 'slack' });
    expect((await call(message('plan'), '/slack/commands')).statusCode).toBe(401);
  });
});

describe('Teams digest: one Adaptive Card', () => {
  const options = {
    command: 'plan' as const,
    requester: `teams:${ALICE}`,
    requesterName: 'Alice',
    expiresAt: '2026-11-23T13:00:00Z',
    approvalRequired: true,
  };

  it('stays within Teams’ message size, whatever the plan’s size or text, and says what it left out (property)', () => {
    fc.assert(
      fc.property(
        fc.array(arbitraryGroup, { maxLength: 60, size: 'max' }),
        fc.constantFrom('plan' as const, 'apply' as const),
        (groups, command) => {
          const plan = planOf(groups);
          const card = toTeamsMessage(
            digestModel(runOf(plan), { ...options, command, approver: command === 'apply' ? `teams:${BOB}` : undefined }),
          );
          const size = Buffer.byteLength(JSON.stringify(card), 'utf8');
          expect(size).toBeLessThanOrEqual(TEAMS_MESSAGE_BUDGET_BYTES);
          const body = card.attachments[0].content.body;
          // Text only in RichTextBlocks (never parsed as Markdown), and no actions: Workflows cards have no working buttons.
          expect(body.every((element) => element.type === 'RichTextBlock')).toBe(true);
          expect(JSON.stringify(card)).not.toContain('"actions"');
          const actions = plan.totals.stop + plan.totals.delete;
          if (actions > 0 && !JSON.stringify(body).includes('too large for Teams'))
            expect(JSON.stringify(body)).toMatch(/more action\(s\)|Actions/);
        },
      ),
      { numRuns: 25 },
    );
  }, 60_000);

  it('cuts a large plan with counts, and shows the command to type instead of an Approve button', () => {
    const plan = simplePlan(Array.from({ length: 35 }, (_, g) => ({ name: `group-${String(g).padStart(2, '0')}`, actions: 30 })));
    const card = toTeamsMessage(digestModel(runOf(plan), options), { mentionName: 'Janitor' });
    const text = cardText(card);
    expect(text).toContain('… and 15 more group(s): 450 to stop');
    expect(text).toMatch(/… and \d+ more action\(s\)/);
    expect(text).toContain(`@Janitor apply ${plan.hash}`);
    expect(text).toContain('Alice');
    expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThanOrEqual(TEAMS_MESSAGE_BUDGET_BYTES);
  });

  it('carries names and reasons as plain text runs: no Markdown, links or mentions from data', () => {
    const plan = simplePlan([{ name: '**[click](https://evil.example)**', actions: 1, reason: '<at>everyone</at> _x_' }]);
    const card = toTeamsMessage(digestModel(runOf(plan), options));
    const runs = card.attachments[0].content.body.flatMap((b) => b.inlines);
    expect(runs.some((r) => r.text.includes('**[click](https://evil.example)**'))).toBe(true);
    expect(runs.every((r) => r.type === 'TextRun')).toBe(true);
  });

  it('is plain data: the model crosses worker threads and the Lambda boundary (structured clone, JSON)', () => {
    const model = digestModel(runOf(simplePlan([{ name: 'g', actions: 40 }])), options);
    expect(structuredClone(model)).toEqual(model);
    expect(JSON.parse(JSON.stringify(model))).toEqual(model);
  });

  it('falls back to a minimal card when even the tightest level does not fit', () => {
    const plan = simplePlan([{ name: 'g', actions: 3 }]);
    const card = toTeamsMessage(digestModel(runOf(plan), options), { budgetBytes: 1500 });
    expect(cardText(card)).toContain('too large for Teams');
  });
});

describe('Teams reply hosts', () => {
  const policy = replyPolicyFromEnv({});
  it.each([
    ['https://prod-12.westeurope.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke?api-version=2016-06-01&sig=s', true],
    [
      'https://default0a1b.ab.environment.api.powerplatform.com:443/powerautomate/automations/direct/workflows/abc/triggers/manual/paths/invoke?sig=s',
      true,
    ],
    ['https://contoso.webhook.office.com/webhookb2/abc', false],
    ['https://logic.azure.com.evil.example/workflows', false],
    ['http://prod-12.westeurope.logic.azure.com/workflows', false],
    ['https://hooks.slack.com/commands/T0/1/x', false],
  ])('%s → %s', (url, ok) => {
    expect(checkReplyUrl(url, policy, ['teams']).ok).toBe(ok);
  });

  it('names the retirement of Office 365 connectors, and keeps Teams hosts out of Slack replies', () => {
    expect(checkReplyUrl('https://contoso.webhook.office.com/webhookb2/abc', policy, ['teams'])).toMatchObject({
      ok: false,
      reason: expect.stringContaining('retired'),
    });
    expect(checkReplyUrl('https://prod-1.westeurope.logic.azure.com/workflows/x', policy, ['slack']).ok).toBe(false);
  });
});
