/**
 * Build-time compilation of the deployed configuration: reads the policy file (YAML or JSON),
 * validates it exactly as the CLI does (every problem with its line), and prints the envelope that
 * infra/build/esbuild-config.cjs compiles into the function bundles as JSON. Exits 1, printing the
 * problems, when the policy is invalid, so a broken policy fails the build, not a cold start.
 *
 * Usage: node --import tsx infra/build/compile-config.ts <policy file>
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { formatPolicyIssues, parsePolicy } from '../../lib/policy/index.js';
import { validatePolicyDocument } from '../../lib/policy/validate.js';
import { errorMessage } from '../../lib/util/errors.js';

function compileConfig(policyFile: string): string {
  const text = readFileSync(policyFile, 'utf8');
  const parsed = parsePolicy(text, policyFile);
  if (!parsed.ok) throw new Error(`policy file ${policyFile} is invalid:\n${formatPolicyIssues(parsed.errors)}`);
  // The document as written (defaults not yet applied): the function applies the schema itself.
  const document: unknown = parseDocument(text, {
    version: '1.2',
    schema: policyFile.toLowerCase().endsWith('.json') ? 'json' : 'core',
    uniqueKeys: true,
  }).toJS({ maxAliasCount: 50 });
  const again = validatePolicyDocument(document);
  if (!again.ok || again.digest !== parsed.digest)
    throw new Error(`policy file ${policyFile}: the compiled document does not validate to the same policy`);
  return JSON.stringify({ version: 1, policy: { source: policyFile, document, digest: parsed.digest } });
}

const file = process.argv[2];
if (file === undefined) {
  process.stderr.write('usage: node --import tsx infra/build/compile-config.ts <policy file>\n');
  process.exitCode = 2;
} else {
  try {
    process.stdout.write(compileConfig(file));
  } catch (error) {
    process.stderr.write(`${errorMessage(error)}\n`);
    process.exitCode = 1;
  }
}
