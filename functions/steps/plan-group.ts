/** Step: list and plan one (tenant, group); the plan is staged in the store, the state gets counts. */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { GroupRef } from '../../lib/run/tenant/context.js';
import { planTenantGroup, type GroupPlanSummary } from '../../lib/run/tenant/plan-group.js';
import { loggerMiddleware } from '../adapters/log.js';
import { deployedDeps, stepDeadline, tenantContext, TenantStep, type StepDeps } from './tenant-context.js';
import { parseEvent } from '../adapters/event.js';

const PlanGroupEvent = TenantStep.extend({ group: GroupRef });

function planGroupStep(deps: StepDeps) {
  return async function planGroup(event: unknown, context?: Context): Promise<GroupPlanSummary> {
    const step = parseEvent(PlanGroupEvent, event, 'plan-group step input');
    return planTenantGroup(await tenantContext(deps, step, stepDeadline(deps, context)), step.run, step.group);
  };
}

const handler = middy<unknown, GroupPlanSummary, Error, Context>((event: unknown, context: Context) =>
  planGroupStep(deployedDeps())(event, context),
).use(loggerMiddleware());

export { handler, planGroupStep };
