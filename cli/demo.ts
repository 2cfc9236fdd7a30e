/**
 * `demo`: the janitor as Lambda runs it, on this machine. It starts the local stack (AI Core
 * simulator with a demo fleet, dynalite), points the environment at it and invokes the *same*
 * scheduled handler that the deployed function runs, with a synthetic EventBridge event.
 */
import { fileURLToPath } from 'node:url';
import type { Context } from 'aws-lambda';
import { startLocalStack } from '../infra/local/stack.js';
import { demoFleet } from '../infra/local/simulator/index.js';
import { handler } from '../functions/scheduled.js';
import { renderReport } from '../lib/run/render.js';
import type { CliArgs } from './args.js';
import { exitCodeOf } from './run-command.js';
import type { CliIo } from './io.js';
import { jsonDocument } from './json-output.js';
import { Progress } from './progress.js';

/** The demo's own policy: examples/policy.yaml with `mode: apply`, for the simulator only. */
const DEMO_POLICY = fileURLToPath(new URL('../infra/local/simulator/demo-policy.yaml', import.meta.url));

/** What a dry demo says instead of the run's "the trigger did not ask to apply". */
const DEMO_NOTE =
  'This was a dry run: nothing was changed. `aicore-janitor demo --apply` (or `npm start -- --apply`) applies this plan to the simulator.';

function syntheticScheduledEvent(now: Date): Record<string, unknown> {
  return {
    version: '0',
    id: `demo-${now.getTime()}`,
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: '000000000000',
    time: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: 'us-east-1',
    resources: ['arn:aws:events:us-east-1:000000000000:rule/aicore-janitor-demo'],
    detail: {},
  };
}

function localContext(timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'aicore-janitor-local-scheduled',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:aicore-janitor-local-scheduled',
    memoryLimitInMB: '512',
    awsRequestId: `local-${deadline}`,
    logGroupName: '/aws/lambda/aicore-janitor-local-scheduled',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

async function demoCommand(args: CliArgs, io: CliIo): Promise<number> {
  const now = new Date();
  const progress = Progress.for(io, args.json);
  const stack = await startLocalStack({ simulator: { fleet: demoFleet(now) } });
  try {
    progress.note(`local stack: AI Core simulator ${stack.simulator.url}, DynamoDB (dynalite) ${stack.dynamo.endpoint}`);
    Object.assign(process.env, stack.env, {
      JANITOR_POLICY_FILE: args.policy ?? DEMO_POLICY,
      JANITOR_APPLY: String(args.apply),
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    });
    progress.note(
      `invoking the scheduled handler (${args.apply ? 'apply' : 'dry run'}) with policy ${process.env.JANITOR_POLICY_FILE ?? ''}\n`,
    );
    const result = await handler(syntheticScheduledEvent(now), localContext(5 * 60_000));
    if (result.status !== 'done') {
      const why = `the handler did not run: ${result.status === 'disabled' ? 'JANITOR_DISABLED is set' : result.status}`;
      io.out(args.json ? jsonDocument({ ran: false, reason: why }) : `The ${why}.`);
      return 0;
    }
    io.out(
      args.json
        ? JSON.stringify(result.report, null, 2)
        : renderReport(result.report, { all: args.all, color: io.color ?? false, dryRunNote: DEMO_NOTE }),
    );
    return exitCodeOf(result.report);
  } finally {
    await stack.stop();
  }
}

export { demoCommand, syntheticScheduledEvent, localContext };
