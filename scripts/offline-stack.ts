/**
 * `serverless offline` on the local stack: the functions from serverless.yml, bundled by
 * serverless-esbuild and run in serverless-offline's worker threads as Lambda would run them,
 * talking to the AI Core simulator, dynalite and a Secrets Manager stub on their own loopback ports.
 *
 * Everything reaches the handlers through the environment, never shared memory (worker threads).
 * serverless.yml's own environment wins over the local one in serverless-offline, so the local
 * stage must agree with it: the table is `<service>-<stage>` and the secret ids are served by the
 * stub (scripts/offline-secrets.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { parse } from 'yaml';
import * as z from 'zod';
import { startLocalStack, LOCAL_REGION, type LocalStack } from '../infra/local/stack.js';
import { demoFleet } from '../infra/local/simulator/index.js';
import { ensureTable } from '../lib/store/dynamo.js';
import { dynamoClient } from '../lib/store/factory.js';
import { sleep } from '../lib/util/time.js';
import { startSecretsStub, type SecretsStub } from './offline-secrets.js';

const SERVICE = 'aicore-janitor';
/** Defaults of the matching stage parameters in serverless.yml (what the functions will ask for). */
const SECRET_IDS = {
  serviceKey: 'aicore-janitor/service-key',
  slackSigningSecret: 'aicore-janitor/slack-signing-secret',
  webhookHmacSecret: 'aicore-janitor/webhook-hmac-secret',
  teamsSecurityToken: 'aicore-janitor/teams-security-token',
  teamsWorkflowUrl: 'aicore-janitor/teams-workflow-url',
} as const;

interface OfflineOptions {
  /** serverless-offline's HTTP API port; 0 = a free one. */
  httpPort?: number;
  /** serverless-offline's Lambda invoke API port; 0 = a free one. */
  lambdaPort?: number;
  stage?: string;
  /** Stage parameters, passed as `--param=name=value` (e.g. `{ apply: 'true' }`). */
  params?: Readonly<Record<string, string>>;
  slackSigningSecret?: string;
  webhookHmacSecret?: string;
  /** The Teams outgoing webhook's security token (base64); default: random per session. */
  teamsSecurityToken?: string;
  /** Where the worker posts Teams digests (a loopback receiver standing in for a Workflows webhook). */
  teamsWorkflowUrl?: string;
  /** Kill serverless offline after this many seconds (tests: a hung toolchain must not hang CI). */
  timeoutSeconds?: number;
  /** How long to wait for both ports to answer. Bundling on a 2-core machine takes a while. */
  readyTimeoutMs?: number;
  /** Where serverless-offline's output goes (default: this process's stdout/stderr). */
  onOutput?: (chunk: string) => void;
}

interface RunningOffline {
  stage: string;
  /** serverless offline's process id; its process group holds everything it started. */
  pid: number | undefined;
  httpUrl: string;
  lambdaUrl: string;
  stack: LocalStack;
  secrets: SecretsStub;
  slackSigningSecret: string;
  webhookHmacSecret: string;
  teamsSecurityToken: string;
  teamsWorkflowUrl: string | undefined;
  /** `<service>-<stage>-<function>`: the name the local Lambda invoke API expects. */
  functionName(fn: string): string;
  /** Resolves when serverless offline exits (its exit code, or the signal's name). */
  exited: Promise<number | string>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Only the shape this script needs from serverless.yml: which functions have HTTP events. Entries
 * the framework resolves later (`${file(...)}` for the optional engine's functions) are strings here.
 */
const ServiceFile = z.object({
  functions: z.record(
    z.string(),
    z.union([z.object({ events: z.union([z.array(z.record(z.string(), z.unknown())), z.string()]).optional() }), z.string()]),
  ),
});

/** serverless-offline opens its HTTP port only when some function has an HTTP event. */
function servesHttp(configFile = 'serverless.yml'): boolean {
  const service = ServiceFile.parse(parse(readFileSync(configFile, 'utf8')));
  return Object.values(service.functions).some(
    (fn) =>
      typeof fn !== 'string' && typeof fn.events !== 'string' && (fn.events ?? []).some((event) => 'httpApi' in event || 'http' in event),
  );
}

async function answers(url: string): Promise<boolean> {
  try {
    // Any HTTP answer (even 404) means the server is listening.
    await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

async function waitUntilReady(
  urls: readonly string[],
  exited: Promise<number | string>,
  timeoutMs: number,
  tail: () => string,
): Promise<void> {
  let exit: number | string | undefined;
  void exited.then((code) => (exit = code));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exit !== undefined) throw new Error(`serverless offline exited (${exit}) before it was ready:\n${tail()}`);
    if ((await Promise.all(urls.map(answers))).every(Boolean)) return;
    if (Date.now() > deadline) throw new Error(`serverless offline was not ready after ${timeoutMs} ms:\n${tail()}`);
    await sleep(500);
  }
}

/** Signals the whole process group (serverless, its esbuild service, `timeout`), then waits. */
async function stopGroup(child: ChildProcess, exited: Promise<number | string>): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const signal = (name: NodeJS.Signals): void => {
    try {
      process.kill(-(child.pid as number), name);
    } catch {
      // The group is already gone.
    }
  };
  signal('SIGTERM');
  const killed = await Promise.race([exited.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 5_000))]);
  if (!killed) {
    signal('SIGKILL');
    await exited;
  }
}

async function startOffline(options: OfflineOptions = {}): Promise<RunningOffline> {
  const stage = options.stage ?? 'local';
  const slackSigningSecret = options.slackSigningSecret ?? randomBytes(16).toString('hex');
  const webhookHmacSecret = options.webhookHmacSecret ?? randomBytes(16).toString('hex');
  const teamsSecurityToken = options.teamsSecurityToken ?? randomBytes(32).toString('base64');
  const { teamsWorkflowUrl } = options;
  const httpPort = options.httpPort || (await freePort());
  const lambdaPort = options.lambdaPort || (await freePort());
  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const lambdaUrl = `http://127.0.0.1:${lambdaPort}`;
  // The local stage's flag: the worker may reply to a receiver on this machine (a deployed stage
  // never sets it). serverless.yml's environment wins over ours, so it goes in as a stage parameter.
  const params: Record<string, string> = { allowLoopbackReplies: 'true', ...options.params };

  const stack = await startLocalStack({ simulator: { fleet: demoFleet(new Date()) } });
  let secrets: SecretsStub | undefined;
  try {
    // serverless.yml names the table `<service>-<stage>`; the local stack creates its own name.
    const table = `${SERVICE}-${stage}`;
    if (table !== stack.table) await ensureTable(dynamoClient({ table, region: LOCAL_REGION, endpoint: stack.dynamo.endpoint }), table);
    secrets = await startSecretsStub({
      [params.secretId ?? SECRET_IDS.serviceKey]: JSON.stringify(stack.simulator.serviceKey),
      [params.slackSigningSecretId ?? SECRET_IDS.slackSigningSecret]: slackSigningSecret,
      [params.webhookHmacSecretId ?? SECRET_IDS.webhookHmacSecret]: webhookHmacSecret,
      [params.teamsSecurityTokenId ?? SECRET_IDS.teamsSecurityToken]: teamsSecurityToken,
      ...(teamsWorkflowUrl === undefined ? {} : { [params.teamsWorkflowUrlId ?? SECRET_IDS.teamsWorkflowUrl]: teamsWorkflowUrl }),
    });
  } catch (error) {
    await Promise.allSettled([stack.stop(), secrets?.stop()]);
    throw error;
  }

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...stack.env,
    // Static dummy credentials and no metadata probe: nothing here may reach real AWS.
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    AWS_ENDPOINT_URL_DYNAMODB: stack.dynamo.endpoint,
    AWS_ENDPOINT_URL_LAMBDA: lambdaUrl,
    LAMBDA_ENDPOINT: lambdaUrl,
    // Local shortcuts for the chat-ops functions (the ids above are served too).
    SLACK_SIGNING_SECRET: slackSigningSecret,
    WEBHOOK_HMAC_SECRET: webhookHmacSecret,
    TEAMS_SECURITY_TOKEN: teamsSecurityToken,
    ...(teamsWorkflowUrl === undefined ? {} : { TEAMS_WORKFLOW_URL: teamsWorkflowUrl }),
    SLS_TELEMETRY_DISABLED: '1',
    SLS_NOTIFICATIONS_MODE: 'off',
  };
  const serverlessArgs = [
    'node_modules/serverless/bin/serverless.js',
    'offline',
    'start',
    `--stage=${stage}`,
    `--region=${LOCAL_REGION}`,
    '--host=127.0.0.1',
    `--httpPort=${httpPort}`,
    `--lambdaPort=${lambdaPort}`,
    // The handlers' environment is this process's (stack endpoints, secrets endpoint) overlaid by
    // serverless.yml's; without it only AWS_* variables would be passed on.
    '--localEnvironment',
    ...Object.entries(params).map(([name, value]) => `--param=${name}=${value}`),
  ];
  const command =
    options.timeoutSeconds === undefined
      ? [process.execPath, ...serverlessArgs]
      : ['timeout', '--kill-after=10', String(options.timeoutSeconds), process.execPath, ...serverlessArgs];
  // detached: its own process group, so stop() reaches serverless's own children too.
  const child = spawn(command[0] as string, command.slice(1), { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig ?? 'unknown')));
  let output = '';
  const onOutput = options.onOutput ?? ((chunk: string) => process.stdout.write(chunk));
  const collect = (chunk: Buffer): void => {
    const text = chunk.toString();
    output = (output + text).slice(-8_000);
    onOutput(text);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const stopAll = async (): Promise<void> => {
    await stopGroup(child, exited);
    await Promise.allSettled([stack.stop(), secrets?.stop()]);
  };
  try {
    await waitUntilReady(servesHttp() ? [httpUrl, lambdaUrl] : [lambdaUrl], exited, options.readyTimeoutMs ?? 180_000, () => output);
  } catch (error) {
    await stopAll();
    throw error;
  }
  return {
    stage,
    pid: child.pid,
    httpUrl,
    lambdaUrl,
    stack,
    secrets,
    slackSigningSecret,
    webhookHmacSecret,
    teamsSecurityToken,
    teamsWorkflowUrl,
    functionName: (fn) => `${SERVICE}-${stage}-${fn}`,
    exited,
    stop: stopAll,
  };
}

export { startOffline, SECRET_IDS };
export type { OfflineOptions, RunningOffline };
