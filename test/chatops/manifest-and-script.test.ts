/**
 * The Slack app manifest points at the webhook's routes, and scripts/slack-command.ts — run as a
 * developer runs it — sends requests the webhook accepts.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import * as z from 'zod';
import { makeWebhookHandler } from '../../functions/webhook.js';
import { WebhookEnv } from '../../functions/adapters/chat-config.js';
import { localContext } from '../../cli/demo.js';
import { routeOf } from '../../lib/chatops/inbound.js';
import { recordingInvoker } from './helpers.js';
import { silenceLogs } from '../helpers/silence-logs.js';

// The webhook's JSON log lines are for CloudWatch, not for `npm test`.
silenceLogs();

const run = promisify(execFile);

const Manifest = z.object({
  features: z.object({ slash_commands: z.array(z.object({ command: z.string(), url: z.url() })) }),
  oauth_config: z.object({ scopes: z.object({ bot: z.array(z.string()) }) }),
  settings: z.object({ interactivity: z.object({ is_enabled: z.literal(true), request_url: z.url() }) }),
});

describe('infra/slack-app-manifest.yaml', () => {
  it('registers /janitor and the Approve button on the webhook’s routes, with only the `commands` scope', () => {
    const manifest = Manifest.parse(parse(readFileSync('infra/slack-app-manifest.yaml', 'utf8')));
    const [command] = manifest.features.slash_commands;
    expect(command?.command).toBe('/janitor');
    expect(routeOf(new URL(command?.url ?? 'http://x').pathname)).toBe('slack-command');
    expect(routeOf(new URL(manifest.settings.interactivity.request_url).pathname)).toBe('slack-interaction');
    expect(manifest.oauth_config.scopes.bot).toEqual(['commands']);
  });
});

describe('scripts/slack-command.ts', () => {
  const recorder = recordingInvoker();
  const secrets = { SLACK_SIGNING_SECRET: 'script-slack-secret', WEBHOOK_HMAC_SECRET: 'script-hmac-secret' };
  const webhook = makeWebhookHandler({ invokeWorker: recorder.invokeWorker, env: () => WebhookEnv.parse({ ...process.env, ...secrets }) });
  // A minimal HTTP API stand-in: the request becomes a payload 2.0 event for the real handler.
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers = Object.fromEntries(Object.entries(req.headers).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v]] : [])));
      const event = {
        rawPath: new URL(req.url ?? '/', 'http://local').pathname,
        headers,
        body: Buffer.concat(chunks).toString('base64'),
        isBase64Encoded: true,
      };
      webhook(event, localContext(3000)).then(
        (result) => res.writeHead(result.statusCode, result.headers).end(result.body),
        () => res.writeHead(500).end(),
      );
    });
  });
  let base = '';

  beforeAll(async () => {
    // The script's default response URL is on loopback (http://127.0.0.1:9/nowhere): a local-stage flag.
    vi.stubEnv('JANITOR_ALLOW_LOOPBACK_REPLIES', 'true');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const script = (args: string[], env: Record<string, string>) =>
    run(process.execPath, ['--import', 'tsx', 'scripts/slack-command.ts', ...args], {
      env: { ...process.env, ...env, LOG_LEVEL: 'silent' },
      timeout: 30_000,
    });

  it('sends signed slash commands, button clicks and webhook calls that the webhook accepts', async () => {
    const plan = await script(['--url', `${base}/slack/commands`, '--user', 'U0ALICE', 'plan'], secrets);
    expect(plan.stdout).toMatch(/^200 /);
    const click = await script(
      ['--interaction', '--url', `${base}/slack/interactions`, '--user', 'U0BOB', 'apply', 'ab'.repeat(32)],
      secrets,
    );
    expect(click.stdout).toMatch(/^200 /);
    const json = await script(['--webhook', '--url', `${base}/webhook`, '--user', 'ci', 'status'], secrets);
    expect(json.stdout).toMatch(/^202 /);
    expect(recorder.payloads).toEqual([
      expect.objectContaining({ command: { name: 'plan' }, user: expect.objectContaining({ id: 'U0ALICE' }) }),
      expect.objectContaining({ command: { name: 'apply', hash: 'ab'.repeat(32) }, user: expect.objectContaining({ id: 'U0BOB' }) }),
      expect.objectContaining({ command: { name: 'status' }, user: { id: 'webhook:ci' } }),
    ]);
  });

  it('is refused when signed with the wrong secret', async () => {
    await expect(script(['--url', `${base}/slack/commands`, 'plan'], { SLACK_SIGNING_SECRET: 'wrong' })).rejects.toMatchObject({
      stdout: expect.stringMatching(/^401 unauthorized/),
    });
  });
});
