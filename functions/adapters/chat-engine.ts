/**
 * The engine a chat plan or apply runs on: the schedule's own (the stage parameter `engine`).
 * `lambda` runs it in the worker (runFromEnv, under the tenant's run lock); `step-functions` starts
 * the state machine for the worker's tenant alone — the tenants-file entry with the worker's secret
 * — waits for the execution, and reads the tenant's staged report back, so the chat gets the digest
 * of the very run the state machine did (its group locks, its history in the console).
 */
import type { ChatRunner, ChatRunRequest } from '../../lib/chatops/ports.js';
import { EstateSummary } from '../../lib/run/tenant/summary.js';
import { requireStaged, STAGED } from '../../lib/run/tenant/staged.js';
import { StagedReport } from '../../lib/run/tenant/staged-report.js';
import type { StagingStore } from '../../lib/store/ports.js';
import type { Tenant, TenantsFile } from '../../lib/tenants/schema.js';
import { sleep as pause } from '../../lib/util/time.js';
import { executionName, startNamedExecution, waitForExecution, type SfnClient } from './state-machine.js';
import { FunctionError } from './errors.js';

/** Defaults of the state-machine runner, in one place. */
const CHAT_ENGINE_DEFAULTS = {
  /** The worker stops waiting this long before its own timeout, to answer that the run goes on. */
  answerMarginMs: 30_000,
  /** DescribeExecution every 1 s at first, doubling up to every 10 s. */
  pollMs: 1_000,
  maxPollMs: 10_000,
} as const;

class ChatEngineError extends FunctionError {
  override name = 'ChatEngineError';
}

interface StateMachineRunnerOptions {
  sfn: SfnClient;
  stateMachineArn: string;
  /** The worker's tenant: the execution runs it alone. */
  tenant: Pick<Tenant, 'name' | 'secretId'>;
  /** The tenant's store (the worker's: same secret, same namespace as the steps'). */
  store: StagingStore;
  clock: () => Date;
  remainingMs: () => number;
  sleep?: (ms: number) => Promise<void>;
  pollMs?: number;
}

/**
 * @example
 * const run = stateMachineRunner({ sfn, stateMachineArn, tenant: { name: 'acme', secretId }, store, clock, remainingMs });
 * const result = await run({ trigger: 'slack:U1', triggerId: 'slack:t1#run', consent: false });
 */
function stateMachineRunner(options: StateMachineRunnerOptions): ChatRunner {
  const sleep = options.sleep ?? pause;
  return async (request: ChatRunRequest) => {
    // Named after the chat trigger: a worker retried after it died finds the execution it started.
    const name = executionName(`chat-${request.triggerId}`);
    const input = {
      runId: name,
      trigger: request.trigger,
      consent: request.consent,
      startedAt: options.clock().toISOString(),
      requirePlanHash: request.requirePlanHash ?? null,
      tenants: [{ name: options.tenant.name, secretId: options.tenant.secretId }],
    };
    const started = await startNamedExecution(options.sfn, options.stateMachineArn, name, input);
    const finished = await waitForExecution(options.sfn, started.executionArn, {
      giveUpAt: () => options.remainingMs() < CHAT_ENGINE_DEFAULTS.answerMarginMs,
      pollMs: options.pollMs ?? CHAT_ENGINE_DEFAULTS.pollMs,
      maxPollMs: CHAT_ENGINE_DEFAULTS.maxPollMs,
      sleep,
    });
    if (finished.status === 'RUNNING')
      throw new ChatEngineError(
        `execution ${name} is still running; its digest will be in \`status\` once it ends (Step Functions console: ${started.executionArn})`,
      );
    if (finished.status !== 'SUCCEEDED') throw new ChatEngineError(`execution ${name} ended ${finished.status}: ${finished.error}`);
    const estate = EstateSummary.parse(JSON.parse(finished.output));
    // The tenant's child failed as a whole (its Catch): there is no report to show.
    if (estate.byStatus.error > 0) throw new ChatEngineError(estate.lines[0] ?? `tenant ${options.tenant.name} failed`);
    return { status: 'done', report: await requireStaged(options.store, name, STAGED.report, StagedReport) };
  };
}

/** The worker's tenant on the state machine: the tenants-file entry with the worker's own secret. */
function chatTenant(file: TenantsFile, secretId: string | undefined): Tenant {
  const tenant = file.tenants.find((t) => t.secretId === secretId);
  if (tenant === undefined)
    throw new ChatEngineError(
      `engine=step-functions: no tenant in the tenants file has the chat worker's secret ${secretId ?? '(AICORE_SECRET_ID unset)'}`,
    );
  return tenant;
}

export { ChatEngineError, stateMachineRunner, chatTenant };
