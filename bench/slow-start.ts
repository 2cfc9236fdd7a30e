/**
 * Slow start against server rate limits, in-process (simulator on loopback, `latencyMs` added to
 * every request): a full plan + apply + confirm with runJanitor against a token bucket of capacity
 * R refilled at R/s, and against no limit with the transport's slow start on and off (what slow
 * start costs a server that has no limit). Part of `npm run bench` (bench/run.ts).
 */
import { performance } from 'node:perf_hooks';
import { AiCoreClient } from '../lib/aicore/client.js';
import { Transport } from '../lib/aicore/transport.js';
import { runJanitor } from '../lib/run/run.js';
import { startLocalStack } from '../infra/local/stack.js';
import { createStore } from '../lib/store/factory.js';
import { benchPolicy } from './fleet.js';
import { buildFleet, POLICY } from './reference.js';

interface SlowStartRow {
  limit: number | null;
  slowStart: boolean;
  wallMs: number;
  requests: number;
  throttled: number;
  confirmed: number;
  planned: number;
}

async function slowStartRun(limit: number | null, perGroup: number, latencyMs: number, slowStart = true): Promise<SlowStartRow> {
  const policy = benchPolicy(POLICY);
  const route = { latencyMs, ...(limit === null ? {} : { rateLimit: { capacity: limit, refillPerSecond: limit } }) };
  const stack = await startLocalStack({
    simulator: { fleet: buildFleet(Date.now(), perGroup).fleet, faults: { routes: { '*': route } }, seed: 3 },
  });
  try {
    const store = createStore({ table: stack.table, region: 'us-east-1', endpoint: stack.dynamo.endpoint }, 'T#bench@127.0.0.1');
    const client = new AiCoreClient(stack.simulator.serviceKey, { transport: new Transport({ slowStart }) });
    const start = performance.now();
    const report = await runJanitor({
      client,
      store,
      policy,
      trigger: 'bench',
      consent: true,
      runId: `slow-start-${limit ?? 'none'}`,
      confirm: { attempts: 3, delayMs: 200 },
    });
    const wallMs = performance.now() - start;
    const entries = stack.simulator.requests.entries;
    return {
      limit,
      slowStart,
      wallMs,
      requests: entries.length,
      throttled: entries.filter((e) => e.status === 429).length,
      confirmed: report.totals.confirmed,
      planned: report.totals.planned,
    };
  } finally {
    await stack.stop();
  }
}

export { slowStartRun };
export type { SlowStartRow };
