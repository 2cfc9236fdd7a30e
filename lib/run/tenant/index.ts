/**
 * lib/run/tenant: one tenant's run in pieces that a Step Functions state machine (or one process)
 * strings together — list groups, plan a group, the tenant verdict, apply a group, the digest — and
 * the estate summary across tenants. Pieces hand each other data through the store, by name.
 */
export { TenantRun, GroupRef, tenantCaps } from './context.js';
export type { TenantRunContext, TenantStore } from './context.js';
export { listTenantGroups, planTenantGroup } from './plan-group.js';
export type { TenantGroups, GroupPlanSummary } from './plan-group.js';
export { tenantVerdict } from './verdict.js';
export type { VerdictSummary } from './verdict.js';
export { applyTenantGroup } from './apply.js';
export type { ApplyGroupInput, ApplyOptions, GroupApplySummary } from './apply.js';
export { tenantDigest, TenantSummary } from './digest.js';
export { estateSummary, EstateSummary, TenantOutcome } from './summary.js';
export { runTenants } from './run-tenants.js';
export type { RunTenantsOptions } from './run-tenants.js';
export { STAGED } from './staged.js';
