/**
 * The apply path under the faults that used to make it send twice or lose track: answers lost
 * after AI Core acted, an unreadable 202, runs that outlive a lease period, a lease that is stolen,
 * a run killed at its timeout, a deadline reached mid-apply, a group that cannot be listed — and
 * what the ledger costs. Each guard also runs switched off, and the scenario must then break.
 */
import { describe, expect, it, vi } from 'vitest';
import { AiCoreClient, type UpdateRequest, type UpdateResult } from '../../lib/aicore/client.js';
import { Transport, type HttpRequest, type HttpResponse } from '../../lib/aicore/transport.js';
import type { AiCoreNetworkError } from '../../lib/aicore/errors.js';
import type { ResourceType } from '../../lib/lifecycle.js';
import type { GuardedResult } from '../../lib/run/guarded-run.js';
import { parsePolicy } from '../../lib/policy/index.js';
import type { JanitorStore } from '../../lib/store/ports.js';
import { deployment, execution, fleetOf, many } from '../helpers/fleet.js';
import { withGuardsOff, type GuardsOff } from '../helpers/guard-switch.js';
import { parseTestPolicy } from '../helpers/test-policies.js';
import { BUSY_AI_CORE, done, duplicates, janitorHarness, MINUTE } from '../helpers/janitor-harness.js';

const h = janitorHarness();
const SECOND = 1000;

/** The guard switched off at the transport: mutations retried like reads (the old behaviour). */
class RetriesMutations extends Transport {
  protected override retryable(request: HttpRequest, outcome: HttpResponse | AiCoreNetworkError): boolean {
    return super.retryable({ ...request, method: 'GET' }, outcome);
  }
}

const stops = (n: number) => fleetOf({ g1: { executions: many(n, 'runs', (id) => execution(id, 'RUNNING')) } });
const deletes = (n: number, group = 'g1') => fleetOf({ [group]: { executions: many(n, 'done', (id) => execution(id, 'COMPLETED')) } });

describe.each(['504', 'timeout', 'reset'] as const)('the answer to a bulk PATCH is lost after AI Core acted (%s)', (as) => {
  async function scenario(transport: Transport) {
    await h.start(stops(30), { faults: { routes: { 'PATCH /v2/lm/executions': { loseAnswer: { first: 1, as } } } } });
    const first = done(await h.janitor({ client: h.client(transport) }));
    h.clock.advance(MINUTE);
    const second = done(await h.janitor());
    return { first, second, ids: h.submittedIds() };
  }

  it('sends every item once, then confirms them from the listing instead of sending again', async () => {
    const { first, second, ids } = await scenario(new Transport({ baseDelayMs: 1, requestTimeoutMs: 300 }));
    expect(ids).toHaveLength(30);
    expect(duplicates(ids)).toEqual([]);
    expect(first.report.outcomes.map((o) => o.state)).toEqual(Array(30).fill('confirmed'));
    expect(second.report.totals.sent).toBe(0);
    expect([...(await h.ledgerItems('g1')).values()].every((i) => i.state === 'confirmed')).toBe(true);
  });

  it('(guard off) retrying the mutation sends it twice and records stops that took effect as failed', async () => {
    const { first, ids } = await scenario(new RetriesMutations({ baseDelayMs: 1, requestTimeoutMs: 300 }));
    expect(duplicates(ids)).toHaveLength(30);
    expect(first.report.totals.failed).toBe(30);
  });
});

describe.each(['504', 'reset', 'garbled'] as const)(
  'without bulk updates, the answer to a single DELETE is lost after AI Core acted (%s)',
  (as) => {
    async function scenario(transport: Transport) {
      await h.start(deletes(12), {
        bulkUpdates: { executions: false, deployments: false },
        faults: { routes: { 'DELETE /v2/lm/executions/{id}': { loseAnswer: { first: 3, as } } } },
      });
      const first = done(await h.janitor({ client: h.client(transport) }));
      h.clock.advance(MINUTE);
      await h.janitor();
      return { first, ids: h.submittedIds() };
    }

    it('sends each DELETE once, one request per item, and confirms all of them from the listing', async () => {
      const { first, ids } = await scenario(new Transport({ baseDelayMs: 1 }));
      expect(ids).toHaveLength(12);
      expect(duplicates(ids)).toEqual([]);
      expect(h.stack.simulator.requests.count('PATCH /v2/lm/executions')).toBe(0);
      expect(first.report.totals).toMatchObject({ planned: 12, sent: 12, confirmed: 12, failed: 0 });
    });

    // A garbled 2xx was never retried by the transport; the ledger test below covers it.
    if (as !== 'garbled') {
      it('(guard off) retrying the DELETE sends it twice', async () => {
        const { ids } = await scenario(new RetriesMutations({ baseDelayMs: 1 }));
        expect(duplicates(ids).length).toBeGreaterThanOrEqual(3);
      });
    }
  },
);

describe('a 202 whose body cannot be read', () => {
  async function scenario(off: GuardsOff) {
    await h.start(deletes(20), {
      ...BUSY_AI_CORE,
      faults: { routes: { 'PATCH /v2/lm/executions': { loseAnswer: { first: 1, as: 'garbled' } } } },
    });
    const store = withGuardsOff(h.store, off);
    const first = done(await h.janitor({ store }));
    // A minute later AI Core has not acted yet: the items look untouched and are planned again.
    h.clock.advance(MINUTE);
    const second = done(await h.janitor({ store }));
    h.clock.advance(10 * MINUTE);
    const third = done(await h.janitor({ store }));
    return { first, second, third, ids: h.submittedIds() };
  }

  it('is an unknown outcome, not a failure: nothing is sent again until the listing shows it', async () => {
    const { first, second, third, ids } = await scenario({});
    expect(first.report.outcomes.every((o) => o.state === 'awaiting-confirmation' && o.sent && /outcome unknown/.test(o.message))).toBe(
      true,
    );
    expect(first.report.totals.failed).toBe(0);
    expect(second.report.outcomes.every((o) => o.state === 'awaiting-confirmation' && !o.sent)).toBe(true);
    expect(third.report.totals.sent).toBe(0);
    expect(ids).toHaveLength(20);
    expect([...(await h.ledgerItems('g1')).values()].every((i) => i.state === 'confirmed')).toBe(true);
  });

  it('(guard off) without the ledger the next run sends everything again', async () => {
    const { ids } = await scenario({ ledger: true });
    expect(duplicates(ids).length).toBeGreaterThanOrEqual(20);
  });
});

/**
 * AI Core that handles one bulk request at a time and takes 40 s for each, on the moved clock;
 * `during(n)` runs just before the n-th request is sent.
 */
class SlowClient extends AiCoreClient {
  /** Shared with the gated views the run makes of this client (they see it through the prototype). */
  private readonly shared: { calls: number; queue: Promise<unknown> } = { calls: 0, queue: Promise.resolve() };
  constructor(
    key: ConstructorParameters<typeof AiCoreClient>[0],
    private readonly during: (call: number) => Promise<void> = () => Promise.resolve(),
  ) {
    super(key);
  }

  get calls(): number {
    return this.shared.calls;
  }

  override update(group: string, type: ResourceType, requests: readonly UpdateRequest[], bulk: boolean): Promise<UpdateResult[]> {
    const turn = this.shared.queue.then(async () => {
      this.shared.calls += 1;
      await this.during(this.shared.calls);
      const results = await super.update(group, type, requests, bulk);
      h.clock.advance(40 * SECOND);
      return results;
    });
    this.shared.queue = turn.catch(() => undefined);
    return turn;
  }
}

describe('a run that lasts longer than one lease period', () => {
  async function scenario(off: GuardsOff) {
    await h.start(deletes(1000), {});
    const store = withGuardsOff(h.store, off);
    let rival: GuardedResult | undefined;
    // The third request goes out 80 s in, past the first lease period: a rival run starts then.
    const client = new SlowClient(h.stack.simulator.serviceKey, async (call) => {
      if (call === 3) rival = await h.janitor({ store, runId: 'rival' });
    });
    // Without renewal the rival's ledger writes collide with the first run's: it may end with a conflict.
    const first = await h
      .janitor({ store, client, runId: 'long', deadline: new Date(h.clock.ms + 30 * MINUTE) })
      .catch((error: unknown) => error);
    return { first, rival, ids: h.submittedIds() };
  }

  it('keeps its lock by renewal: the rival is skipped and nothing is sent twice', async () => {
    const { first, rival, ids } = await scenario({});
    expect(rival).toMatchObject({ status: 'locked', message: expect.stringContaining('run long') });
    expect(duplicates(ids)).toEqual([]);
    expect(ids).toHaveLength(1000);
    expect(first).toMatchObject({ status: 'done', report: { totals: { confirmed: 1000 } } });
  });

  it('(guard off) without renewal the rival takes the lock and items are sent twice', async () => {
    const { rival, ids } = await scenario({ renewal: true });
    expect(rival?.status).toBe('done');
    expect(duplicates(ids).length).toBeGreaterThan(0);
  });
});

describe('a run whose lease is taken away', () => {
  async function scenario(off: GuardsOff) {
    await h.start(deletes(500), {});
    const store = withGuardsOff(h.store, off);
    const client = new SlowClient(h.stack.simulator.serviceKey, async (call) => {
      if (call !== 2) return;
      // An operator force-releases the lock and another run takes it (its lease runs long).
      await h.store.releaseLock('victim');
      await h.store.acquireLock('thief', new Date(h.clock.ms + 60 * MINUTE), h.clock.date());
    });
    const result = done(await h.janitor({ store, client, runId: 'victim' }));
    return { report: result.report, ids: h.submittedIds() };
  }

  it('stops sending once a renewal fails; what it did not send is not-attempted, never failed', async () => {
    const { report, ids } = await scenario({});
    expect(report.stopped).toMatch(/could not be renewed/);
    expect(ids.length).toBeLessThan(500);
    const notAttempted = report.outcomes.filter((o) => o.state === 'not-attempted');
    expect(notAttempted.length).toBe(500 - ids.length);
    expect(notAttempted.some((o) => ids.includes(o.id))).toBe(false);
    expect(report.totals.failed).toBe(0);
    // Released, not claimed: the ledger holds nothing open for them.
    const items = await h.ledgerItems('g1');
    for (const o of notAttempted) expect(items.get(o.id)?.state ?? 'not-attempted').toBe('not-attempted');
  });

  it('(guard off) a run that cannot tell it lost the lease keeps sending', async () => {
    const { ids } = await scenario({ renewal: true });
    expect(ids).toHaveLength(500);
  });
});

describe('a Lambda killed at its timeout, then retried', () => {
  async function scenario(off: GuardsOff) {
    await h.start(deletes(200), {});
    const store = withGuardsOff(h.store, off);
    // The second request never comes back: the invocation is killed mid-run, leaving its trigger `running`.
    const killed = new SlowClient(h.stack.simulator.serviceKey, (call) =>
      call === 2 ? new Promise<void>(() => undefined) : Promise.resolve(),
    );
    const dying = h.janitor({ store, client: killed, triggerId: 'evt-9' });
    dying.catch(() => undefined);
    await waitFor(() => killed.calls === 2);
    const early = await h.janitor({ store, triggerId: 'evt-9' });
    // EventBridge retries after the dead run's lease has passed (deadline 5 min + margin).
    h.clock.advance(6 * MINUTE);
    const retried = await h.janitor({ store, triggerId: 'evt-9' });
    return { early, retried, ids: h.submittedIds() };
  }

  it('answers "still running" while its lease holds, then runs the retry, sending nothing twice', async () => {
    const { early, retried, ids } = await scenario({});
    expect(early).toMatchObject({ status: 'duplicate', first: { state: 'running' } });
    expect(retried).toMatchObject({ status: 'done', retried: { state: 'running' } });
    expect(duplicates(ids)).toEqual([]);
  });

  it('(guard off) without healing, the retried event is a "duplicate" and nothing runs', async () => {
    const { retried } = await scenario({ healing: true });
    expect(retried.status).toBe('duplicate');
  });
});

describe('the deadline reached mid-apply', () => {
  it('leaves the rest not-attempted (never failed); the next run sends exactly those, once', async () => {
    await h.start(deletes(500), {});
    const client = new SlowClient(h.stack.simulator.serviceKey);
    const first = done(await h.janitor({ client, deadline: new Date(h.clock.ms + 60 * SECOND) }));
    expect(first.report.stopped).toMatch(/deadline/);
    expect(first.report.totals.failed).toBe(0);
    const cut = first.report.outcomes.filter((o) => o.state === 'not-attempted');
    expect(cut.length).toBeGreaterThanOrEqual(100);
    const sentFirst = h.submittedIds();
    expect(cut.some((o) => sentFirst.includes(o.id))).toBe(false);

    h.clock.advance(MINUTE);
    const second = done(await h.janitor());
    expect(second.report.totals.sent).toBe(cut.length);
    expect(duplicates(h.submittedIds())).toEqual([]);
    expect([...(await h.ledgerItems('g1')).values()].filter((i) => i.state === 'confirmed')).toHaveLength(500);
  });
});

describe('a group that cannot be listed', () => {
  it('acts on the groups it could read, and the report says the run is incomplete', async () => {
    await h.start(fleetOf({ g1: { executions: many(10, 'done', (id) => execution(id, 'COMPLETED')) }, g2: {} }), {});
    // g2 exists but its listing fails (a group the tenant lacks is invalid input instead: below).
    const listGroup = AiCoreClient.prototype.listGroup;
    const spy = vi.spyOn(AiCoreClient.prototype, 'listGroup').mockImplementation(async function (this: AiCoreClient, group) {
      const listed = await listGroup.call(this, group);
      return group.id === 'g2'
        ? { ...listed, resources: [], listingError: 'list executions in resource group g2 failed with HTTP 404' }
        : listed;
    });
    try {
      const result = done(await h.janitor({ config: { groups: ['g1', 'g2'] } }));
      expect(result.report.complete).toBe(false);
      expect(result.report.listingFailures).toEqual([{ group: 'g2', error: expect.stringMatching(/404/) }]);
      expect(result.report.totals.confirmed).toBe(10);
    } finally {
      spy.mockRestore();
    }
  });

  it('refuses a named group the tenant does not have before planning or sending anything', async () => {
    await h.start(deletes(10), {});
    await expect(h.janitor({ config: { groups: ['g1', 'missing-group'] } })).rejects.toThrow(
      /no resource group missing-group in this tenant \(its PROVISIONED groups: g1\)/,
    );
    expect(h.submittedIds()).toEqual([]);
  });
});

/** A store whose n-th chunk write fails (a DynamoDB error that outlasted the SDK's retries). */
function failingOnWrite(store: JanitorStore, n: number): JanitorStore {
  let writes = 0;
  return Object.assign(Object.create(store) as JanitorStore, {
    writeChunks: (changes: Parameters<JanitorStore['writeChunks']>[0]) => {
      writes += 1;
      return writes === n ? Promise.reject(new Error('ProvisionedThroughputExceededException: simulated')) : store.writeChunks(changes);
    },
  });
}

describe('a store failure in the middle of a group', () => {
  it('stops that group before its other requests go out, counts what was sent, and a retry sends nothing twice', async () => {
    await h.start(deletes(1200), {});
    const store = failingOnWrite(h.store, 4);
    await expect(h.janitor({ store, triggerId: 'evt-1' })).rejects.toThrow(/ProvisionedThroughputExceeded/);
    const afterFailure = h.submittedIds().length;
    // Nothing of the failed run is still sending once it has reported the failure.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(h.submittedIds()).toHaveLength(afterFailure);
    expect(afterFailure).toBeLessThan(1200);
    // The daily cap counts what that run sent, even though it failed.
    expect((await h.store.observations(['g1'], h.clock.date())).actionsToday).toBe(afterFailure);

    // EventBridge retries the event: the failed trigger is reopened, and nothing is sent twice.
    h.clock.advance(MINUTE);
    const retry = done(await h.janitor({ triggerId: 'evt-1' }));
    expect(retry.report.totals.failed).toBe(0);
    h.clock.advance(20 * MINUTE);
    done(await h.janitor());
    expect(duplicates(h.submittedIds())).toEqual([]);
    expect([...(await h.ledgerItems('g1')).values()].filter((i) => i.state === 'confirmed')).toHaveLength(1200);
  });
});

describe('an earlier stop, not yet confirmed, and a delete planned now', () => {
  it('sends the delete: a confirmed stop does not stand in for it', async () => {
    const stopThenDelete = parsePolicy(
      'version: 1\nmode: apply\ncaps: { maxActionsPerRun: 1000, maxActionsPerGroup: 1000, maxPercentOfGroup: 100 }\nrules:\n  - { id: retire, resource: executions, match: { status: [RUNNING, STOPPED] }, action: stop-then-delete }\n',
      'stop-then-delete.yaml',
    );
    if (!stopThenDelete.ok) throw new Error(JSON.stringify(stopThenDelete.errors));
    await h.start(stops(5));
    // The stop is accepted but not confirmed (the run had no time to re-list).
    const first = done(await h.janitor({ confirmAttempts: 0, config: { policy: stopThenDelete.policy } }));
    expect(first.report.outcomes.map((o) => o.state)).toEqual(Array(5).fill('awaiting-confirmation'));
    // Well over an hour later (AI Core accepts after 10 min, stops after 60) the items are STOPPED.
    h.clock.advance(75 * MINUTE);
    const second = done(await h.janitor({ config: { policy: stopThenDelete.policy } }));
    expect(second.report.outcomes).toHaveLength(5);
    expect(second.report.outcomes.every((o) => o.action === 'delete' && o.sent)).toBe(true);
    expect(
      h.stack.simulator.requests.entries.filter((e) => e.method === 'PATCH').flatMap((e) => JSON.stringify(e.body).match(/DELETED/g) ?? []),
    ).toHaveLength(5);
  });
});

describe('what the ledger costs', () => {
  it('stays within 6 × ⌈actions/100⌉ + 10 × groups + ⌈observations/25⌉ store requests', async () => {
    await h.start(
      fleetOf({
        g1: { executions: many(700, 'done', (id) => execution(id, 'COMPLETED')) },
        g2: { executions: many(300, 'runs', (id) => execution(id, 'RUNNING')) },
      }),
      {},
    );
    const { report } = done(await h.janitor());
    expect(report.totals.confirmed).toBe(1000);
    expect(report.storeRequests).toBeLessThanOrEqual(6 * 10 + 10 * 2);
    // The per-item ledger it replaced cost three writes per action.
    expect(report.storeRequests).toBeLessThan(1000);
  });

  it('stays within budget for a run that only settles what an earlier run left open', async () => {
    await h.start(deletes(1000), {});
    done(await h.janitor({ confirmAttempts: 0 })); // ten chunks left open, awaiting confirmation
    h.clock.advance(MINUTE);
    const { report } = done(await h.janitor());
    expect(report.totals.planned).toBe(0);
    expect(await h.store.openChunks('g1')).toEqual([]);
    expect(report.storeRequests).toBeLessThanOrEqual(10 * 1);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 10));
  if (!condition()) throw new Error('condition not reached');
}

describe('first seen STOPPED: recorded before acting, except for what this run deletes', () => {
  const policy = parseTestPolicy(
    `
version: 1
mode: apply
caps: { maxActionsPerRun: 100000, maxActionsPerGroup: 100000, maxActionsPerDay: 500000, maxPercentOfGroup: 100 }
rules:
  - id: gone
    resource: executions
    match: { status: [STOPPED] }
    action: delete
`,
    'stopped.yaml',
  );
  const fleet = () =>
    fleetOf({
      g1: {
        executions: many(30, 'exe', (id) => execution(id, 'STOPPED')),
        deployments: many(5, 'dep', (id) => deployment(id, 'STOPPED')),
      },
    });
  const recorded = async (): Promise<string[]> => Object.keys((await h.store.observations(['g1'], h.clock.date())).firstSeenStopped).sort();

  it('an applying run records only the STOPPED items it leaves alone', async () => {
    await h.start(fleet());
    const { report } = done(await h.janitor({ config: { policy } }));
    expect(report.totals).toMatchObject({ planned: 30, sent: 30 });
    expect(await recorded()).toEqual(many(5, 'dep', (id) => `g1#deployments#${id}`).sort());
  });

  it('a dry run records them all', async () => {
    await h.start(fleet());
    done(await h.janitor({ config: { policy, consent: false } }));
    expect(await recorded()).toHaveLength(35);
    expect(h.submittedIds()).toEqual([]);
  });

  it('a run declined at the prompt records them all too', async () => {
    await h.start(fleet());
    const { report } = done(await h.janitor({ config: { policy, approve: () => Promise.resolve(false) } }));
    expect(report.totals.sent).toBe(0);
    expect(await recorded()).toHaveLength(35);
  });

  it('a run the caps abort records them all too, and acts on none', async () => {
    await h.start(fleet());
    const capped = { ...policy, caps: { ...policy.caps, maxActionsPerRun: 10 } };
    const { report } = done(await h.janitor({ config: { policy: capped } }));
    expect(report.totals.sent).toBe(0);
    expect(await recorded()).toHaveLength(35);
  });
});
