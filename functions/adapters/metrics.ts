/**
 * CloudWatch metrics as Embedded Metric Format (EMF) log lines, written by Powertools Metrics:
 * no PutMetricData call, no IAM permission, no latency. One EMF document per invocation, flushed
 * by `metricsMiddleware` after the handler (also when it throws, so failures still count).
 *
 * Every metric carries one dimension, `service` (POWERTOOLS_SERVICE_NAME, `<service>-<stage>` in
 * serverless.yml); the alarms in infra/alarms.yml select on exactly that dimension.
 */
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';
import type { RunReport } from '../../lib/run/report.js';
import { CONFIG_DEFAULTS } from './config.js';
import { isSilent } from './log.js';

/** Metric names, shared with infra/alarms.yml and docs/DEPLOY.md. */
const METRIC = {
  heartbeat: 'Heartbeat',
  planned: 'Planned',
  submitted: 'Submitted',
  confirmed: 'Confirmed',
  failed: 'Failed',
  awaitingConfirmation: 'AwaitingConfirmation',
  notAttempted: 'NotAttempted',
  /** Groups whose listing failed: such a run is not a success and records no heartbeat. */
  listingFailures: 'ListingFailures',
  apiCalls: 'ApiCalls',
  storeRequests: 'StoreRequests',
  duration: 'RunDuration',
} as const;

const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? CONFIG_DEFAULTS.metricsNamespace,
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? CONFIG_DEFAULTS.serviceName,
});

/** The invocation finished: the heartbeat alarm fires when these stop arriving. */
function recordHeartbeat(): void {
  metrics.addMetric(METRIC.heartbeat, MetricUnit.Count, 1);
}

/** The outcome of one completed run. A dry run reports what it planned and zero submissions. */
function recordRun(report: RunReport): void {
  const t = report.totals;
  metrics.addMetric(METRIC.planned, MetricUnit.Count, t.planned);
  metrics.addMetric(METRIC.submitted, MetricUnit.Count, t.sent);
  metrics.addMetric(METRIC.confirmed, MetricUnit.Count, t.confirmed);
  metrics.addMetric(METRIC.failed, MetricUnit.Count, t.failed);
  metrics.addMetric(METRIC.awaitingConfirmation, MetricUnit.Count, t.awaitingConfirmation);
  metrics.addMetric(METRIC.notAttempted, MetricUnit.Count, t.notAttempted);
  metrics.addMetric(METRIC.listingFailures, MetricUnit.Count, report.listingFailures.length);
  metrics.addMetric(METRIC.apiCalls, MetricUnit.Count, report.apiCalls);
  metrics.addMetric(METRIC.storeRequests, MetricUnit.Count, report.storeRequests);
  const durationMs = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  if (Number.isFinite(durationMs)) metrics.addMetric(METRIC.duration, MetricUnit.Milliseconds, durationMs);
}

/**
 * Publishes what the invocation recorded. Under `LOG_LEVEL=silent` (the CLI demo) the metrics are
 * dropped instead: EMF documents are stdout lines, and the demo's stdout is its report.
 */
function metricsMiddleware<E, R>(): MiddlewareObj<E, R> {
  const flushMetrics = (): void => {
    if (isSilent()) metrics.clearMetrics();
    else if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  };
  return { after: flushMetrics, onError: flushMetrics };
}

export { METRIC, metrics, recordHeartbeat, recordRun, metricsMiddleware };
