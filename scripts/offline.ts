/**
 * `npm run offline`: the deployed bundle on this machine. Starts the local stack (AI Core simulator
 * with the demo fleet, dynalite, a Secrets Manager stub), then `serverless offline` pointed at it,
 * prints how to invoke each function, and stops everything on exit, Ctrl-C or SIGTERM.
 *
 *   npm run offline -- [--http-port N] [--lambda-port N] [--stage NAME] [--param name=value]…
 *
 * Ports default to OFFLINE_HTTP_PORT / OFFLINE_LAMBDA_PORT, else free ones. SLACK_SIGNING_SECRET,
 * WEBHOOK_HMAC_SECRET and TEAMS_SECURITY_TOKEN, when set, are the secrets the webhook verifies with
 * (else random per session); TEAMS_WORKFLOW_URL is where the worker posts Teams digests.
 * `--timeout N` stops everything after N seconds. Once the ports answer, one line
 * `offline ready {json}` is printed for scripts and tests to parse.
 */
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { startOffline, type RunningOffline } from './offline-stack.js';
import { errorMessage } from '../lib/util/errors.js';

const port = z.coerce.number().int().min(0).max(65_535);
const Args = z.strictObject({
  'http-port': port.default(0),
  'lambda-port': port.default(0),
  stage: z
    .string()
    .regex(/^[a-zA-Z0-9-]+$/)
    .default('local'),
  param: z.array(z.string().regex(/^[A-Za-z]\w*=/, 'expected name=value')).default([]),
  timeout: z.coerce.number().int().positive().optional(),
});

function readArgs(): z.infer<typeof Args> {
  const { values } = parseArgs({
    options: {
      'http-port': { type: 'string', default: process.env.OFFLINE_HTTP_PORT },
      'lambda-port': { type: 'string', default: process.env.OFFLINE_LAMBDA_PORT },
      stage: { type: 'string' },
      param: { type: 'string', multiple: true },
      timeout: { type: 'string' },
    },
  });
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(`npm run offline: ${z.prettifyError(parsed.error)}\n`);
    process.exit(2);
  }
  return parsed.data;
}

function instructions(offline: RunningOffline): string {
  const invoke = (fn: string): string => `${offline.lambdaUrl}/2015-03-31/functions/${offline.functionName(fn)}/invocations`;
  return [
    '',
    `aicore-janitor is running offline (stage ${offline.stage}):`,
    `  AI Core simulator   ${offline.stack.simulator.url}  (demo fleet in three resource groups)`,
    `  DynamoDB (dynalite) ${offline.stack.dynamo.endpoint}  table aicore-janitor-${offline.stage}`,
    `  Secrets Manager     ${offline.secrets.endpoint}  (stub serving the functions' secret ids)`,
    `  HTTP API            ${offline.httpUrl}  (POST /slack/commands, /slack/interactions, /webhook, /teams/messages)`,
    `  Lambda invoke API   ${offline.lambdaUrl}`,
    '',
    'Run the scheduled function as EventBridge would (a new event id each time: ids deduplicate runs):',
    `  curl -s -X POST ${invoke('scheduled')} \\`,
    `    -d "{\\"id\\":\\"offline-$(date +%s)\\",\\"detail-type\\":\\"Scheduled Event\\",\\"source\\":\\"aws.events\\",\\"time\\":\\"$(date -u +%FT%TZ)\\"}"`,
    `  curl -s -X POST ${invoke('scheduled')} -d @scripts/offline-event.json`,
    '',
    'Send a signed slash command (Slack signing secret for this session below):',
    `  SLACK_SIGNING_SECRET=${offline.slackSigningSecret} npx tsx scripts/slack-command.ts --url ${offline.httpUrl}/slack/commands plan`,
    "  The worker posts its digest to the command's response_url: add --response-url http://127.0.0.1:9999/",
    "  with a listener there (e.g. `nc -l 127.0.0.1 9999`) to see it; the worker's log lines appear here.",
    '  Loopback reply URLs are allowed on this stage only (allowLoopbackReplies=true); a deployed stage refuses them.',
    '',
    'Send a signed Teams @mention (outgoing-webhook security token for this session below):',
    `  TEAMS_SECURITY_TOKEN=${offline.teamsSecurityToken} npx tsx scripts/teams-message.ts --url ${offline.httpUrl}/teams/messages plan`,
    offline.teamsWorkflowUrl === undefined
      ? '  Teams digests go to TEAMS_WORKFLOW_URL: restart with it set to a local listener (e.g. http://127.0.0.1:9999/) to see them.'
      : `  Teams digests go to ${new URL(offline.teamsWorkflowUrl).host} (TEAMS_WORKFLOW_URL).`,
    '',
    'Apply instead of planning: restart with --param apply=true (the policy must also say mode: apply).',
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  // The pinned AWS SDK supports Node 20; its notice about future releases is not for this tool.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const args = readArgs();
  const params = Object.fromEntries(args.param.map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
  process.stderr.write('starting the local stack and serverless offline (bundling takes a moment)…\n');
  const offline = await startOffline({
    httpPort: args['http-port'],
    lambdaPort: args['lambda-port'],
    stage: args.stage,
    params,
    // A fixed secret survives restarts (and lets tests sign requests); otherwise one per session.
    ...(process.env.SLACK_SIGNING_SECRET ? { slackSigningSecret: process.env.SLACK_SIGNING_SECRET } : {}),
    ...(process.env.WEBHOOK_HMAC_SECRET ? { webhookHmacSecret: process.env.WEBHOOK_HMAC_SECRET } : {}),
    ...(process.env.TEAMS_SECURITY_TOKEN ? { teamsSecurityToken: process.env.TEAMS_SECURITY_TOKEN } : {}),
    ...(process.env.TEAMS_WORKFLOW_URL ? { teamsWorkflowUrl: process.env.TEAMS_WORKFLOW_URL } : {}),
    ...(args.timeout === undefined ? {} : { timeoutSeconds: args.timeout }),
  });
  let stopping: Promise<void> | undefined;
  const stop = (code: number): void => {
    stopping ??= offline.stop().finally(() => process.exit(code));
  };
  // Last resort if this process dies abruptly: serverless offline runs in its own process group.
  process.on('exit', () => {
    if (offline.pid !== undefined && stopping === undefined) {
      try {
        process.kill(-offline.pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
    }
  });
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  process.on('SIGHUP', () => stop(0));
  // serverless offline going away on its own (crash, --timeout) takes the stack with it.
  void offline.exited.then((code) => {
    if (stopping === undefined) process.stderr.write(`serverless offline exited (${code}); stopping the local stack\n`);
    stop(code === 0 ? 0 : 1);
  });

  process.stdout.write(instructions(offline));
  const ready = {
    pid: process.pid,
    serverlessPid: offline.pid,
    stage: offline.stage,
    httpUrl: offline.httpUrl,
    lambdaUrl: offline.lambdaUrl,
    simulatorUrl: offline.stack.simulator.url,
    dynamoEndpoint: offline.stack.dynamo.endpoint,
    secretsEndpoint: offline.secrets.endpoint,
  };
  process.stdout.write(`offline ready ${JSON.stringify(ready)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`npm run offline failed: ${errorMessage(error)}\n`);
  process.exit(1);
});
