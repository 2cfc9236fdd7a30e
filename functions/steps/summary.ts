/**
 * Step: the estate's summary across tenants. Only an estate where every tenant is ok records the
 * heartbeat: a run that could not see everything is not a success, and the alarm says so.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { estateSummary, TenantOutcome, type EstateSummary } from '../../lib/run/tenant/summary.js';
import { log, loggerMiddleware } from '../adapters/log.js';
import { metricsMiddleware, recordHeartbeat } from '../adapters/metrics.js';
import { parseEvent } from '../adapters/event.js';

const SummaryEvent = z.object({ runId: z.string().min(1), tenants: z.array(TenantOutcome) });

async function summaryStep(event: unknown): Promise<EstateSummary> {
  const { runId, tenants } = parseEvent(SummaryEvent, event, 'summary step input');
  const estate = estateSummary(runId, tenants);
  log(estate.status === 'ok' ? 'info' : 'error', 'estate run finished', {
    runId,
    status: estate.status,
    byStatus: estate.byStatus,
    totals: estate.totals,
  });
  if (estate.status === 'ok') recordHeartbeat();
  return estate;
}

const handler = middy<unknown, EstateSummary, Error, Context>(summaryStep).use(loggerMiddleware()).use(metricsMiddleware());

export { handler, summaryStep };
