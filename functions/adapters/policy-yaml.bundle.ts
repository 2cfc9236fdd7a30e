/**
 * Stands in for policy-yaml.ts inside the function bundles, which carry no YAML parser: the policy
 * was compiled to JSON when the package was built (infra/build/esbuild-config.cjs). Reached only when
 * JANITOR_POLICY_FILE names a YAML file other than the one compiled in.
 */
import type { LoadedPolicy } from '../../lib/run/policy-file.js';
import { deployedConfig, DeployedConfigError } from './deployed-config.js';

async function loadPolicyText(path: string): Promise<LoadedPolicy> {
  const compiled = deployedConfig()?.policy.source ?? '(none)';
  throw new DeployedConfigError(
    `JANITOR_POLICY_FILE=${path}, but this bundle was built with the policy compiled from ${compiled} and parses no YAML at run time: rebuild with --param="policyFile=${path}", or point JANITOR_POLICY_FILE at a .json policy`,
  );
}

export { loadPolicyText };
