/**
 * The chat-ops worker: invoked asynchronously by the webhook with a verified, parsed job. It does
 * the slow part (list, plan, maybe apply) and posts one digest to the job's response_url. A job
 * that does not validate is logged and dropped: retrying it could not make it valid.
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod';
import { ChatJob } from '../lib/chatops/job.js';
import { chatDepsFromEnv, executeChatJob, type ChatOutcome } from './adapters/chat-command.js';
import { readEnv } from './adapters/config.js';
import { log, loggerMiddleware } from './adapters/log.js';
import { metricsMiddleware } from './adapters/metrics.js';
import { serviceKeyMiddleware, serviceKeyOf } from './adapters/service-key.js';

type WorkerResult = ChatOutcome | { status: 'invalid'; error: string };

async function workerHandler(event: unknown, context: Context): Promise<WorkerResult> {
  const job = ChatJob.safeParse(event);
  if (!job.success) {
    const error = z.prettifyError(job.error);
    log('error', 'worker event is not a chat job; dropped', { error });
    return { status: 'invalid', error };
  }
  const deps = chatDepsFromEnv(readEnv(), serviceKeyOf(context), () => context.getRemainingTimeInMillis());
  const outcome = await executeChatJob(job.data, deps);
  log('info', `chat ${job.data.command.name}: ${outcome.status}`, {
    triggerId: job.data.triggerId,
    source: job.data.source,
    posted: 'posted' in outcome ? outcome.posted : false,
  });
  return outcome;
}

const handler = middy<unknown, WorkerResult, Error, Context>(workerHandler)
  .use(loggerMiddleware())
  .use(metricsMiddleware())
  .use(serviceKeyMiddleware());

export { handler, workerHandler };
export type { WorkerResult };
