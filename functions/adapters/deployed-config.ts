/**
 * Configuration compiled into the bundle at build time. infra/build/esbuild-config.cjs parses and
 * validates the deployed configuration (today: the policy file named by `policyFile`) when the
 * package is built, and defines `__JANITOR_DEPLOYED_CONFIG__` as its JSON text; this module reads
 * it back at cold start and validates it again with the same schema, so a bundle never trusts
 * what it was given and never needs a YAML parser. Unbundled (tsx: tests, the CLI, `npm start`)
 * nothing is defined and the policy file is read as it is.
 */
import * as z from 'zod';
import { formatIssueLines, validatePolicyDocument } from '../../lib/policy/validate.js';
import type { LoadedPolicy } from '../../lib/run/policy-file.js';
import { errorMessage } from '../../lib/util/errors.js';
import { FunctionError } from './errors.js';

declare const __JANITOR_DEPLOYED_CONFIG__: string | undefined;

/** What the build writes. `source` is the path the policy was compiled from (JANITOR_POLICY_FILE). */
const DeployedConfig = z.strictObject({
  version: z.literal(1),
  policy: z.strictObject({ source: z.string().min(1), document: z.unknown(), digest: z.string() }),
});
type DeployedConfig = z.infer<typeof DeployedConfig>;

class DeployedConfigError extends FunctionError {
  override name = 'DeployedConfigError';
}

/** The compiled configuration's JSON text, or undefined when the code runs unbundled. */
function compiledText(): string | undefined {
  return typeof __JANITOR_DEPLOYED_CONFIG__ === 'string' ? __JANITOR_DEPLOYED_CONFIG__ : undefined;
}

/**
 * The configuration compiled into this bundle (validated envelope), or undefined when unbundled.
 *
 * @example
 * const config = deployedConfig(); // { version: 1, policy: { source: 'examples/policy.yaml', … } } in a bundle
 */
function deployedConfig(text: string | undefined = compiledText()): DeployedConfig | undefined {
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new DeployedConfigError(`the configuration compiled into this bundle is not JSON: ${errorMessage(error)}`);
  }
  const parsed = DeployedConfig.safeParse(raw);
  if (!parsed.success)
    throw new DeployedConfigError(`the configuration compiled into this bundle is malformed:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * Validates a policy document (compiled JSON, or a `.json` file's content) with the policy schema;
 * throws with every problem listed.
 */
function policyFromDocument(document: unknown, source: string, expectedDigest?: string): LoadedPolicy {
  const result = validatePolicyDocument(document);
  if (!result.ok) throw new DeployedConfigError(`policy ${source} is invalid:\n${formatIssueLines(result.errors)}`);
  if (expectedDigest !== undefined && result.digest !== expectedDigest) {
    throw new DeployedConfigError(
      `policy ${source}: digest at cold start ${result.digest} differs from the build's ${expectedDigest} (schema changed since the build?)`,
    );
  }
  return { policy: result.policy, digest: result.digest, path: source };
}

export { deployedConfig, policyFromDocument, DeployedConfig, DeployedConfigError };
