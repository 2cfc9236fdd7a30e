/**
 * The failure modes of a scheduled janitor — duplicate delivery, overlapping runs, a run killed
 * mid-way, an item deleted by someone else — made harmless by the ledger, the trigger record and
 * the run lock (dynalite + simulator). Each scenario also runs with its guard switched off and must
 * then break, so none of these tests can pass vacuously.
 */
import { describe, expect, it } from 'vitest';
import { AiCoreClient, type UpdateRequest, type UpdateResult } from '../../lib/aicore/client.js';
import type { ResourceType } from '../../lib/lifecycle.js';
import { execution, fleetOf, many } from '../helpers/fleet.js';
import { withGuardsOff, type GuardsOff } from '../helpers/guard-switch.js';
import { done, duplicates, janitorHarness, MINUTE } from '../helpers/janitor-harness.js';

const h = janitorHarness();

describe('same EventBridge event delivered twice', () => {
  async function scenario(off: GuardsOff) {
    await h.start(fleetOf({ g1: { executions: many(30, 'done', (id) => execution(id, 'COMPLETED')) } }));
    const store = withGuardsOff(h.store, off);
    const first = await h.janitor({ store, triggerId: 'evt-1' });
    const second = await h.janitor({ store, triggerId: 'evt-1' });
    return { first, second, ids: h.submittedIds() };
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
    await h.start(fleetOf({ g1: { executions: many(20, 'done', (id) => execution(id, 'COMPLETED')) } }));
    const store = withGuardsOff(h.store, off);
    const results = await Promise.all([h.janitor({ store }), h.janitor({ store })]);
    return results;
  }

  it('only one acts; the other is skipped and told who holds the lock until when', async () => {
    const results = await scenario({});
    expect(results.map((r) => r.status).sort()).toEqual(['done', 'locked']);
    const locked = results.find((r) => r.status === 'locked');
    expect(locked).toMatchObject({
      message: expect.stringMatching(/^run run-\d \(started .+\) holds the run lock until .+; this trigger was skipped$/),
    });
  });

  it('(guard off) without the lock both act', async () => {
    expect((await scenario({ lock: true })).map((r) => r.status)).toEqual(['done', 'done']);
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
    await h.start(
      fleetOf({
        g1: {
          executions: [...many(120, 'done', (id) => execution(id, 'COMPLETED')), ...many(3, 'runs', (id) => execution(id, 'RUNNING'))],
        },
        g2: { executions: many(40, 'late', (id) => execution(id, 'COMPLETED')) },
      }),
    );
    const store = withGuardsOff(h.store, off);
    // g1 is submitted in full; the crash hits after g2's chunk record is written but before its request leaves.
    await expect(h.janitor({ store, client: new CrashingClient(h.stack.simulator.serviceKey, 'g2') })).rejects.toThrow(/simulated crash/);
    // A retry a minute later: AI Core has not acted yet, so everything is planned again.
    h.clock.advance(MINUTE);
    const retry = done(await h.janitor({ store }));
    // The next scheduled runs: g2's stale `submitting` entries are sent once, then everything shows.
    h.clock.advance(60 * MINUTE);
    await h.janitor({ store });
    h.clock.advance(60 * MINUTE);
    const last = done(await h.janitor({ store }));
    return { retry, last, ids: h.submittedIds() };
  }

  it('submits no item twice, and every item ends confirmed', async () => {
    const { retry, ids } = await scenario({});
    expect(retry.report.outcomes.every((o) => o.state === 'awaiting-confirmation' && !o.sent)).toBe(true);
    expect(duplicates(ids)).toEqual([]);
    expect(ids).toHaveLength(163);
    for (const group of ['g1', 'g2']) expect(await h.store.openChunks(group)).toEqual([]);
    const items = new Map([...(await h.ledgerItems('g1')), ...(await h.ledgerItems('g2'))]);
    expect(items.size).toBe(163);
    expect([...items.values()].every((e) => e.state === 'confirmed')).toBe(true);
  });

  it('(guard off) without the ledger the retry submits g1 again', async () => {
    const { ids } = await scenario({ ledger: true });
    expect(duplicates(ids).length).toBeGreaterThanOrEqual(120);
  });
});

describe('a DELETE for an item that is already gone', () => {
  it('ends confirmed, not failed', async () => {
    await h.start(fleetOf({ g1: { executions: [execution('done-keep1', 'COMPLETED'), execution('done-gone1', 'COMPLETED')] } }), {});
    // Someone else deletes done-gone1 after our listing but before our bulk PATCH.
    class RacingClient extends AiCoreClient {
      override async update(group: string, type: ResourceType, requests: readonly UpdateRequest[], bulk: boolean): Promise<UpdateResult[]> {
        await new AiCoreClient(h.stack.simulator.serviceKey).update(
          group,
          type,
          [{ id: 'done-gone1', status: 'COMPLETED', action: 'delete' }],
          false,
        );
        return super.update(group, type, requests, bulk);
      }
    }
    const result = done(await h.janitor({ client: new RacingClient(h.stack.simulator.serviceKey) }));
    expect(result.report.outcomes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: 'done-gone1', state: 'confirmed', message: 'already gone' }),
        expect.objectContaining({ id: 'done-keep1', state: 'confirmed' }),
      ]),
    );
    expect((await h.ledgerItems('g1')).get('done-gone1')?.state).toBe('confirmed');
    // The bulk PATCH really did name the vanished item: the "not found" path was taken.
    expect(h.submittedIds().filter((id) => id === 'done-gone1')).toHaveLength(2);
  });
});

describe('confirmation in the next run', () => {
  it('confirms what an earlier run submitted but could not confirm, from the next listing', async () => {
    await h.start(fleetOf({ g1: { executions: many(2, 'runs', (id) => execution(id, 'RUNNING')) } }));
    const first = done(await h.janitor({ confirmAttempts: 0 })); // e.g. the Lambda ran out of time before re-listing
    expect(first.report.outcomes.map((o) => o.state)).toEqual(['awaiting-confirmation', 'awaiting-confirmation']);
    expect([...(await h.ledgerItems('g1')).values()].map((i) => i.state)).toEqual(['submitted', 'submitted']);

    // Next run, after AI Core acted: the items show STOPPING, so no rule plans them; the entries still close.
    h.clock.advance(11 * MINUTE);
    const second = done(await h.janitor());
    expect(second.report.plan.totals.stop).toBe(0);
    expect([...(await h.ledgerItems('g1')).values()].map((i) => i.state)).toEqual(['confirmed', 'confirmed']);
    expect(await h.store.openChunks('g1')).toEqual([]);
    expect(duplicates(h.submittedIds())).toEqual([]);
  });
});
