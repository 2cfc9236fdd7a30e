/**
 * The chat worker on the schedule's engine. With engine=step-functions a chat plan and its approved
 * apply run through the deployed definition (aws-local-stepfunctions, the real step handlers) for
 * the worker's tenant alone, and the digest of that execution reaches the chat; the Step Functions
 * client is a double whose StartExecution runs the real ASL locally. With engine=lambda nothing
 * changes: the run is in-process and no Step Functions client is called.
 */
import './polyfill.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeExecutionCommand, ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { chatDepsFromEnv, executeChatJob, type ChatDeps } from '../../functions/adapters/chat-command.js';
import { readEnv } from '../../functions/adapters/config.js';
import { executionArnOf, executionName, type SfnClient } from '../../functions/adapters/state-machine.js';
import { parseServiceKey } from '../../lib/aicore/credentials.js';
import type { ServiceKey } from '../../lib/aicore/wire.js';
import type { SlackMessage } from '../../lib/chatops/blocks.js';
import { ChatJob } from '../../lib/chatops/job.js';
import { requireStaged, STAGED } from '../../lib/run/tenant/staged.js';
import { StagedReport } from '../../lib/run/tenant/staged-report.js';
import { execution, fleetOf, many } from '../helpers/fleet.js';
import { silenceLogs } from '../helpers/silence-logs.js';
import { POLICY, startEstate, type Estate } from './estate.js';
import { runLocally } from './local-machine.js';

silenceLogs();

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:aicore-janitor-test';

const ExecutionInput = z.strictObject({
  runId: z.string(),
  trigger: z.string(),
  consent: z.boolean(),
  startedAt: z.string(),
  requirePlanHash: z.string().nullable(),
  tenants: z.array(z.strictObject({ name: z.string(), secretId: z.string() })),
});

/** Step Functions with its naming rule; each started execution runs the real ASL locally. */
function localStepFunctions(estate: Estate) {
  const executions = new Map<string, { status: 'RUNNING' | 'SUCCEEDED' | 'FAILED'; output?: string; error?: string }>();
  const started: Array<{ name: string; input: z.infer<typeof ExecutionInput> }> = [];
  let describes = 0;
  const send = async (command: unknown): Promise<unknown> => {
    if (command instanceof StartExecutionCommand) {
      const { name = '', input = '', stateMachineArn = '' } = command.input;
      if (executions.has(name)) throw new ExecutionAlreadyExists({ message: `Execution Already Exists: '${name}'`, $metadata: {} });
      const parsed = ExecutionInput.parse(JSON.parse(input));
      started.push({ name, input: parsed });
      const record: { status: 'RUNNING' | 'SUCCEEDED' | 'FAILED'; output?: string; error?: string } = { status: 'RUNNING' };
      executions.set(name, record);
      runLocally(estate.deps, parsed).then(
        (output) => Object.assign(record, { status: 'SUCCEEDED', output: JSON.stringify(output) }),
        (error: unknown) => Object.assign(record, { status: 'FAILED', error: String(error) }),
      );
      return { executionArn: executionArnOf(stateMachineArn, name), startDate: new Date(), $metadata: {} };
    }
    if (command instanceof DescribeExecutionCommand) {
      describes += 1;
      const name = (command.input.executionArn ?? '').split(':').at(-1) ?? '';
      const record = executions.get(name);
      if (record === undefined) throw new Error(`no execution ${name}`);
      return { ...record, $metadata: {} };
    }
    throw new Error('unexpected Step Functions command');
  };
  return { sfn: { send } as unknown as SfnClient, started, describes: () => describes };
}

const refusingSfn = { send: () => Promise.reject(new Error('engine=lambda must not call Step Functions')) } as unknown as SfnClient;

let estate: Estate;
let tmp: string;
let acmeKey: ServiceKey;

beforeAll(async () => {
  estate = await startEstate([
    { name: 'acme', fleet: fleetOf({ g1: { executions: many(3, 'done', (id) => execution(id, 'COMPLETED')) } }) },
    { name: 'beta', fleet: fleetOf({ g1: { executions: many(2, 'done', (id) => execution(id, 'COMPLETED')) } }) },
  ]);
  tmp = mkdtempSync(join(tmpdir(), 'janitor-chat-engine-'));
  writeFileSync(join(tmp, 'policy.yaml'), POLICY);
  writeFileSync(
    join(tmp, 'tenants.json'),
    JSON.stringify({ version: 1, tenants: estate.tenants.tenants.map((t) => ({ name: t.name, secretId: t.secretId })) }),
  );
  acmeKey = parseServiceKey(JSON.stringify(estate.simulators.get('acme')?.serviceKey), 'acme');
}, 60_000);

afterAll(async () => {
  await estate?.stop();
  if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
});

/** The worker's environment: acme's secret, the estate's table, the policy and tenants files, the engine. */
function workerEnv(engine: 'lambda' | 'step-functions') {
  return readEnv({
    JANITOR_TABLE: estate.location.table,
    DYNAMODB_ENDPOINT: estate.location.endpoint,
    AWS_REGION: estate.location.region,
    JANITOR_POLICY_FILE: join(tmp, 'policy.yaml'),
    AICORE_SECRET_ID: 'janitor/acme',
    JANITOR_ENGINE: engine,
    // serverless.yml writes '' with engine=lambda.
    JANITOR_STATE_MACHINE_ARN: engine === 'lambda' ? '' : STATE_MACHINE_ARN,
    JANITOR_TENANTS_FILE: join(tmp, 'tenants.json'),
  });
}

function chatDeps(engine: 'lambda' | 'step-functions', sfn: SfnClient): { deps: ChatDeps; posted: SlackMessage[] } {
  const posted: SlackMessage[] = [];
  const wired = chatDepsFromEnv(workerEnv(engine), acmeKey, () => 600_000, { sfn });
  const post: ChatDeps['post'] = (_url, payload) => {
    posted.push(payload as SlackMessage);
    return Promise.resolve(true);
  };
  return { deps: { ...wired, post }, posted };
}

function job(text: { name: 'plan' } | { name: 'apply'; hash: string }, user: string, triggerId: string): ChatJob {
  return ChatJob.parse({
    version: 1,
    source: 'slack-command',
    command: text,
    user: { id: user },
    responseUrl: 'https://hooks.slack.com/commands/T1/1/x',
    triggerId,
    receivedAt: new Date().toISOString(),
  });
}

const updates = (tenant: string): number => {
  const sim = estate.simulators.get(tenant);
  return (sim?.requests.count('PATCH /v2/lm/executions') ?? 0) + (sim?.requests.count('DELETE /v2/lm/executions/{id}') ?? 0);
};

describe('chat on engine=lambda', () => {
  it('plans in-process, as before: no Step Functions call, one digest with the plan hash', async () => {
    const { deps, posted } = chatDeps('lambda', refusingSfn);
    const outcome = await executeChatJob(job({ name: 'plan' }, 'U0ALICE', 'slack:lambda-1'), deps);
    expect(outcome).toMatchObject({ status: 'answered', command: 'plan', posted: true });
    expect(posted).toHaveLength(1);
    expect(JSON.stringify(posted[0])).toMatch(/apply [0-9a-f]{64}/);
    expect(updates('acme')).toBe(0);
  });
});

describe('chat on engine=step-functions', () => {
  const machine = () => localStepFunctions(estate);
  let sfn: ReturnType<typeof machine>;
  let planHash = '';

  beforeAll(() => {
    sfn = machine();
  });

  it("plans through the state machine, for the worker's tenant only, and posts that execution's digest", async () => {
    const { deps, posted } = chatDeps('step-functions', sfn.sfn);
    const outcome = await executeChatJob(job({ name: 'plan' }, 'U0ALICE', 'slack:sf-plan'), deps);
    expect(outcome).toMatchObject({ status: 'answered', command: 'plan', posted: true });

    expect(sfn.started).toHaveLength(1);
    const [start] = sfn.started;
    expect(start?.name).toBe(executionName('chat-slack:sf-plan#run'));
    expect(start?.input).toMatchObject({
      trigger: 'slack:U0ALICE',
      consent: false,
      requirePlanHash: null,
      tenants: [{ name: 'acme', secretId: 'janitor/acme' }],
    });
    expect(sfn.describes()).toBeGreaterThan(0);

    // The digest is the execution's own report: same run id, same plan hash, recorded for approval.
    const report = await requireStaged(estate.storeOf('acme'), start?.name ?? '', STAGED.report, StagedReport);
    planHash = report.plan.hash;
    expect(report.plan.groups.flatMap((g) => g.actions.map((a) => a.id)).sort()).toEqual(many(3, 'done', (id) => id));
    expect(posted).toHaveLength(1);
    expect(JSON.stringify(posted[0])).toContain(`apply ${planHash}`);
    const [recorded] = await estate.storeOf('acme').findPlans(planHash, 2);
    expect(recorded).toMatchObject({ hash: planHash, requester: 'U0ALICE', runId: start?.name });
    expect(updates('acme')).toBe(0);
    expect(estate.simulators.get('beta')?.requests.entries).toEqual([]);
  });

  it('applies an approved plan through the state machine with that hash required, and posts what it did', async () => {
    const { deps, posted } = chatDeps('step-functions', sfn.sfn);
    const outcome = await executeChatJob(job({ name: 'apply', hash: planHash.slice(0, 12) }, 'U0BOB', 'slack:sf-apply'), deps);
    expect(outcome).toMatchObject({ status: 'answered', command: 'apply', posted: true });

    const start = sfn.started.at(-1);
    expect(start?.input).toMatchObject({ consent: true, requirePlanHash: planHash, tenants: [{ name: 'acme' }] });
    const report = await requireStaged(estate.storeOf('acme'), start?.name ?? '', STAGED.report, StagedReport);
    expect(report).toMatchObject({ dryRun: false, notApplied: null, totals: { planned: 3, sent: 3, confirmed: 3 } });
    expect(JSON.stringify(posted[0])).toContain('3 confirmed');
    expect(updates('acme')).toBeGreaterThan(0);
    // Nothing crossed to the other tenant of the table.
    expect(updates('beta')).toBe(0);
    expect(await estate.storeOf('beta').ledger()).toEqual([]);
  });

  it('a worker retried after it died finds the execution it started (ExecutionAlreadyExists), and answers from it', async () => {
    const { deps } = chatDeps('step-functions', sfn.sfn);
    const before = sfn.started.length;
    const result = await deps.run({ trigger: 'slack:U0ALICE', triggerId: 'slack:sf-plan#run', consent: false });
    expect(sfn.started).toHaveLength(before);
    expect(result).toMatchObject({ status: 'done', report: { plan: { hash: planHash } } });
  });

  it('answers an execution that outlasts the worker as still running, naming it, instead of waiting into the timeout', async () => {
    let describes = 0;
    const running = {
      send: (command: unknown) => {
        if (command instanceof StartExecutionCommand) return Promise.resolve({ executionArn: `${STATE_MACHINE_ARN}:long` });
        describes += 1;
        return Promise.resolve({ status: 'RUNNING' });
      },
    } as unknown as SfnClient;
    const wired = chatDepsFromEnv(workerEnv('step-functions'), acmeKey, () => 20_000, { sfn: running });
    await expect(wired.run({ trigger: 'slack:U0ALICE', triggerId: 'slack:sf-long#run', consent: false })).rejects.toThrow(
      /is still running; its digest will be in `status` once it ends/,
    );
    expect(describes).toBe(1);
  });

  it('answers a failed execution in chat as a failure, never as a digest', async () => {
    const failing = {
      send: (command: unknown) =>
        command instanceof StartExecutionCommand
          ? Promise.resolve({ executionArn: 'arn:x' })
          : Promise.resolve({ status: 'FAILED', error: 'States.Runtime', cause: 'boom' }),
    } as unknown as SfnClient;
    const { deps, posted } = chatDeps('step-functions', failing);
    const outcome = await executeChatJob(job({ name: 'plan' }, 'U0ALICE', 'slack:sf-failed'), deps);
    expect(outcome).toMatchObject({ status: 'failed', command: 'plan' });
    expect(JSON.stringify(posted[0])).toContain('ended FAILED: States.Runtime: boom');
  });
});
