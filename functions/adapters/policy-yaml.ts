/**
 * Reads a YAML (or JSON) policy file with the full parser (lib/run/policy-file.ts). Only unbundled
 * code uses this module: the function bundles replace it with policy-yaml.bundle.ts (see
 * infra/build/esbuild-config.cjs), so no YAML parser is bundled.
 */
export { loadPolicyFile as loadPolicyText } from '../../lib/run/policy-file.js';
