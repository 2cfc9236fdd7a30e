/**
 * The estate's summary across tenants: the state machine's last step and the CLI's closing lines.
 * A tenant whose child failed is counted as failed, with its error; it never hides another's result.
 */
import * as z from 'zod';
import { TenantSummary } from './digest.js';
import { StagedTotals } from './staged.js';

/** What a tenant's child execution ends with: its digest, or the failure its Catch recorded. */
const TenantOutcome = z.union([
  TenantSummary,
  z.object({
    tenant: z.string(),
    status: z.literal('error'),
    // The state machine's Catch hands over {Error, Cause}; runTenants a message.
    error: z.union([
      z.string(),
      z
        .object({ Error: z.string().optional(), Cause: z.string().optional() })
        .transform((e) => [e.Error, e.Cause].filter((x) => x !== undefined).join(': ') || 'unknown error'),
    ]),
  }),
]);
type TenantOutcome = z.infer<typeof TenantOutcome>;

const EstateSummary = z.object({
  runId: z.string(),
  /** ok only when every tenant is ok: a run that could not see everything is not a success. */
  status: z.enum(['ok', 'incomplete', 'failed']),
  tenants: z.number().int().nonnegative(),
  byStatus: z.object({ ok: z.number(), incomplete: z.number(), failed: z.number(), error: z.number() }),
  totals: StagedTotals,
  /** One line per tenant, in tenant order. */
  lines: z.array(z.string()),
});
type EstateSummary = z.infer<typeof EstateSummary>;

const TOTAL_KEYS = StagedTotals.keyof().options;

/**
 * @example
 * const estate = estateSummary('run-1', outcomes);
 * process.exitCode = estate.status === 'ok' ? 0 : 1;
 */
function estateSummary(runId: string, outcomes: readonly TenantOutcome[]): EstateSummary {
  const sorted = [...outcomes].sort((a, b) => (a.tenant < b.tenant ? -1 : a.tenant > b.tenant ? 1 : 0));
  const byStatus = { ok: 0, incomplete: 0, failed: 0, error: 0 };
  const totals = { planned: 0, sent: 0, confirmed: 0, awaitingConfirmation: 0, failed: 0, notAttempted: 0 };
  const lines: string[] = [];
  for (const o of sorted) {
    byStatus[o.status] += 1;
    if (o.status === 'error') {
      lines.push(`${o.tenant}: FAILED: ${o.error}`);
      continue;
    }
    for (const k of TOTAL_KEYS) totals[k] += o.totals[k];
    lines.push(o.digest);
  }
  const status = byStatus.failed + byStatus.error > 0 ? 'failed' : byStatus.incomplete > 0 ? 'incomplete' : 'ok';
  return { runId, status, tenants: sorted.length, byStatus, totals, lines };
}

export { estateSummary, EstateSummary, TenantOutcome };
