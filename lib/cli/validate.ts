/** `validate FILE`: every problem in a policy file at once, with paths; exit 2 when there are any. */
import { loadPolicyFile } from '../run/policy-file.js';
import { EXIT, UsageError, type CliArgs } from './args.js';
import type { CliIo } from './io.js';

async function validateCommand(args: CliArgs, io: CliIo): Promise<number> {
  const file = args.positionals[0] ?? args.policy;
  if (file === undefined) throw new UsageError('validate needs a policy file: aicore-janitor validate FILE');
  const loaded = await loadPolicyFile(file);
  io.out(`${loaded.path}: valid (mode ${loaded.policy.mode}, ${loaded.policy.rules.length} rule(s), digest ${loaded.digest.slice(0, 12)})`);
  return EXIT.ok;
}

export { validateCommand };
