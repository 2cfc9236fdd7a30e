/**
 * How a tenants file's text becomes data outside the function bundles: YAML (a superset of JSON).
 * The function bundles replace this module with text.bundle.ts (infra/build/esbuild-config.cjs),
 * so no YAML parser is bundled there.
 */
export { parse as parseTenantsText } from 'yaml';
