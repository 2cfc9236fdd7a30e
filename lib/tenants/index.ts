/** lib/tenants: the tenants file (schema, loader, JSON Schema). */
export { TenantsFile, Tenant, Limits, TENANT_NAME } from './schema.js';
export type { TenantInput } from './schema.js';
export { parseTenants, loadTenantsFile, findTenant } from './load.js';
export { TenantsError, TenantsFileError, UnknownTenantError } from './errors.js';
export { tenantsJsonSchema, tenantsJsonSchemaText } from './json-schema.js';
