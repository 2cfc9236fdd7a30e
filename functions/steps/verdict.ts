/** Step: the tenant's verdict over all its group plans (caps, plan hash, dry run or apply). */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { tenantVerdict, type VerdictSummary } from '../../lib/run/tenant/verdict.js';
import { loggerMiddleware } from '../adapters/log.js';
import { deployedDeps, stepDeadline, tenantContext, TenantStep, type StepDeps } from './tenant-context.js';
import { parseEvent } from '../adapters/event.js';

const VerdictEvent = TenantStep.extend({ groups: z.array(z.object({ id: z.string().min(1) })) });

function verdictStep(deps: StepDeps) {
  return async function verdict(event: unknown, context?: Context): Promise<VerdictSummary> {
    const step = parseEvent(VerdictEvent, event, 'verdict step input');
    return tenantVerdict(
      await tenantContext(deps, step, stepDeadline(deps, context)),
      step.run,
      step.groups.map((g) => g.id),
    );
  };
}

const handler = middy<unknown, VerdictSummary, Error, Context>((event: unknown, context: Context) =>
  verdictStep(deployedDeps())(event, context),
).use(loggerMiddleware());

export { handler, verdictStep };
