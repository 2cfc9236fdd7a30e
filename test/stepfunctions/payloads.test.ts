/**
 * States pass keys and counts, never plans: every Task's input and output, and the execution's
 * output, stay far below Step Functions' 256 KB limit while the plans they name (staged in the
 * table) are far larger. And a Summary that fails for good ends the execution as SummaryFailed.
 */
import './polyfill.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execution, fleetOf, many } from '../helpers/fleet.js';
import { silenceLogs } from '../helpers/silence-logs.js';
import { startEstate, type Estate } from './estate.js';
import { runLocally } from './local-machine.js';

silenceLogs();

const STATE_LIMIT = 256 * 1024;
/** "Far below": a thirtieth of the limit, whatever the size of a group. */
const BUDGET = 8 * 1024;

let estate: Estate;
const runId = 'sched-payloads';
const largest = new Map<string, number>();
let output = '';

const input = (tenants: Estate['tenants']) => ({
  runId,
  trigger: 'schedule',
  consent: true,
  startedAt: new Date().toISOString(),
  requirePlanHash: null,
  tenants: tenants.tenants.map((t) => ({ name: t.name, secretId: t.secretId })),
});

beforeAll(async () => {
  estate = await startEstate([
    {
      name: 'big',
      fleet: fleetOf({
        // Over the group cap (1,000): planned in full, aborted, nothing sent.
        huge: { executions: many(3000, 'old', (id) => execution(id, 'COMPLETED')) },
        a: { executions: many(400, 'a', (id) => execution(id, 'COMPLETED')) },
        b: { executions: many(400, 'b', (id) => execution(id, 'RUNNING')) },
      }),
    },
    { name: 'small', fleet: fleetOf({ a: { executions: many(3, 'a', (id) => execution(id, 'COMPLETED')) } }) },
  ]);
  const size = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');
  output = JSON.stringify(
    await runLocally(estate.deps, input(estate.tenants), {
      onTask: (task, taskInput, taskOutput) => largest.set(task, Math.max(largest.get(task) ?? 0, size(taskInput), size(taskOutput))),
    }),
  );
}, 120_000);

afterAll(async () => {
  await estate?.stop();
});

describe('state payloads', () => {
  it('every Task input and output, and the execution output, stay under 8 KB (the limit is 256 KB)', () => {
    expect([...largest.keys()].sort()).toEqual(['ApplyGroup', 'Digest', 'ListGroups', 'PlanGroup', 'Summary', 'Verdict']);
    for (const [task, bytes] of largest) expect(bytes, task).toBeLessThan(BUDGET);
    expect(Buffer.byteLength(output, 'utf8')).toBeLessThan(BUDGET);
  });

  it('while the plan they name is staged in the table, larger than a state could hold', async () => {
    const plan = await estate.storeOf('big').getStaged(runId, 'plan:huge');
    expect(Buffer.byteLength(plan ?? '', 'utf8')).toBeGreaterThan(STATE_LIMIT);
    expect(output).toMatch(/big: plan [0-9a-f]{12}, applied; 3800 planned, 800 sent, 800 confirmed/);
  });
});

describe('the Summary step', () => {
  it('failing for good ends the execution as SummaryFailed (no heartbeat), after every tenant ran', async () => {
    const run = runLocally(
      estate.deps,
      { ...input(estate.tenants), runId: 'sched-summary-fails', consent: false },
      { handlers: { Summary: () => Promise.reject(new Error('summary unavailable')) } },
    );
    // The Fail state's Cause: the Catch led there, rather than the Task error ending the execution.
    await expect(run).rejects.toThrow(/The Summary step failed after its retries/);
    expect((await estate.storeOf('small').recentRuns(5)).map((r) => r.runId)).toContain('sched-summary-fails');
  });
});
