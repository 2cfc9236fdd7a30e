/**
 * The schedule's entry point when the engine is `step-functions`. EventBridge cannot name an
 * execution, so this starts one named after the trigger id: a second delivery of the same event
 * gets ExecutionAlreadyExists (or, while the first still runs with the same input, the same
 * execution back) and is answered as a duplicate — one run per trigger, whatever the deliveries.
 */
import middy from '@middy/core';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import type { TenantsFile } from '../lib/tenants/schema.js';
import { envFlag } from '../lib/util/env.js';
import { CONFIG_DEFAULTS, envReader } from './adapters/config.js';
import { log, loggerMiddleware } from './adapters/log.js';
import { executionName, startNamedExecution, type SfnClient } from './adapters/state-machine.js';
import { parseEvent } from './adapters/event.js';
import { tenantsFileLoader } from './adapters/tenants-file.js';

const ScheduledEvent = z.looseObject({ id: z.string().min(1), time: z.iso.datetime({ offset: true }) });

const StarterEnv = z.object({
  JANITOR_STATE_MACHINE_ARN: z.string().min(1),
  JANITOR_TENANTS_FILE: z.string().min(1).default(CONFIG_DEFAULTS.tenantsFile),
  JANITOR_APPLY: envFlag,
  JANITOR_DISABLED: envFlag,
});
/** Parsed once per cold start (again only when one of its variables changes). */
const readStarterEnv = envReader(StarterEnv, 'starter environment');

type StarterResult = { status: 'disabled' } | { status: 'started' | 'duplicate'; executionName: string; executionArn: string | undefined };

interface StarterDeps {
  sfn: SfnClient;
  tenants: () => Promise<TenantsFile>;
  env: NodeJS.ProcessEnv;
  clock: () => Date;
}

/** A response this much older than our call was an execution that already existed. */
const ALREADY_RUNNING_MS = 5_000;

function starterCore(deps: StarterDeps) {
  return async function start(event: unknown): Promise<StarterResult> {
    const env = readStarterEnv(deps.env);
    if (env.JANITOR_DISABLED) return { status: 'disabled' };
    const trigger = parseEvent(ScheduledEvent, event, 'scheduled event');
    const name = executionName(`schedule-${trigger.id}`);
    const tenants = await deps.tenants();
    // Everything in the input derives from the event, so a duplicate delivery sends the same input.
    const input = {
      runId: name,
      trigger: 'schedule',
      consent: env.JANITOR_APPLY,
      startedAt: new Date(trigger.time).toISOString(),
      requirePlanHash: null,
      tenants: tenants.tenants.map((t) => ({ name: t.name, secretId: t.secretId })),
    };
    const calledAt = deps.clock().getTime();
    const started = await startNamedExecution(deps.sfn, env.JANITOR_STATE_MACHINE_ARN, name, input);
    if (started.status === 'exists') {
      log('warn', 'duplicate delivery: an execution of this trigger exists', { executionName: name });
      return { status: 'duplicate', executionName: name, executionArn: undefined };
    }
    // Standard workflows answer a same-name, same-input start of a running execution with that execution.
    const earlier = started.startDate !== undefined && started.startDate.getTime() < calledAt - ALREADY_RUNNING_MS;
    log(earlier ? 'warn' : 'info', earlier ? 'duplicate delivery: the execution is already running' : 'execution started', {
      executionName: name,
      tenants: input.tenants.length,
    });
    return { status: earlier ? 'duplicate' : 'started', executionName: name, executionArn: started.executionArn };
  };
}

const deployed: StarterDeps = {
  sfn: new SFNClient({}),
  // A failed read is tried again on the next event.
  tenants: tenantsFileLoader(() => readStarterEnv().JANITOR_TENANTS_FILE),
  env: process.env,
  clock: () => new Date(),
};

const handler = middy<unknown, StarterResult, Error, Context>(starterCore(deployed)).use(loggerMiddleware());

export { handler, starterCore, executionName };
export type { StarterResult, StarterDeps };
