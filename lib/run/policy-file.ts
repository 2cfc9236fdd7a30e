/**
 * Reading a policy file is I/O, so it lives here rather than in the pure lib/policy. Every front
 * door (scheduled function, CLI, chat worker) loads policies through this one function.
 */
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { formatPolicyIssues, parsePolicy, type Policy, type PolicyIssue } from '../policy/index.js';
import { errorCode } from '../util/errors.js';

class PolicyFileError extends Error {
  override name = 'PolicyFileError';
  constructor(
    message: string,
    /** Where the file is: as given. */
    readonly path: string,
    /** `missing`: no such file; `unreadable`; `invalid`: see `issues`. */
    readonly reason: 'missing' | 'unreadable' | 'invalid',
    /** Every problem found, for `validate --json`. */
    readonly issues: readonly PolicyIssue[] = [],
  ) {
    super(message);
  }
}

interface LoadedPolicy {
  policy: Policy;
  digest: string;
  path: string;
  /** Whether the file says `mode:` itself (false: the default, dry-run, applies). */
  modeSet?: boolean;
}

async function loadPolicyFile(path: string): Promise<LoadedPolicy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = errorCode(error) ?? 'unreadable';
    if (code === 'ENOENT') throw new PolicyFileError(`policy file ${path} not found`, path, 'missing');
    throw new PolicyFileError(
      code === 'EISDIR' ? `policy file ${path} is a directory` : `cannot read policy file ${path} (${code})`,
      path,
      'unreadable',
    );
  }
  const parsed = parsePolicy(text, path);
  if (!parsed.ok)
    throw new PolicyFileError(`policy file ${path} is invalid:\n${formatPolicyIssues(parsed.errors)}`, path, 'invalid', parsed.errors);
  return { policy: parsed.policy, digest: parsed.digest, path, modeSet: saysMode(text) };
}

/** The file names a mode (read once more: parsePolicy fills in the default). */
function saysMode(text: string): boolean {
  try {
    const raw: unknown = parseYaml(text);
    return typeof raw === 'object' && raw !== null && 'mode' in raw;
  } catch {
    return true;
  }
}

export { loadPolicyFile, PolicyFileError };
export type { LoadedPolicy };
