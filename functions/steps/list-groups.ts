/** Step: the tenant's resource groups and capabilities (the input of its plan Map). */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { listTenantGroups, type TenantGroups } from '../../lib/run/tenant/plan-group.js';
import { loggerMiddleware } from '../adapters/log.js';
import { deployedDeps, stepDeadline, tenantContext, TenantStep, type StepDeps } from './tenant-context.js';
import { parseEvent } from '../adapters/event.js';

function listGroupsStep(deps: StepDeps) {
  return async function listGroups(event: unknown, context?: Context): Promise<TenantGroups> {
    const step = parseEvent(TenantStep, event, 'list-groups step input');
    return listTenantGroups(await tenantContext(deps, step, stepDeadline(deps, context)));
  };
}

const handler = middy<unknown, TenantGroups, Error, Context>((event: unknown, context: Context) =>
  listGroupsStep(deployedDeps())(event, context),
).use(loggerMiddleware());

export { handler, listGroupsStep };
