/**
 * Reading a policy file is I/O, so it lives here rather than in the pure lib/policy. Every front
 * door (scheduled function, CLI, chat worker) loads policies through this one function.
 */
import { readFile } from 'node:fs/promises';
import { formatPolicyIssues, parsePolicy, type Policy } from '../policy/index.js';

class PolicyFileError extends Error {
  override name = 'PolicyFileError';
}

interface LoadedPolicy {
  policy: Policy;
  digest: string;
  path: string;
}

async function loadPolicyFile(path: string): Promise<LoadedPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = error instanceof Error && 'code' in error ? String(error.code) : 'unreadable';
    throw new PolicyFileError(code === 'ENOENT' ? `policy file ${path} not found (pass --policy FILE)` : `cannot read policy file ${path} (${code})`);
  }
  const parsed = parsePolicy(text, path);
  if (!parsed.ok) throw new PolicyFileError(`policy file ${path} is invalid:\n${formatPolicyIssues(parsed.errors)}`);
  return { policy: parsed.policy, digest: parsed.digest, path };
}

export { loadPolicyFile, PolicyFileError };
export type { LoadedPolicy };
