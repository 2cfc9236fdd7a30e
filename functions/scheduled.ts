/**
 * The EventBridge schedule's entry point. The schedule's consent to act is `JANITOR_APPLY=true`;
 * the policy must also say `mode: apply`. `JANITOR_DISABLED=true` turns every run into a no-op.
 */
import middy from '@middy/core';
import * as z from 'zod';
import { readEnv } from './adapters/config.js';
import { log, loggerMiddleware } from './adapters/log.js';
import { metricsMiddleware, recordHeartbeat } from './adapters/metrics.js';
import { runFromEnv } from './adapters/run-from-env.js';
import type { Context } from 'aws-lambda';
import { serviceKeyMiddleware, serviceKeyOf } from './adapters/service-key.js';
import type { GuardedResult } from '../lib/run/guarded-run.js';
import { parseEvent } from './adapters/event.js';

const ScheduledEvent = z.looseObject({
  id: z.string().min(1),
  'detail-type': z.string(),
  source: z.string(),
  time: z.string(),
});

type ScheduledResult = { status: 'disabled' } | GuardedResult;

async function scheduledHandler(event: unknown, context: Context): Promise<ScheduledResult> {
  const env = readEnv();
  const trigger = parseEvent(ScheduledEvent, event, 'scheduled event');
  if (env.JANITOR_DISABLED) {
    log('warn', 'JANITOR_DISABLED is set: doing nothing', { eventId: trigger.id });
    // Disabled on purpose is not "missing": the heartbeat alarm is for schedules that stop firing.
    recordHeartbeat();
    return { status: 'disabled' };
  }
  const { result, policy } = await runFromEnv({
    env,
    serviceKey: serviceKeyOf(context),
    trigger: 'schedule',
    triggerId: `schedule:${trigger.id}`,
    consent: env.JANITOR_APPLY,
    remainingMs: () => context.getRemainingTimeInMillis(),
  });
  if (result.status === 'done') {
    const { report } = result;
    const fields = {
      runId: report.runId,
      policyDigest: policy.digest,
      planHash: report.plan.hash,
      dryRun: report.dryRun,
      notApplied: report.notApplied,
      stopped: report.stopped,
      totals: report.totals,
      apiCalls: report.apiCalls,
      storeRequests: report.storeRequests,
    };
    if (result.retried !== undefined)
      log('warn', 'an earlier delivery of this event failed or died; this one ran it', { eventId: trigger.id, earlier: result.retried });
    // A run that could not see everything is not a success: no heartbeat, so the alarm fires.
    if (!report.complete) {
      log('error', 'run incomplete: resource group(s) could not be listed', { ...fields, listingFailures: report.listingFailures });
      return result;
    }
    log('info', 'run finished', fields);
  } else {
    log('warn', `run skipped: ${result.status}`, { eventId: trigger.id, policyDigest: policy.digest, ...result });
  }
  recordHeartbeat();
  return result;
}

const handler = middy<unknown, ScheduledResult, Error, Context>(scheduledHandler)
  .use(loggerMiddleware())
  .use(metricsMiddleware())
  .use(serviceKeyMiddleware());

export { handler, scheduledHandler };
export type { ScheduledResult };
