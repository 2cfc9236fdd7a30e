import type { Context } from 'aws-lambda';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { handler } from '../../functions/scheduled.js';
import { AiCoreClient } from '../../lib/aicore/client.js';
import { localContext, syntheticScheduledEvent } from '../../cli/demo.js';
import { createStore } from '../../lib/store/factory.js';
import { tenantNamespace } from '../../lib/aicore/tenant.js';
import { METRIC, metrics } from '../../functions/adapters/metrics.js';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.js';
import { demoFleet } from '../../infra/local/simulator/index.js';

let stack: LocalStack;
const savedEnv = { ...process.env };
const now = new Date();

beforeEach(async () => {
  stack = await startLocalStack({ simulator: { fleet: demoFleet(now) } });
  Object.assign(process.env, stack.env, { JANITOR_POLICY_FILE: 'infra/local/simulator/demo-policy.yaml', LOG_LEVEL: 'silent' });
});
afterEach(async () => {
  await stack.stop();
  process.env = { ...savedEnv };
});

function storeOf() {
  return createStore(
    { table: stack.table, region: 'us-east-1', endpoint: stack.dynamo.endpoint },
    tenantNamespace(stack.simulator.serviceKey),
  );
}

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

    expect(await storeOf().ledger()).toEqual([]);
  });

  it('applies with the schedule consent and confirms each action in the ledger', async () => {
    process.env.JANITOR_APPLY = 'true';
    const result = await invoke();
    if (result.status !== 'done') throw new Error('expected a run');
    const { report } = result;
    expect(report.dryRun).toBe(false);
    expect(report.outcomes.length).toBe(report.totals.planned);
    expect(report.outcomes.every((o) => o.state === 'confirmed')).toBe(true);

    const chunks = await storeOf().ledger();
    const items = chunks.flatMap((c) => c.items);
    expect(items).toHaveLength(report.totals.planned);
    expect(items.every((i) => i.state === 'confirmed')).toBe(true);
    expect(chunks.every((c) => c.runId === report.runId)).toBe(true);
    expect(report.complete).toBe(true);
  });

  it('records the heartbeat for a complete run, and none when a group could not be listed', async () => {
    const added = vi.spyOn(metrics, 'addMetric');
    try {
      expect((await invoke()).status).toBe('done');
      expect(added.mock.calls.filter(([name]) => name === METRIC.heartbeat)).toHaveLength(1);
      added.mockClear();
      // A group that exists but cannot be listed (a group the tenant lacks is invalid input instead).
      const listGroup = AiCoreClient.prototype.listGroup;
      vi.spyOn(AiCoreClient.prototype, 'listGroup').mockImplementation(async function (this: AiCoreClient, group) {
        const listed = await listGroup.call(this, group);
        return group.id === 'team-b'
          ? { ...listed, resources: [], listingError: 'list executions in resource group team-b failed with HTTP 500' }
          : listed;
      });
      const result = await handler({ ...syntheticScheduledEvent(now), id: 'second-event' }, localContext(60_000));
      if (result.status !== 'done') throw new Error('expected a run');
      expect(result.report.complete).toBe(false);
      expect(added.mock.calls.filter(([name]) => name === METRIC.heartbeat)).toEqual([]);
      expect(added.mock.calls).toContainEqual([METRIC.listingFailures, expect.anything(), 1]);
    } finally {
      vi.restoreAllMocks();
    }
  });

  it('names a configured group the tenant does not have before planning anything', async () => {
    process.env.JANITOR_GROUPS = 'missing-group';
    await expect(handler({ ...syntheticScheduledEvent(now), id: 'typo-event' }, localContext(60_000))).rejects.toThrow(
      /no resource group missing-group in this tenant \(its PROVISIONED groups: prod-serving, team-a, team-b\)/,
    );
  });

  it('does nothing when the kill switch is set', async () => {
    process.env.JANITOR_DISABLED = 'true';
    process.env.JANITOR_APPLY = 'true';
    expect(await invoke()).toEqual({ status: 'disabled' });
    expect(stack.simulator.requests.entries).toEqual([]);
  });
});
