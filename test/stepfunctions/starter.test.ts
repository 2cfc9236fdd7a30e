/**
 * The starter names each execution after its trigger: a duplicated EventBridge delivery is answered
 * as a duplicate (ExecutionAlreadyExists, or the running execution handed back), never a second run.
 */
import { ExecutionAlreadyExists, StartExecutionCommand, type StartExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { executionName, starterCore, type StarterDeps } from '../../functions/starter.js';
import { parseTenants } from '../../lib/tenants/load.js';
import { silenceLogs } from '../helpers/silence-logs.js';

silenceLogs();

const T0 = new Date('2026-12-01T06:00:00Z');
const tenants = parseTenants(
  'version: 1\ntenants:\n  - { name: acme, secretId: janitor/acme }\n  - { name: beta, secretId: janitor/beta }\n',
  'tenants.yaml',
);
const event = { id: 'ev-1', 'detail-type': 'Scheduled Event', source: 'aws.events', time: T0.toISOString() };

/** A Step Functions double with the real service's naming rule: one execution per name. */
function fakeSfn() {
  const executions = new Map<string, { input: string; startDate: Date }>();
  const calls: StartExecutionCommand[] = [];
  const send = (command: unknown): Promise<StartExecutionCommandOutput> => {
    if (!(command instanceof StartExecutionCommand)) return Promise.reject(new Error('unexpected command'));
    calls.push(command);
    const { name = '', input = '' } = command.input;
    const existing = executions.get(name);
    if (existing !== undefined)
      return Promise.reject(new ExecutionAlreadyExists({ message: `Execution Already Exists: '${name}'`, $metadata: {} }));
    executions.set(name, { input, startDate: T0 });
    return Promise.resolve({
      executionArn: `arn:aws:states:eu-central-1:123456789012:execution:janitor:${name}`,
      startDate: T0,
      $metadata: {},
    });
  };
  return { sfn: { send } as unknown as StarterDeps['sfn'], calls, executions };
}

const env = { JANITOR_STATE_MACHINE_ARN: 'arn:aws:states:eu-central-1:123456789012:stateMachine:janitor', JANITOR_APPLY: 'true' };
const Input = z.strictObject({
  runId: z.string(),
  trigger: z.string(),
  consent: z.boolean(),
  startedAt: z.string(),
  requirePlanHash: z.null(),
  tenants: z.array(z.object({ name: z.string(), secretId: z.string() })),
});

describe('starter', () => {
  it('starts one execution named after the trigger, with tenant names and secret ids only', async () => {
    const { sfn, calls } = fakeSfn();
    const result = await starterCore({ sfn, tenants: () => Promise.resolve(tenants), env, clock: () => T0 })(event);
    expect(result).toMatchObject({ status: 'started', executionName: 'schedule-ev-1' });
    const input = Input.parse(JSON.parse(calls[0]?.input.input ?? ''));
    expect(input).toEqual({
      runId: 'schedule-ev-1',
      consent: true,
      startedAt: T0.toISOString(),
      requirePlanHash: null,
      trigger: 'schedule',
      tenants: [
        { name: 'acme', secretId: 'janitor/acme' },
        { name: 'beta', secretId: 'janitor/beta' },
      ],
    });
  });

  it('answers a duplicate delivery (ExecutionAlreadyExists) as a duplicate', async () => {
    const { sfn, executions } = fakeSfn();
    const start = starterCore({ sfn, tenants: () => Promise.resolve(tenants), env, clock: () => T0 });
    await start(event);
    expect(await start(event)).toEqual({ status: 'duplicate', executionName: 'schedule-ev-1', executionArn: undefined });
    expect(executions.size).toBe(1);
  });

  it('answers as a duplicate when the service hands back an execution that started earlier (same name, same input, still running)', async () => {
    const send = (): Promise<StartExecutionCommandOutput> => Promise.resolve({ executionArn: 'arn:x', startDate: T0, $metadata: {} });
    const result = await starterCore({
      sfn: { send } as unknown as StarterDeps['sfn'],
      tenants: () => Promise.resolve(tenants),
      env,
      clock: () => new Date(T0.getTime() + 60_000),
    })(event);
    expect(result.status).toBe('duplicate');
  });

  it('rethrows any other error (Lambda retries the event)', async () => {
    const send = (): Promise<never> => Promise.reject(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    await expect(
      starterCore({ sfn: { send } as unknown as StarterDeps['sfn'], tenants: () => Promise.resolve(tenants), env, clock: () => T0 })(event),
    ).rejects.toThrow('throttled');
  });

  it('does nothing when disabled', async () => {
    const { sfn, calls } = fakeSfn();
    expect(
      await starterCore({ sfn, tenants: () => Promise.resolve(tenants), env: { ...env, JANITOR_DISABLED: 'true' }, clock: () => T0 })(
        event,
      ),
    ).toEqual({ status: 'disabled' });
    expect(calls).toHaveLength(0);
  });

  it('derives valid, distinct names from any trigger id', () => {
    expect(executionName('schedule-ev-1')).toBe('schedule-ev-1');
    const long = executionName(`schedule-${'x'.repeat(100)}`);
    expect(long).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
    expect(executionName('a:b')).not.toBe(executionName('a-b'));
    expect(executionName('a:b')).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });
});
