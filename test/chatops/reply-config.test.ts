/**
 * The reply policy's configuration as deployed: serverless.yml hands the allowlists and the
 * local-stage flag to both functions that handle reply URLs, and a deployed stage never allows
 * loopback unless told to (only `npm run offline` passes allowLoopbackReplies=true).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import * as z from 'zod';
import { readWebhookEnv, webhookReplyPolicy } from '../../functions/adapters/chat-config.js';
import { readEnv } from '../../functions/adapters/config.js';

/** serverless.yml's `${param:name}` reference, as the template holds it. */
const stageParam = (name: string): string => ['${param:', name, '}'].join('');

const Service = z.object({
  params: z.object({ default: z.record(z.string(), z.unknown()) }).catchall(z.unknown()),
  // The optional engine's functions are `${file(...)}` strings until the framework resolves them.
  functions: z.record(z.string(), z.union([z.object({ environment: z.record(z.string(), z.string()).optional() }), z.string()])),
});

describe('serverless.yml: reply-URL parameters', () => {
  const service = Service.parse(parse(readFileSync('serverless.yml', 'utf8')));

  it('defaults to Slack’s own host only, no webhook hosts and no loopback, on every stage', () => {
    expect(service.params.default).toMatchObject({ slackReplyHosts: '', webhookReplyHosts: '', allowLoopbackReplies: 'false' });
    expect(Object.keys(service.params)).toEqual(['default']);
  });

  it.each(['webhook', 'worker'])('passes them to the %s function', (fn) => {
    const declared = service.functions[fn];
    expect(typeof declared === 'object' ? declared.environment : declared).toMatchObject({
      JANITOR_SLACK_REPLY_HOSTS: stageParam('slackReplyHosts'),
      JANITOR_WEBHOOK_REPLY_HOSTS: stageParam('webhookReplyHosts'),
      JANITOR_ALLOW_LOOPBACK_REPLIES: stageParam('allowLoopbackReplies'),
    });
  });
});

describe('function environments', () => {
  it('validate the allowlists at cold start, naming the bad entry', () => {
    expect(() => readWebhookEnv({ JANITOR_WEBHOOK_REPLY_HOSTS: 'https://ci.example.com/hook' })).toThrow(
      /invalid webhook environment[\s\S]*https:\/\/ci\.example\.com\/hook/,
    );
    expect(() => readEnv({ JANITOR_TABLE: 't', JANITOR_SLACK_REPLY_HOSTS: '*' })).toThrow(/invalid function environment/);
  });

  it('turn the webhook environment into its reply policy', () => {
    const policy = webhookReplyPolicy(
      readWebhookEnv({
        JANITOR_SLACK_REPLY_HOSTS: 'hooks.slack-gov.com',
        JANITOR_WEBHOOK_REPLY_HOSTS: 'ci.example.com',
        JANITOR_ALLOW_LOOPBACK_REPLIES: '',
      }),
    );
    expect(policy.hosts.slack.map((h) => h.host)).toEqual(['hooks.slack.com', 'hooks.slack-gov.com']);
    expect(policy.hosts.webhook.map((h) => h.host)).toEqual(['ci.example.com']);
    expect(policy.allowLoopback).toBe(false);
  });
});
