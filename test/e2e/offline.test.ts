/**
 * The bundle as deployed, on this machine: `npm run offline` (scripts/offline.ts) in a child
 * process — serverless-esbuild bundles, serverless-offline runs the handlers in worker threads —
 * against the AI Core simulator, dynalite and the Secrets Manager stub on loopback ports.
 *
 * One file, one `describe.sequential`: a single serverless offline serves every test, in order,
 * and the last test stops it the way a developer does (SIGINT) and checks every port is closed.
 * `--timeout` bounds serverless offline even if this process dies; afterAll kills whatever is left.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { signedSlashCommand } from '../../scripts/slack-command.js';
import { signedTeamsMessage } from '../../scripts/teams-message.js';

const SIGNING_SECRET = `e2e-${randomUUID()}`;
const TEAMS_TOKEN = randomBytes(32).toString('base64');

const Ready = z.object({
  pid: z.number().int(),
  serverlessPid: z.number().int().optional(),
  stage: z.string(),
  httpUrl: z.url(),
  lambdaUrl: z.url(),
  simulatorUrl: z.url(),
  dynamoEndpoint: z.url(),
  secretsEndpoint: z.url(),
});
type Ready = z.infer<typeof Ready>;

const ScheduledDone = z.object({
  status: z.literal('done'),
  report: z.object({
    runId: z.string(),
    dryRun: z.boolean(),
    apiCalls: z.number(),
    plan: z.object({
      hash: z.string().regex(/^[0-9a-f]{64}$/),
      policyDigest: z.string().regex(/^[0-9a-f]{64}$/),
      groups: z.array(z.object({ group: z.string() })),
      totals: z.object({ listed: z.number(), stop: z.number(), delete: z.number() }),
    }),
  }),
});

let child: ChildProcess;
let ready: Ready;

/** A signed chat request to the offline webhook. */
function postSigned(path: string, request: { headers: Record<string, string>; body: string }): Promise<Response> {
  return fetch(`${ready.httpUrl}${path}`, {
    method: 'POST',
    headers: request.headers,
    body: request.body,
    signal: AbortSignal.timeout(30_000),
  });
}
let output = '';
let exited: Promise<number | string>;
/** The loopback stand-in for the stage's Teams Workflows webhook (TEAMS_WORKFLOW_URL). */
let workflow: { url: string; posts: unknown[]; server: Server } | undefined;

function waitFor<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = (): void => {
      const value = probe();
      if (value !== undefined) resolve(value);
      else if (Date.now() > deadline) reject(new Error(`timed out waiting for ${what}; output so far:\n${output.slice(-4_000)}`));
      else setTimeout(tick, 250);
    };
    tick();
  });
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

function scheduledEvent(id: string): Record<string, unknown> {
  return {
    version: '0',
    id,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: new Date().toISOString(),
    region: 'us-east-1',
    resources: [],
    detail: {},
  };
}

async function invokeScheduled(event: Record<string, unknown>): Promise<{ status: number; body: unknown }> {
  const url = `${ready.lambdaUrl}/2015-03-31/functions/aicore-janitor-${ready.stage}-scheduled/invocations`;
  const response = await fetch(url, { method: 'POST', body: JSON.stringify(event), signal: AbortSignal.timeout(90_000) });
  return { status: response.status, body: await response.json() };
}

/** A stand-in for Slack's response_url: records every JSON body posted to it. */
async function startReceiver(): Promise<{ url: string; posts: unknown[]; server: Server }> {
  const posts: unknown[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      posts.push(JSON.parse(body));
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`, posts, server };
}

beforeAll(async () => {
  workflow = await startReceiver();
  // Own process group (detached), so the whole tree can be signalled; stdout parsed for readiness.
  child = spawn(process.execPath, ['--import', 'tsx', 'scripts/offline.ts', '--timeout', '600'], {
    env: {
      ...process.env,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      TEAMS_SECURITY_TOKEN: TEAMS_TOKEN,
      TEAMS_WORKFLOW_URL: workflow.url,
      LOG_LEVEL: 'info',
    },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let gone = false;
  void exited.then(() => (gone = true));
  const line = await waitFor('the "offline ready" line', 240_000, () => {
    if (gone) throw new Error(`npm run offline exited early:\n${output}`);
    return /^offline ready (\{.*\})$/m.exec(output)?.[1];
  });
  ready = Ready.parse(JSON.parse(line));
}, 260_000);

afterAll(async () => {
  const receiver = workflow;
  if (receiver !== undefined) await new Promise((resolve) => receiver.server.close(resolve));
  if (child === undefined) return;
  if (child.exitCode === null && child.signalCode === null) {
    killGroup(child.pid, 'SIGINT');
    const stopped = await Promise.race([
      exited.then(() => true),
      new Promise<false>((resolve) => setTimeout(() => resolve(false), 20_000)),
    ]);
    if (!stopped) killGroup(child.pid, 'SIGKILL');
  }
  // A clean exit (0) means the script stopped serverless offline itself. Otherwise its group (it
  // runs detached from the script) may still be alive: make sure nothing outlives the suite.
  if (child.exitCode !== 0) killGroup(ready?.serverlessPid, 'SIGKILL');
}, 40_000);

describe.sequential('npm run offline (serverless offline on the local stack)', () => {
  it('invokes the scheduled function through the local Lambda API: a dry-run plan against the simulator', async () => {
    const { status, body } = await invokeScheduled(scheduledEvent(`e2e-${randomUUID()}`));
    expect(status).toBe(200);
    const { report } = ScheduledDone.parse(body);
    expect(report.dryRun).toBe(true);
    expect(report.apiCalls).toBeGreaterThan(0);
    expect(report.plan.groups.map((g) => g.group)).toContain('team-a');
    expect(report.plan.totals.stop).toBeGreaterThan(0);
    expect(report.plan.totals.delete).toBeGreaterThan(0);

    // Structured logs carry the run id and policy digest; the EMF document carries the heartbeat.
    const logLine = await waitFor('the "run finished" log line', 10_000, () =>
      output.split('\n').find((l) => l.includes('"run finished"') && l.includes(report.runId)),
    );
    expect(JSON.parse(logLine)).toMatchObject({
      level: 'INFO',
      runId: report.runId,
      policyDigest: report.plan.policyDigest,
      service: `aicore-janitor-${ready.stage}`,
    });
    const emf = await waitFor('the EMF metrics document', 10_000, () =>
      output.split('\n').find((l) => l.startsWith('{"_aws"') && l.includes('"Heartbeat"')),
    );
    expect(JSON.parse(emf)).toMatchObject({
      Heartbeat: 1,
      Planned: report.plan.totals.stop + report.plan.totals.delete,
      Submitted: 0,
      service: `aicore-janitor-${ready.stage}`,
    });
    // Secrets stay out of the logs: the service key's client secret is in the stub, never in output.
    expect(output).not.toMatch(/clientsecret"\s*:\s*"[^[]/i);
  });

  it('recognises a second delivery of the same event (trigger ledger in dynalite) and runs once', async () => {
    const event = scheduledEvent(`e2e-dup-${randomUUID()}`);
    expect(ScheduledDone.safeParse((await invokeScheduled(event)).body).success).toBe(true);
    const second = await invokeScheduled(event);
    expect(second.body).toMatchObject({ status: 'duplicate' });
  });

  it('refuses a forged slash command with 401', async () => {
    const forged = signedSlashCommand({
      secret: 'not-the-signing-secret',
      text: 'plan',
      userId: 'U0MALLORY',
      responseUrl: 'http://127.0.0.1:9/nowhere',
    });
    const response = await postSigned('/slack/commands', forged);
    expect(response.status).toBe(401);
  });

  it('answers a signed `plan` at once and posts the digest to the response_url (webhook → worker)', async () => {
    const receiver = await startReceiver();
    try {
      const request = signedSlashCommand({ secret: SIGNING_SECRET, text: 'plan', userId: 'U0ALICE', responseUrl: receiver.url });
      const response = await postSigned('/slack/commands', request);
      expect(response.status).toBe(200);
      const digest = await waitFor('the digest at the response_url', 90_000, () => receiver.posts[0]);
      expect(JSON.stringify(digest)).toMatch(/Janitor plan [0-9a-f]{12}/);
    } finally {
      await new Promise((resolve) => receiver.server.close(resolve));
    }
  }, 120_000);

  it('refuses a Teams message signed with another token with 401', async () => {
    const forged = signedTeamsMessage({ securityToken: randomBytes(32).toString('base64'), text: 'plan', aadObjectId: randomUUID() });
    const response = await postSigned('/teams/messages', forged);
    expect(response.status).toBe(401);
  });

  it('answers a signed Teams @mention at once and posts one Adaptive Card to the Workflows webhook (webhook → worker)', async () => {
    const request = signedTeamsMessage({ securityToken: TEAMS_TOKEN, text: 'plan', aadObjectId: randomUUID(), userName: 'E2E User' });
    const started = Date.now();
    const response = await postSigned('/teams/messages', request);
    expect(response.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(JSON.stringify(await response.json())).toContain('Planning');
    const card = await waitFor('the Teams card at the Workflows receiver', 90_000, () => workflow?.posts[0]);
    expect(card).toMatchObject({ type: 'message', attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive' }] });
    expect(JSON.stringify(card)).toMatch(/Janitor plan [0-9a-f]{12}/);
    expect(workflow?.posts).toHaveLength(1);
    // The Workflows URL is a secret: the logs name its host at most.
    expect(output).not.toContain(workflow?.url ?? '');
  }, 120_000);

  it('stops serverless offline and the local stack on SIGINT, closing every port', async () => {
    killGroup(child.pid, 'SIGINT');
    expect(await Promise.race([exited, new Promise((resolve) => setTimeout(() => resolve('still running'), 30_000))])).toBe(0);
    for (const url of [ready.httpUrl, ready.lambdaUrl, ready.simulatorUrl, ready.dynamoEndpoint, ready.secretsEndpoint]) {
      await expect(fetch(url, { signal: AbortSignal.timeout(2_000) }), url).rejects.toThrow();
    }
  }, 45_000);
});
