/** Step: the tenant's digest (one report and run record per tenant run). */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { tenantDigest, type TenantSummary } from '../../lib/run/tenant/digest.js';
import { log, loggerMiddleware } from '../adapters/log.js';
import { deployedDeps, stepDeadline, tenantContext, TenantStep, type StepDeps } from './tenant-context.js';
import { parseEvent } from '../adapters/event.js';

function digestStep(deps: StepDeps) {
  return async function digest(event: unknown, context?: Context): Promise<TenantSummary> {
    const step = parseEvent(TenantStep, event, 'digest step input');
    const summary = await tenantDigest(await tenantContext(deps, step, stepDeadline(deps, context)), step.run);
    log(summary.status === 'ok' ? 'info' : 'error', 'tenant run finished', {
      tenant: summary.tenant,
      runId: summary.runId,
      status: summary.status,
      planHash: summary.planHash,
      totals: summary.totals,
    });
    return summary;
  };
}

const handler = middy<unknown, TenantSummary, Error, Context>((event: unknown, context: Context) =>
  digestStep(deployedDeps())(event, context),
).use(loggerMiddleware());

export { handler, digestStep };
