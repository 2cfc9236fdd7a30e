/**
 * What every step of a tenant run is given: the tenant (from the tenants file), its AI Core client,
 * its store (namespaced by the tenant's service key: lib/aicore tenantNamespace), its policy, a
 * clock; and the run it belongs to, which the state machine's execution input carries to every step.
 */
import type { AiCoreClient } from '../../aicore/client.js';
import type { Caps, Policy } from '../../policy/schema.js';
import type { GroupLockStore, JanitorStore, StagingStore } from '../../store/ports.js';
import type { Tenant } from '../../tenants/schema.js';
import * as z from 'zod';

type TenantStore = JanitorStore & StagingStore & GroupLockStore;

interface TenantRunContext {
  tenant: Tenant;
  client: AiCoreClient;
  store: TenantStore;
  policy: Policy;
  clock: () => Date;
}

/** The run as every step sees it (small: it travels in each state's input). */
const TenantRun = z.strictObject({
  /** The execution's run id (its name), shared by every tenant of one execution. */
  runId: z.string().min(1).max(80),
  /** Who started it: `schedule`, `cli`, `slack:U123`. */
  trigger: z.string().min(1),
  /** The trigger's consent to act; the policy must also say `mode: apply`. */
  consent: z.boolean(),
  /** The instant every group of the run is evaluated at (ISO-8601), so their plans agree. */
  startedAt: z.iso.datetime({ offset: true }),
  /** A chat-ops approval: act only if the tenant's fresh plan has exactly this hash. */
  requirePlanHash: z.string().min(1).nullable().default(null),
});
type TenantRun = z.infer<typeof TenantRun>;

/** A group as the listing step found it. */
const GroupRef = z.strictObject({ id: z.string().min(1), labels: z.record(z.string(), z.string()) });
type GroupRef = z.infer<typeof GroupRef>;

/** The policy's caps, tightened (never loosened) by the tenant's limits. */
function tenantCaps(policy: Policy, tenant: Tenant): Caps {
  const { maxActionsPerRun, maxActionsPerDay } = tenant.limits;
  return {
    ...policy.caps,
    maxActionsPerRun:
      maxActionsPerRun === undefined ? policy.caps.maxActionsPerRun : Math.min(maxActionsPerRun, policy.caps.maxActionsPerRun),
    maxActionsPerDay:
      maxActionsPerDay === undefined ? policy.caps.maxActionsPerDay : Math.min(maxActionsPerDay, policy.caps.maxActionsPerDay),
  };
}

/**
 * The policy as this tenant runs it: the tenants file's `rates:` (the tenant's own contract)
 * replace the policy's. Caps are tightened separately (tenantCaps).
 *
 * @example
 * const ctx = { tenant, client, store, policy: tenantPolicy(policy, tenant), clock };
 */
function tenantPolicy(policy: Policy, tenant: Tenant): Policy {
  return tenant.rates === undefined ? policy : { ...policy, rates: tenant.rates };
}

export { TenantRun, GroupRef, tenantCaps, tenantPolicy };
export type { TenantRunContext, TenantStore };
