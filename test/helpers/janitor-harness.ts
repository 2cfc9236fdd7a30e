/**
 * One harness for the apply-path scenarios: a simulator and dynalite on loopback sharing a clock
 * the test moves, the real store, and a janitor run (runGuarded) per call. Registers its own
 * afterEach, so every server it starts is stopped.
 */
import { afterEach } from 'vitest';
import { AiCoreClient } from '../../lib/aicore/client.js';
import type { Transport } from '../../lib/aicore/transport.js';
import type { Policy } from '../../lib/policy/index.js';
import { FINISHED_AND_STALE_RULES, parseTestPolicy } from './test-policies.js';
import { runGuarded, type GuardedResult, type GuardOptions } from '../../lib/run/guarded-run.js';
import type { RunConfig } from '../../lib/run/run.js';
import { createStore } from '../../lib/store/factory.js';
import type { JanitorStore } from '../../lib/store/ports.js';
import type { LedgerItem } from '../../lib/store/records.js';
import { startLocalStack, type LocalStack } from '../../infra/local/stack.js';
import type { SimulatorOptions } from '../../infra/local/simulator/index.js';

const POLICY = `
version: 1
mode: apply
caps: { maxActionsPerRun: 100000, maxActionsPerGroup: 100000, maxActionsPerDay: 500000, maxPercentOfGroup: 100 }
rules:
${FINISHED_AND_STALE_RULES}`;

const MINUTE = 60_000;
const NAMESPACE = 'T#test@127.0.0.1';

function policy(): Policy {
  return parseTestPolicy(POLICY, 'test-policy.yaml');
}

/**
 * A busy AI Core: it answers 202 at once but acts on a request only 10 minutes later, and stopped or
 * deleted items stay visible for an hour. A run soon after another sees the items untouched and
 * plans them again: only the ledger keeps them from being sent twice.
 */
const BUSY_AI_CORE: SimulatorOptions = { acceptDelayMs: 10 * MINUTE, stopDelayMs: 60 * MINUTE, deleteDelayMs: 60 * MINUTE };

interface JanitorOptions {
  store?: JanitorStore;
  triggerId?: string;
  client?: AiCoreClient;
  confirmAttempts?: number;
  deadline?: Date;
  lease?: Partial<GuardOptions>;
  runId?: string;
  config?: Partial<RunConfig>;
}

function janitorHarness() {
  let stack: LocalStack | undefined;
  let store: JanitorStore | undefined;
  let run = 0;

  /** One clock for AI Core and the janitor, moved by the tests: "a minute later" without waiting. */
  const clock = {
    ms: Date.now(),
    now: (): number => clock.ms,
    date: (): Date => new Date(clock.ms),
    advance: (ms: number): void => {
      clock.ms += ms;
    },
  };

  afterEach(async () => {
    await stack?.stop();
    stack = undefined;
  });

  const current = (): LocalStack => {
    if (stack === undefined) throw new Error('call start() first');
    return stack;
  };

  return {
    clock,
    MINUTE,
    async start(fleet: SimulatorOptions['fleet'], options: SimulatorOptions = BUSY_AI_CORE): Promise<LocalStack> {
      clock.ms = Date.now();
      stack = await startLocalStack({ simulator: { ...options, fleet, now: clock.now } });
      store = createStore({ table: stack.table, region: 'us-east-1', endpoint: stack.dynamo.endpoint }, NAMESPACE);
      return stack;
    },
    get stack(): LocalStack {
      return current();
    },
    get store(): JanitorStore {
      if (store === undefined) throw new Error('call start() first');
      return store;
    },
    client(transport?: Transport): AiCoreClient {
      return new AiCoreClient(current().simulator.serviceKey, transport === undefined ? {} : { transport });
    },
    janitor(options: JanitorOptions = {}): Promise<GuardedResult> {
      run += 1;
      if (store === undefined) throw new Error('call start() first');
      return runGuarded(
        {
          client: options.client ?? new AiCoreClient(current().simulator.serviceKey),
          store: options.store ?? store,
          policy: policy(),
          trigger: 'test',
          consent: true,
          runId: options.runId ?? `run-${run}`,
          confirm: { attempts: options.confirmAttempts ?? 1, delayMs: 0 },
          clock: clock.date,
          deadline: options.deadline ?? new Date(clock.ms + 5 * MINUTE),
          ...options.config,
        },
        { triggerId: options.triggerId ?? `trigger-${run}`, leasePeriodMs: MINUTE, ...options.lease },
      );
    },
    /** Every id sent in any PATCH or DELETE, with repeats. */
    submittedIds(): string[] {
      return current().simulator.requests.entries.flatMap((e) => {
        if (e.method === 'DELETE' || (e.method === 'PATCH' && e.route.endsWith('{id}'))) return [e.url.split('/').pop() ?? ''];
        if (e.method !== 'PATCH' || typeof e.body !== 'object' || e.body === null) return [];
        const items: unknown = Object.values(e.body)[0];
        return Array.isArray(items) ? items.map((i: { id?: string }) => i.id ?? '') : [];
      });
    },
    /** The ledger's latest entry per item id (the last chunk that names it). */
    async ledgerItems(group: string): Promise<Map<string, LedgerItem>> {
      if (store === undefined) throw new Error('call start() first');
      const latest = new Map<string, LedgerItem>();
      for (const chunk of await store.ledger(group)) for (const item of chunk.items) latest.set(item.id, item);
      return latest;
    },
  };
}

const duplicates = (ids: readonly string[]): string[] => ids.filter((id, i) => ids.indexOf(id) !== i);

function done(result: GuardedResult): Extract<GuardedResult, { status: 'done' }> {
  if (result.status !== 'done') throw new Error(`expected a run, got ${result.status}`);
  return result;
}

export { janitorHarness, duplicates, done, BUSY_AI_CORE, MINUTE, NAMESPACE };
