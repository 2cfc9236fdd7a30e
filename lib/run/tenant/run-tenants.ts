/**
 * The same tenant run in one process (the CLI's `--tenants FILE`, tests, the bench's baseline):
 * each tenant goes list → plan every group (bounded by its groupConcurrency) → verdict → apply every
 * approved group (bounded) → digest, with the very functions the state machine's steps call; the
 * tenants themselves run `tenantConcurrency` at once. One tenant's failure is its own.
 */
import { mapLimited } from '../../util/concurrency.js';
import { RUN_DEFAULTS } from '../defaults.js';
import type { Tenant, TenantsFile } from '../../tenants/schema.js';
import { applyTenantGroup, type ApplyOptions } from './apply.js';
import { errorMessage } from '../../util/errors.js';
import type { TenantRun, TenantRunContext } from './context.js';
import { tenantDigest } from './digest.js';
import { listTenantGroups, planTenantGroup } from './plan-group.js';
import { estateSummary, type EstateSummary, type TenantOutcome } from './summary.js';
import { tenantVerdict, type VerdictSummary } from './verdict.js';

interface RunTenantsOptions {
  tenants: TenantsFile;
  run: TenantRun;
  /** Builds one tenant's context: its service key (a local file for the CLI), client, store, policy. */
  contextFor: (tenant: Tenant) => Promise<TenantRunContext>;
  /** Apply deadline per group run (e.g. the CLI's --deadline). */
  deadline: Date;
  tenantConcurrency?: number;
  /** Asked per tenant after its verdict, before its first action (the CLI's prompt); false skips that tenant's apply. */
  approve?: (tenant: Tenant, verdict: VerdictSummary) => Promise<boolean>;
  onProgress?: (message: string) => void;
  apply?: Omit<ApplyOptions, 'deadline'>;
}

async function runOneTenant(ctx: TenantRunContext, options: RunTenantsOptions): Promise<TenantOutcome> {
  const { run } = options;
  const progress = options.onProgress ?? (() => undefined);
  const listing = await listTenantGroups(ctx);
  progress(`${ctx.tenant.name}: planning ${listing.groups.length} resource group(s)`);
  await mapLimited(listing.groups, listing.groupConcurrency, (group) => planTenantGroup(ctx, run, group));
  const verdict = await tenantVerdict(
    ctx,
    run,
    listing.groups.map((g) => g.id),
  );
  const approved =
    verdict.apply.length === 0 || options.approve === undefined || verdict.planned === 0
      ? true
      : await options.approve(ctx.tenant, verdict);
  if (approved && verdict.apply.length > 0) {
    progress(`${ctx.tenant.name}: applying ${verdict.planned} action(s) in ${verdict.apply.length} group(s)`);
    await mapLimited(verdict.apply, listing.groupConcurrency, (g) =>
      applyTenantGroup(
        ctx,
        run,
        { group: g.group, planName: g.planName, bulkUpdates: listing.bulkUpdates },
        { ...options.apply, deadline: options.deadline },
      ),
    );
  }
  return tenantDigest(ctx, approved ? run : { ...run, consent: false });
}

/**
 * @example
 * const estate = await runTenants({ tenants, run: { runId, trigger: 'cli', consent: true, startedAt, requirePlanHash: null }, contextFor, deadline });
 * for (const line of estate.lines) console.log(line);
 */
async function runTenants(options: RunTenantsOptions): Promise<{ estate: EstateSummary; outcomes: TenantOutcome[] }> {
  const outcomes = await mapLimited(
    options.tenants.tenants,
    options.tenantConcurrency ?? RUN_DEFAULTS.tenantConcurrency,
    async (tenant): Promise<TenantOutcome> => {
      try {
        return await runOneTenant(await options.contextFor(tenant), options);
      } catch (error) {
        return { tenant: tenant.name, status: 'error', error: errorMessage(error) };
      }
    },
  );
  return { estate: estateSummary(options.run.runId, outcomes), outcomes };
}

export { runTenants };
export type { RunTenantsOptions };
