/**
 * Matrix rows for the trust boundaries: reply URLs (Slack's hosts, the webhook's allowlist) and the
 * local state (two processes in one directory, unlocking after a crash).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { makeWebhookHandler } from '../../functions/webhook.js';
import { WebhookEnv } from '../../functions/adapters/chat-config.js';
import { localContext } from '../../cli/demo.js';
import { unixSeconds, webhookSignature } from '../../lib/chatops/signature.js';
import { signedSlashCommand } from '../../scripts/slack-command.js';
import { httpEvent, recordingInvoker } from '../chatops/helpers.js';
import { bodyOf, BUSY, mixedFleet, POLICY_YAML, type RowContext } from './context.js';
import { check, type MatrixRow } from './row.js';

const BIN = fileURLToPath(new URL('../../bin/aicore-janitor.js', import.meta.url));
const SLACK = 'slack-signing-secret-pending-01';
const HMAC = 'webhook-hmac-secret-pending-001';
const BUSY_MESSAGE = /another aicore-janitor run is using \.\/\.aicore-janitor \(pid \d+, since \S+\)/;

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The CLI as a separate process (the lock is per process), in `cwd`. */
function spawnCli(ctx: RowContext, argv: string[], cwd: string): { exited: Promise<Exit>; pid: number | undefined; kill: () => void } {
  const child = spawn(process.execPath, [BIN, ...argv], {
    cwd,
    env: { ...process.env, AICORE_SERVICE_KEY: JSON.stringify(ctx.stack.simulator.serviceKey), JANITOR_TABLE: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString('utf8');
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString('utf8');
  });
  const exited = new Promise<Exit>((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
  ctx.onDispose(() => void (child.exitCode === null && child.kill('SIGKILL')));
  void exited.then((e) => ctx.output.push(e.stdout, e.stderr));
  return { exited, pid: child.pid, kill: () => child.kill('SIGKILL') };
}

function chatSetup(ctx: RowContext, env: Record<string, string> = {}) {
  ctx.secrets.push(SLACK, HMAC);
  const recorder = recordingInvoker();
  const handler = makeWebhookHandler({
    invokeWorker: recorder.invokeWorker,
    env: () => WebhookEnv.parse({ SLACK_SIGNING_SECRET: SLACK, WEBHOOK_HMAC_SECRET: HMAC, ...env }),
    secret: (ref) => Promise.resolve(ref.value),
    clock: () => new Date(),
  });
  const call = async (path: string, request: { headers: Record<string, string>; body: string }) => {
    const result = await handler(httpEvent(path, request), localContext(3000));
    ctx.output.push(bodyOf(result));
    return result;
  };
  const webhook = (responseUrl: string) => {
    const body = JSON.stringify({ text: 'plan', user: 'ci', responseUrl });
    const timestamp = unixSeconds(new Date());
    return call('/webhook', {
      headers: {
        'content-type': 'application/json',
        'x-janitor-timestamp': timestamp,
        'x-janitor-signature': webhookSignature(HMAC, timestamp, body),
      },
      body,
    });
  };
  const slash = (responseUrl: string) =>
    call('/slack/commands', signedSlashCommand({ secret: SLACK, text: 'plan', userId: 'U0ALICE', responseUrl }));
  return { webhook, slash, payloads: recorder.payloads };
}

const boundaryRows: MatrixRow[] = [
  {
    id: 'two-processes-one-directory',
    area: 'two concurrent runs (one table; one directory)',
    title: 'Two CLI processes plan in the same state directory at once',
    injects:
      'Two `aicore-janitor plan` processes start 300 ms apart in one directory, against an AI Core that answers every request after 4 s (longer than the second one waits).',
    guarantees: [
      'One finishes (exit 0); the other waits a few seconds, then exits 1 with "another aicore-janitor run is using ./.aicore-janitor (pid N, since T)" — never a stack trace.',
    ],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), { ...BUSY, faults: { routes: { '*': { latencyMs: 4000 } } } });
      const files = ctx.files({ 'policy.yaml': POLICY_YAML });
      const first = spawnCli(ctx, ['plan', '--policy', 'policy.yaml'], files.dir);
      await new Promise((r) => setTimeout(r, 300));
      const second = spawnCli(ctx, ['plan', '--policy', 'policy.yaml'], files.dir);
      const exits = await Promise.all([first.exited, second.exited]);
      check(
        JSON.stringify(exits.map((e) => e.code).sort()) === '[0,1]',
        `one exit 0, one exit 1: ${exits.map((e) => `${e.code}: ${e.stderr.slice(-300)}`).join(' | ')}`,
      );
      const busy = exits.find((e) => e.code === 1);
      check(busy !== undefined && BUSY_MESSAGE.test(busy.stderr), `the busy message: ${busy?.stderr.slice(-300)}`);
      return ctx.result();
    },
  },
  {
    id: 'unlock-after-crash',
    area: 'a process killed at several points, then re-run',
    title: 'A CLI apply is killed (SIGKILL) mid-run; `aicore-janitor unlock` releases its lock',
    injects:
      'An `apply --yes` process is SIGKILLed while AI Core is slow; then `unlock --yes` (no terminal to ask on) and a new `apply --yes` run in the same directory.',
    guarantees: [
      'A run after the crash names the dead holder and when its lease ends; `unlock` releases a lock whose holder process is gone (exit 0); the next apply in that directory runs (exit 0) and sends nothing the killed run had sent.',
    ],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), { faults: { routes: { '*': { latencyMs: 1000 } } } });
      const files = ctx.files({ 'policy.yaml': POLICY_YAML });
      const dying = spawnCli(ctx, ['apply', '--policy', 'policy.yaml', '--yes'], files.dir);
      await new Promise((r) => setTimeout(r, 2500));
      dying.kill();
      await dying.exited;
      const unlock = await ctx.cli(['unlock', '--yes'], {
        cwd: files.dir,
        env: { AICORE_SERVICE_KEY: JSON.stringify(ctx.stack.simulator.serviceKey), JANITOR_TABLE: '' },
      });
      check(unlock.code === 0, `unlock exits 0: ${unlock.stderr}`);
      // The same directory's ledger settles what the killed run sent (never re-sent: the observer checks).
      const apply = await ctx.cli(['apply', '--policy', 'policy.yaml', '--yes'], {
        cwd: files.dir,
        env: { AICORE_SERVICE_KEY: JSON.stringify(ctx.stack.simulator.serviceKey), JANITOR_TABLE: '' },
      });
      check(apply.code === 0, `apply runs after unlock: ${apply.stderr.slice(-300)}`);
      return ctx.result();
    },
  },
  {
    id: 'slack-response-url-off-slack',
    area: 'outbound trust',
    title: "Signed Slack commands whose response_url is not on Slack's hosts",
    injects:
      'Correctly signed slash commands with response_url on http://hooks.slack.com, on hooks.slack.com.evil.example, on loopback and on the metadata address.',
    guarantees: [
      'Each is refused (nothing queued, so nothing is ever POSTed there); a response_url on https://hooks.slack.com is accepted.',
    ],
    run: async (ctx) => {
      const { slash, payloads } = chatSetup(ctx);
      for (const url of [
        'http://hooks.slack.com/commands/T0/1/a',
        'https://hooks.slack.com.evil.example/commands/T0/1/a',
        'http://127.0.0.1:9/response',
        'http://169.254.169.254/latest/meta-data',
      ])
        await slash(url);
      check(payloads.length === 0, `nothing queued: ${JSON.stringify(payloads).slice(0, 300)}`);
      await slash('https://hooks.slack.com/commands/T0/1/abc');
      check((payloads as unknown[]).length === 1, 'the Slack host is accepted');
      return ctx.result();
    },
  },
  {
    id: 'webhook-response-url-allowlist',
    area: 'outbound trust',
    title: "JSON-webhook responseUrl values outside the stage's allowlist",
    injects:
      'Correctly signed JSON webhooks naming http (not https) on the allowed host, another host, loopback without the local-stage flag, and the metadata address.',
    guarantees: ['Each is refused with 400 and nothing is queued; https on the allowlisted host is accepted (202).'],
    run: async (ctx) => {
      const { webhook, payloads } = chatSetup(ctx, { JANITOR_WEBHOOK_REPLY_HOSTS: 'ci.example.com' });
      for (const url of [
        'http://ci.example.com/hook',
        'https://other.example.com/hook',
        'http://127.0.0.1:9/response',
        'http://169.254.169.254/latest/meta-data',
      ]) {
        const result = await webhook(url);
        check(result.statusCode === 400, `${url} refused with 400: ${result.statusCode}`);
      }
      check(payloads.length === 0, 'nothing queued');
      check((await webhook('https://ci.example.com/hook')).statusCode === 202, 'the allowlisted https host is accepted');
      return ctx.result();
    },
  },
];

export { boundaryRows };
