/**
 * The two engines exclude each other on a real DynamoDB-protocol engine (dynalite): a group run of
 * the state machine is refused while a tenant-wide run (engine=lambda, the CLI) holds the tenant's
 * run lock, and a tenant-wide run is refused while any group run's lease holds — through the store's
 * conditional writes on the one run lock record. With the check off (a test subclass) both sides
 * get their lock at once: the tests below would fail. End to end, a state machine apply under a
 * tenant-wide run's lock sends nothing, and a tenant-wide run under a group run's lease is skipped.
 */
import './polyfill.js';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynalite, type LocalDynamo } from '../../infra/local/dynamodb.js';
import { DynamoStore, ensureTable } from '../../lib/store/dynamo.js';
import { dynamoClient } from '../../lib/store/factory.js';
import { GROUP_RUNS_OWNER } from '../../lib/store/records.js';
import { AiCoreClient } from '../../lib/aicore/client.js';
import { parseServiceKey } from '../../lib/aicore/credentials.js';
import { Transport } from '../../lib/aicore/transport.js';
import { runGuarded } from '../../lib/run/guarded-run.js';
import { requireStaged, STAGED } from '../../lib/run/tenant/staged.js';
import { StagedReport } from '../../lib/run/tenant/staged-report.js';
import { execution, fleetOf, many } from '../helpers/fleet.js';
import { silenceLogs } from '../helpers/silence-logs.js';
import { policy, startEstate, type Estate } from './estate.js';
import { runLocally } from './local-machine.js';

silenceLogs();

const TABLE = 'janitor-engines';
const T0 = Date.parse('2026-12-01T06:00:00Z');
const at = (ms: number): Date => new Date(T0 + ms);
const MINUTE = 60_000;

/** The store as it was before the engines excluded each other: group runs never mark the run lock. */
class WithoutExclusion extends DynamoStore {
  protected override readonly enginesExclude = false;
}

/** Runs `race` right after the next group-lock query has read, before its caller acts on the result. */
class RacingRelease extends DynamoStore {
  race: (() => Promise<void>) | undefined;

  protected override async _query(pk: string, options?: { prefix?: string; descending?: boolean; limit?: number }) {
    const records = await super._query(pk, options);
    const race = this.race;
    if (race !== undefined && options?.prefix === 'GROUP#') {
      this.race = undefined;
      await race();
    }
    return records;
  }
}

let dynamo: LocalDynamo;
let make: (exclude?: boolean, racing?: boolean) => DynamoStore;

beforeAll(async () => {
  dynamo = await startDynalite();
  const client = dynamoClient({ table: TABLE, region: 'us-east-1', endpoint: dynamo.endpoint });
  await ensureTable(client, TABLE);
  // A fresh tenant namespace per store: the tests never see each other's locks.
  make = (exclude = true, racing = false) => {
    const namespace = `T#${randomUUID()}@host`;
    if (racing) return new RacingRelease(client, TABLE, namespace);
    return exclude ? new DynamoStore(client, TABLE, namespace) : new WithoutExclusion(client, TABLE, namespace);
  };
}, 60_000);

afterAll(async () => {
  await dynamo?.stop();
});

/** A tenant-wide run holds the run lock; then a group run asks for its group. */
async function groupAfterTenant(store: DynamoStore) {
  const tenant = await store.acquireLock('tenant-run', at(10 * MINUTE), at(0));
  const group = await store.groupLock('g1').acquireLock('sfn-run:g1', at(10 * MINUTE), at(MINUTE));
  return { tenant, group };
}

/** Group runs hold their leases (g2 the longest); then a tenant-wide run asks for the run lock. */
async function tenantAfterGroups(store: DynamoStore, now = at(MINUTE)) {
  const g1 = await store.groupLock('g1').acquireLock('sfn-run:g1', at(5 * MINUTE), at(0));
  const g2 = await store.groupLock('g2').acquireLock('sfn-run:g2', at(8 * MINUTE), at(0));
  const tenant = await store.acquireLock('tenant-run', at(20 * MINUTE), now);
  return { g1, g2, tenant };
}

describe('a group run against a tenant-wide run', () => {
  it('is refused, names the tenant-wide run, and leaves its own group lock free', async () => {
    const store = make();
    const { tenant, group } = await groupAfterTenant(store);
    expect(tenant).toEqual({ acquired: true });
    expect(group).toMatchObject({ acquired: false, by: 'run-lock', holder: { owner: 'tenant-run' } });
    // Its group lock was given back: once the tenant-wide run is done, a group run gets it.
    await store.releaseLock('tenant-run');
    expect(await store.groupLock('g1').acquireLock('sfn-run-2:g1', at(10 * MINUTE), at(2 * MINUTE))).toEqual({ acquired: true });
  });

  it('takes over a tenant-wide lease that has ended, and the late tenant-wide run cannot renew it', async () => {
    const store = make();
    await store.acquireLock('tenant-run', at(MINUTE), at(0));
    expect(await store.groupLock('g1').acquireLock('sfn-run:g1', at(10 * MINUTE), at(MINUTE + 1))).toEqual({ acquired: true });
    expect(await store.renewLock('tenant-run', at(20 * MINUTE))).toBe(false);
  });
});

describe('a tenant-wide run against group runs', () => {
  it('is refused until the last group run released its lock, or its lease ended', async () => {
    const store = make();
    const { g1, g2, tenant } = await tenantAfterGroups(store);
    expect([g1, g2]).toEqual([{ acquired: true }, { acquired: true }]);
    expect(tenant).toMatchObject({ acquired: false, holder: { owner: GROUP_RUNS_OWNER, leaseUntil: at(8 * MINUTE).getTime() } });
    // g2 (the longest lease) is done: the mark shrinks to g1's lease, which still holds.
    await store.groupLock('g2').releaseLock('sfn-run:g2');
    expect(await store.acquireLock('tenant-run', at(20 * MINUTE), at(2 * MINUTE))).toMatchObject({
      acquired: false,
      holder: { owner: GROUP_RUNS_OWNER, leaseUntil: at(5 * MINUTE).getTime() },
    });
    await store.groupLock('g1').releaseLock('sfn-run:g1');
    expect(await store.acquireLock('tenant-run', at(20 * MINUTE), at(2 * MINUTE))).toEqual({ acquired: true });
  });

  it('a group run that died leaves its mark until its lease ends', async () => {
    const store = make();
    await store.groupLock('g1').acquireLock('sfn-run:g1', at(5 * MINUTE), at(0));
    expect((await store.acquireLock('tenant-run', at(20 * MINUTE), at(5 * MINUTE))).acquired).toBe(false);
    expect(await store.acquireLock('tenant-run', at(20 * MINUTE), at(5 * MINUTE + 1))).toEqual({ acquired: true });
  });

  it('a release racing with a new group run never shortens the mark below the new lease', async () => {
    // The release's lock query misses g2, which locks and marks right after it: the stale view must not win.
    const store = make(true, true);
    await store.groupLock('g1').acquireLock('sfn-run:g1', at(9 * MINUTE), at(0));
    if (!(store instanceof RacingRelease)) throw new Error('expected the racing store');
    store.race = async () => {
      expect(await store.groupLock('g2').acquireLock('sfn-run:g2', at(6 * MINUTE), at(MINUTE))).toEqual({ acquired: true });
    };
    await store.groupLock('g1').releaseLock('sfn-run:g1');
    expect(store.race).toBeUndefined();
    expect((await store.acquireLock('tenant-run', at(20 * MINUTE), at(2 * MINUTE))).acquired).toBe(false);
  });

  it('keeps group runs out while a renewal extends the mark, and a group run whose lease lapsed cannot renew past it', async () => {
    const store = make();
    await store.groupLock('g1').acquireLock('sfn-run:g1', at(2 * MINUTE), at(0));
    expect(await store.groupLock('g1').renewLock('sfn-run:g1', at(6 * MINUTE))).toBe(true);
    expect((await store.acquireLock('tenant-run', at(20 * MINUTE), at(3 * MINUTE))).acquired).toBe(false);
    // The group run stalls past its lease; a tenant-wide run takes the run lock; the renewal fails.
    expect(await store.acquireLock('tenant-run', at(20 * MINUTE), at(6 * MINUTE + 1))).toEqual({ acquired: true });
    expect(await store.groupLock('g1').renewLock('sfn-run:g1', at(10 * MINUTE))).toBe(false);
  });
});

describe('racing engines', () => {
  it('never both get a lock, whatever the interleaving of their conditional writes', async () => {
    for (let round = 0; round < 15; round += 1) {
      const store = make();
      const [tenant, ...groups] = await Promise.all([
        store.acquireLock('tenant-run', at(10 * MINUTE), at(0)),
        store.groupLock('g1').acquireLock('sfn-run:g1', at(10 * MINUTE), at(0)),
        store.groupLock('g2').acquireLock('sfn-run:g2', at(10 * MINUTE), at(0)),
      ]);
      const groupHeld = groups.some((g) => g.acquired);
      expect(tenant.acquired && groupHeld, `round ${round}`).toBe(false);
      expect(tenant.acquired || groupHeld, `round ${round}: someone gets it`).toBe(true);
    }
  });
});

describe('with the check off (a group run never marks the run lock)', () => {
  it('both engines hold a lock at once: the assertions above would fail', async () => {
    const first = await groupAfterTenant(make(false));
    expect(first.tenant.acquired && first.group.acquired).toBe(true);
    const second = await tenantAfterGroups(make(false));
    expect(second.g1.acquired && second.tenant.acquired).toBe(true);
  });
});

describe('the engines end to end (the real ASL and runGuarded on one table)', () => {
  let estate: Estate;
  const fleet = () => fleetOf({ g1: { executions: many(3, 'done', (id) => execution(id, 'COMPLETED')) } });

  beforeAll(async () => {
    estate = await startEstate([
      { name: 'acme', fleet: fleet() },
      { name: 'beta', fleet: fleet() },
    ]);
  }, 60_000);

  afterAll(async () => {
    await estate?.stop();
  });

  it('a state machine apply while a tenant-wide run holds the run lock sends nothing, and says why', async () => {
    const now = new Date();
    const store = estate.storeOf('acme');
    expect(await store.acquireLock('lambda-run', new Date(now.getTime() + 10 * MINUTE), now)).toEqual({ acquired: true });
    const runId = `sched-${randomUUID()}`;
    await runLocally(estate.deps, {
      runId,
      trigger: 'schedule',
      consent: true,
      startedAt: now.toISOString(),
      requirePlanHash: null,
      tenants: [{ name: 'acme', secretId: 'janitor/acme' }],
    });
    const report = await requireStaged(store, runId, STAGED.report, StagedReport);
    expect(report.totals).toMatchObject({ planned: 3, sent: 0, notAttempted: 3 });
    expect(report.outcomes.every((o) => /run lambda-run holds the tenant's run lock/.test(o.message))).toBe(true);
    expect(estate.simulators.get('acme')?.requests.count('PATCH /v2/lm/executions')).toBe(0);
    await store.releaseLock('lambda-run');
  });

  it('a tenant-wide run while a group run holds its lease is skipped as locked, before any request', async () => {
    const now = new Date();
    const store = estate.storeOf('beta');
    expect(await store.groupLock('g1').acquireLock('sfn-run:g1', new Date(now.getTime() + 10 * MINUTE), now)).toEqual({ acquired: true });
    const key = parseServiceKey(JSON.stringify(estate.simulators.get('beta')?.serviceKey), 'beta');
    const result = await runGuarded(
      {
        client: new AiCoreClient(key, { transport: new Transport({ baseDelayMs: 1 }) }),
        store,
        policy: policy(),
        trigger: 'schedule',
        consent: true,
        runId: 'lambda-run',
      },
      { triggerId: `schedule:${randomUUID()}` },
    );
    expect(result).toMatchObject({
      status: 'locked',
      message: expect.stringMatching(/^the state machine's group runs hold the run lock until \S+; this trigger was skipped$/),
    });
    expect(estate.simulators.get('beta')?.requests.entries).toEqual([]);
  });
});
