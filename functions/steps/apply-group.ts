/**
 * Step: apply one approved (tenant, group): the existing group run under that group's lock, renewed
 * by this handler before every request, stopping at the step's deadline (shorter than the lease).
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { applyTenantGroup, type GroupApplySummary } from '../../lib/run/tenant/apply.js';
import { loggerMiddleware } from '../adapters/log.js';
import { deployedDeps, stepDeadline, tenantContext, TenantStep, type StepDeps } from './tenant-context.js';
import { parseEvent } from '../adapters/event.js';

const ApplyGroupEvent = TenantStep.extend({
  group: z.string().min(1),
  planName: z.string().min(1),
  bulkUpdates: z.object({ executions: z.boolean(), deployments: z.boolean() }),
});

function applyGroupStep(deps: StepDeps, options: { confirmDelayMs?: number } = {}) {
  return async function applyGroup(event: unknown, context?: Context): Promise<GroupApplySummary> {
    const step = parseEvent(ApplyGroupEvent, event, 'apply-group step input');
    const deadline = stepDeadline(deps, context);
    const ctx = await tenantContext(deps, step, deadline);
    return applyTenantGroup(
      ctx,
      step.run,
      { group: step.group, planName: step.planName, bulkUpdates: step.bulkUpdates },
      { deadline, ...(options.confirmDelayMs === undefined ? {} : { confirm: { delayMs: options.confirmDelayMs } }) },
    );
  };
}

const handler = middy<unknown, GroupApplySummary, Error, Context>((event: unknown, context: Context) =>
  applyGroupStep(deployedDeps())(event, context),
).use(loggerMiddleware());

export { handler, applyGroupStep };
