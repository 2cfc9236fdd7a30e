/**
 * The failure modes of a scheduled janitor — duplicate delivery, overlapping runs, a run killed
 * mid-way, an item deleted by someone else — made harmless by the ledger, the trigger record and
 * the run lock (dynalite + simulator). Each scenario also runs with its guard switched off and must
 * then break, so none of these tests can pass vacuously.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AiCoreClient, type UpdateRequest, type UpdateResult } from '../../lib/aicore/client.js';
import type { ResourceType } from '../../lib/lifecycle.js';
import { parsePolicy, type Policy } from '../../lib/policy/index.js';
import { runGuarded, type GuardedResult } from '../../lib/run/guarded-run.js';
import { createStore } from '../../lib/store/factory.js';
import type { JanitorStore } from '../../lib/store/store.js';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.js';
import type { SimulatorOptions } from '../../infra/local/simulator/index.js';
import { execution, fleetOf, many } from '../helpers/fleet.js';
import { withGuardsOff, type GuardsOff } from '../helpers/guard-switch.js';

const POLICY = `
version: 1
mode: apply
caps: { maxActionsPerRun: 1000, maxActionsPerGroup: 1000, maxActionsPerDay: 5000 }
rules:
  - id: finished
    resource: executions
    match: { status: [COMPLETED] }
    action: delete
  - id: stale
    resource: executions
    match: { status: [RUNNING] }
    action: stop
`;

function policy(): Policy {
  const parsed = parsePolicy(POLICY, 'test-policy.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.policy;
}

const MINUTE = 60_000;

/**
 * One clock for AI Core and the janitor, moved by the tests: runs happen "a minute later" or "an
 * hour later" without waiting.
 */
const clock = {
  ms: Date.now(),
  now: (): number => clock.ms,
  date: (): Date => new Date(clock.ms),
  advance: (ms: number): void => {
    clock.ms += ms;
  },
};

/**
 * A busy AI Core: it answers 202 at once but acts on a request only 10 minutes later, and stopped or
 * deleted items stay visible for an hour. A run soon after another sees the items untouched and
 * plans them again: only the ledger keeps them from being sent twice.
 */
const BUSY_AI_CORE: SimulatorOptions = { acceptDelayMs: 10 * MINUTE, stopDelayMs: 60 * MINUTE, deleteDelayMs: 60 * MINUTE };

let stack: LocalStack;
let realStore: JanitorStore;
let run = 0;

async function start(fleet: SimulatorOptions['fleet'], options: SimulatorOptions = BUSY_AI_CORE) {
  clock.ms = Date.now();
  stack = await startLocalStack({ simulator: { ...options, fleet, now: clock.now } });
  realStore = createStore({ table: stack.table, region: 'us-east-1', endpoint: stack.dynamo.endpoint });
}

afterEach(async () => {
  await stack.stop();
});

function janitor(options: { store?: JanitorStore; triggerId?: string; client?: AiCoreClient; confirmAttempts?: number } = {}): Promise<GuardedResult> {
  run += 1;
  return runGuarded(
    {
      client: options.client ?? new AiCoreClient(stack.simulator.serviceKey),
      store: options.store ?? realStore,
      policy: policy(),
      trigger: 'test',
      consent: true,
      runId: `run-${run}`,
      confirm: { attempts: options.confirmAttempts ?? 1, delayMs: 0 },
      clock: clock.date,
    },
    { triggerId: options.triggerId ?? `trigger-${run}`, leaseUntil: new Date(clock.ms + MINUTE) },
  );
}

/** Every id sent in any PATCH or DELETE, with repeats. */
function submittedIds(): string[] {
  return stack.simulator.requests.entries.flatMap((e) => {
    if (e.method === 'DELETE' || (e.method === 'PATCH' && e.route.endsWith('{id}'))) return [e.url.split('/').pop() ?? ''];
    if (e.method !== 'PATCH' || typeof e.body !== 'object' || e.body === null) return [];
    const items: unknown = Object.values(e.body)[0];
    return Array.isArray(items) ? items.map((i: { id?: string }) => i.id ?? '') : [];
  });
}

const duplicates = (ids: string[]) => ids.filter((id, i) => ids.indexOf(id) !== i);

describe('same EventBridge event delivered twice', () => {
  async function scenario(off: GuardsOff) {
    await start(fleetOf({ g1: { executions: many(30, 'done', (id) => execution(id, 'COMPLETED')) } }));
    const store = withGuardsOff(realStore, off);
    const first = await janitor({ store, triggerId: 'evt-1' });
    const second = await janitor({ store, triggerId: 'evt-1' });
    return { first, second, ids: submittedIds() };
  }

  it('runs once: the duplicate gets the first run’s summary and nothing is sent again', async () => {
    const { first, second, ids } = await scenario({});
    expect(first.status).toBe('done');
    expect(second).toMatchObject({ status: 'duplicate', first: { runId: 'run-1', state: 'done' } });
    expect(ids).toHaveLength(30);
    expect(duplicates(ids)).toEqual([]);
  });

  it('(guard off) without the trigger record and ledger, the duplicate submits everything again', async () => {
    const { second, ids } = await scenario({ trigger: true, ledger: true });
    expect(second.status).toBe('done');
    expect(duplicates(ids)).toHaveLength(30);
  });
});

describe('two overlapping runs', () => {
  async function scenario(off: GuardsOff) {
    await start(fleetOf({ g1: { executions: many(20, 'done', (id) => execution(id, 'COMPLETED')) } }));
    const store = withGuardsOff(realStore, off);
    const results = await Promise.all([janitor({ store }), janitor({ store })]);
    return results.map((r) => r.status).sort();
  }

  it('only one acts; the other is skipped because the lock is held', async () => {
    expect(await scenario({})).toEqual(['done', 'locked']);
  });

  it('(guard off) without the lock both act', async () => {
    expect(await scenario({ lock: true })).toEqual(['done', 'done']);
  });
});

/** A client that dies (like a Lambda hitting its timeout) when it is asked to update `group`. */
class CrashingClient extends AiCoreClient {
  constructor(
    key: ConstructorParameters<typeof AiCoreClient>[0],
    private readonly crashGroup: string,
  ) {
    super(key);
  }

  override update(group: string, type: ResourceType, requests: readonly UpdateRequest[], bulk: boolean): Promise<UpdateResult[]> {
    if (group === this.crashGroup) return Promise.reject(new Error('simulated crash: the function timed out'));
    return super.update(group, type, requests, bulk);
  }
}

describe('a run killed mid-way, then run again', () => {
  async function scenario(off: GuardsOff) {
    await start(
      fleetOf({
        g1: { executions: [...many(120, 'done', (id) => execution(id, 'COMPLETED')), ...many(3, 'runs', (id) => execution(id, 'RUNNING'))] },
        g2: { executions: many(40, 'late', (id) => execution(id, 'COMPLETED')) },
      }),
    );
    const store = withGuardsOff(realStore, off);
    // g1 is submitted in full; the crash hits before g2's request leaves, so its entries stay `submitting`.
    await expect(janitor({ store, client: new CrashingClient(stack.simulator.serviceKey, 'g2') })).rejects.toThrow(/simulated crash/);
    // A retry a minute later: AI Core has not acted yet, so everything is planned again.
    clock.advance(MINUTE);
    const retry = await janitor({ store });
    // The next scheduled runs: g2's stale `submitting` entries are resent once, then everything shows.
    clock.advance(60 * MINUTE);
    await janitor({ store });
    clock.advance(60 * MINUTE);
    const last = await janitor({ store });
    return { retry, last, ids: submittedIds() };
  }

  it('submits no item twice, and every item ends confirmed', async () => {
    const { retry, last, ids } = await scenario({});
    if (retry.status !== 'done' || last.status !== 'done') throw new Error('expected runs');
    expect(retry.report.outcomes.every((o) => o.state === 'already-submitted')).toBe(true);
    expect(duplicates(ids)).toEqual([]);
    expect(ids).toHaveLength(163);
    for (const group of ['g1', 'g2']) expect(await realStore.openEntries(group)).toEqual([]);
    const ledger = await Promise.all(
      [...many(120, 'done', (id) => id), ...many(40, 'late', (id) => id)].map((id) =>
        realStore.getEntry({ group: id.startsWith('done') ? 'g1' : 'g2', type: 'executions', id, targetStatus: 'DELETED' }),
      ),
    );
    expect(ledger.every((e) => e?.state === 'confirmed')).toBe(true);
  });

  it('(guard off) without the ledger the retry submits g1 again', async () => {
    const { ids } = await scenario({ ledger: true });
    expect(duplicates(ids).length).toBeGreaterThanOrEqual(120);
  });
});

describe('a DELETE for an item that is already gone', () => {
  it('ends confirmed, not failed', async () => {
    await start(fleetOf({ g1: { executions: [execution('done-keep1', 'COMPLETED'), execution('done-gone1', 'COMPLETED')] } }), {});
    // Someone else deletes done-gone1 after our listing but before our bulk PATCH.
    class RacingClient extends AiCoreClient {
      override async update(group: string, type: ResourceType, requests: readonly UpdateRequest[], bulk: boolean): Promise<UpdateResult[]> {
        await new AiCoreClient(stack.simulator.serviceKey).update(group, type, [{ id: 'done-gone1', status: 'COMPLETED', action: 'delete' }], false);
        return super.update(group, type, requests, bulk);
      }
    }
    const result = await janitor({ client: new RacingClient(stack.simulator.serviceKey) });
    if (result.status !== 'done') throw new Error('expected a run');
    expect(result.report.outcomes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'done-gone1', state: 'confirmed', message: 'already gone' }),
        expect.objectContaining({ id: 'done-keep1', state: 'confirmed' }),
      ]),
    );
    expect((await realStore.getEntry({ group: 'g1', type: 'executions', id: 'done-gone1', targetStatus: 'DELETED' }))?.state).toBe('confirmed');
    // The bulk PATCH really did name the vanished item: the "not found" path was taken.
    expect(submittedIds().filter((id) => id === 'done-gone1')).toHaveLength(2);
  });
});

describe('confirmation in the next run', () => {
  it('confirms what an earlier run submitted but could not confirm, from the next listing', async () => {
    await start(fleetOf({ g1: { executions: many(2, 'runs', (id) => execution(id, 'RUNNING')) } }));
    const first = await janitor({ confirmAttempts: 0 }); // e.g. the Lambda ran out of time before re-listing
    if (first.status !== 'done') throw new Error('expected a run');
    expect(first.report.outcomes.map((o) => o.state)).toEqual(['submitted', 'submitted']);
    const keys = first.report.plan.groups.flatMap((g) => g.actions);
    for (const key of keys) expect((await realStore.getEntry(key))?.state).toBe('submitted');

    // Next run, after AI Core acted: the items show STOPPING, so no rule plans them; the entries still close.
    clock.advance(11 * MINUTE);
    const second = await janitor();
    if (second.status !== 'done') throw new Error('expected a run');
    expect(second.report.plan.totals.stop).toBe(0);
    for (const key of keys) expect((await realStore.getEntry(key))?.state).toBe('confirmed');
    expect(duplicates(submittedIds())).toEqual([]);
  });
});
