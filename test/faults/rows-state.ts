/**
 * Rows for what happens around a run: the deadline, kills, leases, concurrent runs, duplicate
 * deliveries, the DynamoDB table misbehaving, and clocks that disagree.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { AiCoreClient, type ResourceGroupInfo, type UpdateRequest, type UpdateResult } from '../../lib/aicore/client.js';
import type { ResourceType } from '../../lib/lifecycle.js';
import { handler as scheduled } from '../../functions/scheduled.js';
import { makeWebhookHandler } from '../../functions/webhook.js';
import { WebhookEnv } from '../../functions/adapters/chat-config.js';
import { localContext, syntheticScheduledEvent } from '../../cli/demo.js';
import type { GuardedResult } from '../../lib/run/guarded-run.js';
import type { GroupFleet } from '../../lib/resources.js';
import { createStore, dynamoClient } from '../../lib/store/factory.js';
import { ensureTable } from '../../lib/store/dynamo.js';
import type { ChunkChange, JanitorStore } from '../../lib/store/ports.js';
import { startDynalite } from '../../infra/local/dynamodb.js';
import { signedSlashCommand } from '../../scripts/slack-command.js';
import { httpEvent, recordingInvoker } from '../chatops/helpers.js';
import { withGuardsOff } from '../helpers/guard-switch.js';
import { BUSY, MINUTE, mixedFleet, NAMESPACE, POLICY_YAML, bodyOf, type RowContext } from './context.js';
import { check, closedPort, done, type MatrixRow } from './row.js';

const SECOND = 1000;

/**
 * A client whose updates each take `stepMs` on the row's clock, one at a time; `hooks` run at
 * points of the run (to kill it there, or start a rival). Shared state lives in one object, so the
 * gated views the run makes of this client (Object.create) share it.
 */
class ScriptedClient extends AiCoreClient {
  readonly shared = { updates: 0, lists: new Map<string, number>(), queue: Promise.resolve() as Promise<unknown> };
  constructor(
    ctx: RowContext,
    private readonly script: {
      stepMs?: number;
      advance?: (ms: number) => void;
      beforeUpdate?: (n: number) => Promise<void>;
      afterUpdate?: (n: number) => Promise<void>;
      beforeList?: (group: string, n: number) => Promise<void>;
    },
  ) {
    super(ctx.stack.simulator.serviceKey, { transport: ctx.client().transport });
  }

  override update(group: string, type: ResourceType, requests: readonly UpdateRequest[], bulk: boolean): Promise<UpdateResult[]> {
    const turn = this.shared.queue.then(async () => {
      this.shared.updates += 1;
      const n = this.shared.updates;
      await this.script.beforeUpdate?.(n);
      const results = await super.update(group, type, requests, bulk);
      if (this.script.stepMs !== undefined) this.script.advance?.(this.script.stepMs);
      await this.script.afterUpdate?.(n);
      return results;
    });
    this.shared.queue = turn.catch(() => undefined);
    return turn;
  }

  override async listGroup(group: ResourceGroupInfo): Promise<GroupFleet> {
    const n = (this.shared.lists.get(group.id) ?? 0) + 1;
    this.shared.lists.set(group.id, n);
    await this.script.beforeList?.(group.id, n);
    return super.listGroup(group);
  }
}

const forever = (): Promise<void> => new Promise<void>(() => undefined);

/** A store whose writeChunks misbehaves once, on its n-th call. */
function ledgerFaultOnce(store: JanitorStore, n: number, fault: (changes: readonly ChunkChange[]) => Promise<void>): JanitorStore {
  const wrapped = withGuardsOff(store, {});
  let calls = 0;
  return {
    ...wrapped,
    get requests() {
      return store.requests;
    },
    writeChunks: async (changes) => {
      calls += 1;
      if (calls === n) return fault(changes);
      return store.writeChunks(changes);
    },
  };
}

const throttled = () =>
  Promise.reject(
    new ProvisionedThroughputExceededException({
      message: 'The level of configured provisioned throughput for the table was exceeded.',
      $metadata: { httpStatusCode: 400 },
    }),
  );

/** Kill the run at `point`, then re-run the same trigger after the dead run's lease passed. */
function killRow(point: 'before-send' | 'after-accept' | 'during-confirm', title: string, injects: string): MatrixRow {
  return {
    id: `killed-${point}`,
    area: 'a process killed at several points, then re-run',
    title,
    injects,
    guarantees: [
      'While the dead run\'s lease holds, a re-delivery is told "still running"; once it passed, the same trigger runs again.',
      'Nothing the dead run sent is sent again; everything ends confirmed.',
    ],
    run: async (ctx) => {
      await ctx.start(mixedFleet(5, ['g1', 'g2']), BUSY);
      const killed = new ScriptedClient(ctx, {
        beforeUpdate: (n) => (point === 'before-send' && n === 2 ? forever() : Promise.resolve()),
        afterUpdate: (n) => (point === 'after-accept' && n === 1 ? forever() : Promise.resolve()),
        beforeList: (_group, n) => (point === 'during-confirm' && n === 2 ? forever() : Promise.resolve()),
      });
      const dying = ctx.janitor({ client: killed, triggerId: 'evt-kill' });
      dying.catch(() => undefined);
      for (let i = 0; i < 200 && ctx.observer.mutations.length === 0 && killed.shared.updates < 2; i += 1)
        await new Promise((r) => setTimeout(r, 10));
      await new Promise((r) => setTimeout(r, 100));
      const early = await ctx.janitor({ triggerId: 'evt-kill' });
      check(early.status === 'duplicate', `a re-delivery while the dead run's lease holds is a duplicate: ${early.status}`);
      ctx.clock.advance(6 * MINUTE);
      const retried = await ctx.janitor({ triggerId: 'evt-kill' });
      check(retried.status === 'done', `the retry runs once the lease passed: ${retried.status}`);
      await ctx.settle();
      return ctx.result();
    },
  };
}

const stateRows: MatrixRow[] = [
  {
    id: 'deadline-mid-apply',
    area: 'the deadline reached mid-apply',
    title: "The run's deadline passes between bulk requests",
    injects: 'Each bulk request takes 40 s on the moved clock; the deadline is 60 s after the start, with 4 chunks to send.',
    guarantees: [
      'No request starts after the deadline; what it cut off is not-attempted (never failed) and the report says why (stopped).',
      'The next run sends exactly the cut-off items, once.',
    ],
    run: async (ctx) => {
      await ctx.start(mixedFleet(120), BUSY);
      const client = new ScriptedClient(ctx, { stepMs: 40 * SECOND, advance: ctx.clock.advance });
      const first = done(await ctx.janitor({ client, deadline: new Date(ctx.clock.ms + 60 * SECOND) }));
      check(
        /deadline/.test(first.report.stopped ?? '') && first.report.totals.failed === 0 && first.report.totals.notAttempted > 0,
        `cut off by the deadline: ${first.report.stopped} ${JSON.stringify(first.report.totals)}`,
      );
      await ctx.settle();
      return ctx.result();
    },
  },
  killRow(
    'before-send',
    'Killed after one group was sent, before the next request leaves',
    'The second bulk request never starts (the process dies); a re-delivery of the same trigger follows at once and again after 6 min.',
  ),
  killRow(
    'after-accept',
    'Killed right after AI Core accepted a bulk request, before the ledger records it',
    'The first bulk request is applied and answered, then the process dies before recording the answer.',
  ),
  killRow(
    'during-confirm',
    'Killed while re-listing to confirm',
    'The confirming re-list of a group never returns (the process dies after sending).',
  ),
  {
    id: 'run-outlives-lease',
    area: 'a run outliving its lease',
    title: 'A run takes longer than its lease period; a rival starts meanwhile',
    injects: 'Bulk requests take 40 s each with a 60 s lease period; a second run starts 80 s in, on the same table.',
    guarantees: [
      'The lease is renewed while the run works: the rival is skipped with a message naming the holder and the lease end; nothing is sent twice.',
    ],
    run: async (ctx) => {
      await ctx.start(mixedFleet(120), BUSY);
      let rival: GuardedResult | undefined;
      const client = new ScriptedClient(ctx, {
        stepMs: 40 * SECOND,
        advance: ctx.clock.advance,
        beforeUpdate: async (n) => {
          if (n === 3) rival = await ctx.janitor({ runId: 'rival' });
        },
      });
      done(await ctx.janitor({ client, runId: 'long', deadline: new Date(ctx.clock.ms + 30 * MINUTE) }));
      check(
        rival?.status === 'locked' && /run long.*until/.test(rival.message),
        `the rival is skipped, told who holds the lock until when: ${JSON.stringify(rival)}`,
      );
      await ctx.settle();
      return ctx.result();
    },
  },
  {
    id: 'two-runs-one-table',
    area: 'two concurrent runs (one table; one directory)',
    title: 'Two runs start at once on one table',
    injects: 'Two janitor runs with different trigger ids start together on the same DynamoDB table.',
    guarantees: ['Exactly one acts; the other is skipped with a message naming the holder and when its lease ends.'],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), BUSY);
      const results = await Promise.all([ctx.janitor(), ctx.janitor()]);
      check(
        JSON.stringify(results.map((r) => r.status).sort()) === '["done","locked"]',
        `one done, one locked: ${results.map((r) => r.status).join(',')}`,
      );
      const locked = results.find((r) => r.status === 'locked');
      check(
        locked?.status === 'locked' && /holds the run lock until \S+/.test(locked.message),
        `names holder and lease end: ${JSON.stringify(locked)}`,
      );
      await ctx.settle();
      return ctx.result();
    },
  },
  {
    id: 'eventbridge-duplicate',
    area: 'duplicate EventBridge deliveries and Slack retries',
    title: 'The scheduled function gets the same EventBridge event twice',
    injects: 'The scheduled handler (JANITOR_APPLY=true) is invoked twice with one event id; its log lines are captured.',
    guarantees: [
      'The second delivery runs nothing and is logged as skipped (duplicate); nothing is sent twice; no secret in any log line.',
    ],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), {});
      const policy = ctx.files({ 'policy.yaml': POLICY_YAML });
      const saved = { ...process.env };
      ctx.onDispose(() => {
        process.env = saved;
      });
      Object.assign(process.env, ctx.stack.env, { JANITOR_POLICY_FILE: policy['policy.yaml'], JANITOR_APPLY: 'true' });
      const event = syntheticScheduledEvent(new Date());
      const first = await scheduled(event, localContext(60_000));
      const second = await scheduled(event, localContext(60_000));
      ctx.keep(first as GuardedResult);
      ctx.output.push(JSON.stringify(second));
      check(
        first.status === 'done' && second.status === 'duplicate',
        `first runs, second is a duplicate: ${first.status}, ${second.status}`,
      );
      check(
        ctx.output.some((line) => line.includes('run skipped: duplicate')),
        'the duplicate is logged',
      );
      return ctx.result();
    },
  },
  {
    id: 'slack-retry',
    area: 'duplicate EventBridge deliveries and Slack retries',
    title: 'Slack retries a slash command (X-Slack-Retry-Num: 1)',
    injects: 'The same signed slash command arrives twice, the second time as a Slack retry; both queued jobs are run.',
    guarantees: ['Both deliveries carry one trigger id; the worker run for the retry is a duplicate and runs nothing.'],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), BUSY);
      const secret = 'slack-signing-secret-faults-0001';
      ctx.secrets.push(secret);
      const recorder = recordingInvoker();
      const webhook = makeWebhookHandler({
        invokeWorker: recorder.invokeWorker,
        env: () => WebhookEnv.parse({ SLACK_SIGNING_SECRET: secret }),
        secret: (ref) => Promise.resolve(ref.value),
        clock: () => new Date(),
      });
      const request = signedSlashCommand({
        secret,
        text: 'plan',
        userId: 'U0ALICE',
        responseUrl: 'https://hooks.slack.com/commands/T0/1/abc',
        triggerId: '111.222.333',
      });
      ctx.output.push(bodyOf(await webhook(httpEvent('/slack/commands', request), localContext(3000))));
      ctx.output.push(
        bodyOf(
          await webhook(
            httpEvent('/slack/commands', request, { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } }),
            localContext(3000),
          ),
        ),
      );
      const ids = recorder.payloads.map((p) => (p as { triggerId: string }).triggerId);
      check(ids.length === 2 && ids[0] === ids[1], `one trigger id for both deliveries: ${ids.join(',')}`);
      const runs = [await ctx.janitor({ triggerId: ids[0] }), await ctx.janitor({ triggerId: ids[1] })];
      check(runs[0]?.status === 'done' && runs[1]?.status === 'duplicate', `runs once: ${runs.map((r) => r.status).join(',')}`);
      await ctx.settle();
      return ctx.result();
    },
  },
  ...([1, 2] as const).map(
    (n): MatrixRow => ({
      id: `ddb-throttled-write-${n}`,
      area: 'DynamoDB throttling, conditional-check failures and an unreachable table',
      title: `DynamoDB throttles the ${n === 1 ? 'first' : 'second'} ledger write`,
      injects: `The ledger's ${n === 1 ? 'first' : 'second'} writeChunks throws ProvisionedThroughputExceededException (the SDK's retries exhausted).`,
      guarantees: [
        'The run fails loudly instead of acting without a ledger record; what it sent is reconciled, never re-sent, by the next run.',
      ],
      run: async (ctx) => {
        await ctx.start(mixedFleet(), BUSY);
        const message = await ctx.failingJanitor({ store: ledgerFaultOnce(ctx.store, n, throttled) });
        check(/throughput/i.test(message), `the run fails with the store's reason: ${message}`);
        await ctx.settle();
        return ctx.result();
      },
    }),
  ),
  {
    id: 'ddb-conditional-check-failure',
    area: 'DynamoDB throttling, conditional-check failures and an unreachable table',
    title: 'Another writer changes a ledger chunk between read and write',
    injects:
      "Just before the run updates an open ledger chunk, the same change is written by another writer, so the run's conditional write fails.",
    guarantees: [
      'The conditional check wins: the run stops with a ledger-conflict error and never overwrites; the next run settles the items without re-sending.',
    ],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), BUSY);
      let rivalled = false;
      const base = ctx.store;
      const store: JanitorStore = {
        ...withGuardsOff(base, {}),
        get requests() {
          return base.requests;
        },
        writeChunks: async (changes) => {
          if (!rivalled && changes.some((c) => c.previous !== undefined)) {
            rivalled = true;
            await base.writeChunks(changes);
          }
          return base.writeChunks(changes);
        },
      };
      const message = await ctx.failingJanitor({ store });
      check(/conflict|changed/i.test(message), `a ledger conflict: ${message}`);
      await ctx.settle();
      return ctx.result();
    },
  },
  {
    id: 'ddb-table-unreachable',
    area: 'DynamoDB throttling, conditional-check failures and an unreachable table',
    title: 'The DynamoDB endpoint refuses connections',
    injects: "The run's store points at a loopback port nothing listens on.",
    guarantees: ['The run fails with a message before it sends anything: no action without a ledger.'],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), BUSY);
      const port = await closedPort();
      const dead = createStore({ table: ctx.stack.table, region: 'us-east-1', endpoint: `http://127.0.0.1:${port}` }, NAMESPACE);
      await ctx.failingJanitor({ store: dead });
      check(ctx.observer.mutations.length === 0, 'nothing sent without a reachable ledger');
      await ctx.settle();
      return ctx.result();
    },
  },
  {
    id: 'ddb-table-goes-away-mid-run',
    area: 'DynamoDB throttling, conditional-check failures and an unreachable table',
    title: 'The DynamoDB endpoint stops after the first bulk request was accepted',
    injects:
      'A persisted dynalite is stopped right after AI Core accepted the first bulk request, then restarted from its files for the next run.',
    guarantees: [
      'The run fails instead of acting unrecorded; the next run on the restarted table reconciles what was sent without re-sending it.',
    ],
    run: async (ctx) => {
      await ctx.start(mixedFleet(5, ['g1', 'g2']), BUSY);
      const dir = ctx.tempDir();
      let dynamo = await startDynalite({ path: join(dir, 'db') });
      ctx.onDispose(() => dynamo.stop());
      const table = 'faults-persisted';
      const storeAt = async (endpoint: string) => {
        await ensureTable(dynamoClient({ table, region: 'us-east-1', endpoint }), table);
        return createStore({ table, region: 'us-east-1', endpoint }, NAMESPACE);
      };
      const first = await storeAt(dynamo.endpoint);
      const client = new ScriptedClient(ctx, { afterUpdate: async (n) => (n === 1 ? dynamo.stop() : undefined) });
      await ctx.failingJanitor({ store: first, client });
      dynamo = await startDynalite({ path: join(dir, 'db') });
      const again = await storeAt(dynamo.endpoint);
      const report = await ctx.settle({ store: again });
      check(report.totals.failed === 0, 'nothing failed after the restart');
      writeFileSync(join(dir, 'done'), '');
      return { ...(await ctx.result()), openLedgerItems: (await again.openChunks('g1')).length + (await again.openChunks('g2')).length };
    },
  },
  {
    id: 'clock-skew-between-runs',
    area: 'clock skew between runs',
    title: 'Consecutive runs on hosts whose clocks disagree by minutes',
    injects:
      'Run 1 on the true clock; run 2 a minute later on a clock 10 min behind; run 3 two minutes later on a clock 5 min ahead (AI Core has not acted yet).',
    guarantees: [
      'A skewed clock neither re-sends what is still within the resubmit guard nor takes a lock another run holds; everything ends confirmed once AI Core acts.',
    ],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), BUSY);
      done(await ctx.janitor());
      ctx.clock.advance(MINUTE);
      done(await ctx.janitor({ clock: () => new Date(ctx.clock.ms - 10 * MINUTE) }));
      ctx.clock.advance(MINUTE);
      done(await ctx.janitor({ clock: () => new Date(ctx.clock.ms + 5 * MINUTE) }));
      await ctx.settle();
      return ctx.result();
    },
  },
];

export { stateRows };
