import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { handler } from '../../functions/scheduled.js';
import { localContext, syntheticScheduledEvent } from '../../lib/cli/demo.js';
import { createStore } from '../../lib/store/factory.js';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.js';
import { demoFleet } from '../../infra/local/simulator/index.js';

let stack: LocalStack;
const savedEnv = { ...process.env };
const now = new Date();

beforeEach(async () => {
  stack = await startLocalStack({ simulator: { fleet: demoFleet(now) } });
  Object.assign(process.env, stack.env, { JANITOR_POLICY_FILE: 'examples/policy.yaml', LOG_LEVEL: 'silent' });
});
afterEach(async () => {
  await stack.stop();
  process.env = { ...savedEnv };
});

function invoke(context: Context = localContext(60_000)) {
  return handler(syntheticScheduledEvent(now), context);
}

describe('scheduled handler on the local stack', () => {
  it('plans in dry-run by default: stop and delete actions, nothing sent, no ledger entries', async () => {
    process.env.JANITOR_APPLY = 'false';
    const result = await invoke();
    if (result.status !== 'done') throw new Error('expected a run');
    const { report } = result;
    expect(report.dryRun).toBe(true);
    expect(report.notApplied).toContain('did not ask to apply');
    expect(report.plan.totals.stop).toBeGreaterThan(0);
    expect(report.plan.totals.delete).toBeGreaterThan(0);
    expect(stack.simulator.requests.entries.filter((e) => e.method === 'PATCH' || e.method === 'DELETE')).toEqual([]);

    const store = createStore({ table: stack.table, region: 'us-east-1', endpoint: stack.dynamo.endpoint });
    for (const group of report.plan.groups) expect(await store.openEntries(group.group)).toEqual([]);
    const first = report.plan.groups.flatMap((g) => g.actions)[0];
    if (first === undefined) throw new Error('expected an action');
    expect(await store.getEntry(first)).toBeUndefined();
  });

  it('applies with the schedule consent and confirms each action in the ledger', async () => {
    process.env.JANITOR_APPLY = 'true';
    const result = await invoke();
    if (result.status !== 'done') throw new Error('expected a run');
    const { report } = result;
    expect(report.dryRun).toBe(false);
    expect(report.outcomes.length).toBe(report.totals.planned);
    expect(report.outcomes.every((o) => o.state === 'confirmed')).toBe(true);

    const store = createStore({ table: stack.table, region: 'us-east-1', endpoint: stack.dynamo.endpoint });
    const action = report.plan.groups.flatMap((g) => g.actions)[0];
    if (action === undefined) throw new Error('expected an action');
    expect(await store.getEntry(action)).toMatchObject({ state: 'confirmed', runId: report.runId });
  });

  it('does nothing when the kill switch is set', async () => {
    process.env.JANITOR_DISABLED = 'true';
    process.env.JANITOR_APPLY = 'true';
    expect(await invoke()).toEqual({ status: 'disabled' });
    expect(stack.simulator.requests.entries).toEqual([]);
  });
});
