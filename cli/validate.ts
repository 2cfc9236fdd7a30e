/** `validate [FILE]`: every problem in a policy file at once, with paths; exit 2 when there are any. */
import { loadPolicyFile } from '../lib/run/policy-file.js';
import { DEFAULT_POLICY_FILE, EXIT, type CliArgs } from './args.js';
import type { CliIo } from './io.js';
import { jsonDocument } from './json-output.js';

async function validateCommand(args: CliArgs, io: CliIo): Promise<number> {
  const file = args.positionals[0] ?? DEFAULT_POLICY_FILE;
  const loaded = await loadPolicyFile(file);
  const mode = loaded.modeSet === false ? `${loaded.policy.mode} (the default: the file sets no mode)` : loaded.policy.mode;
  io.out(
    args.json
      ? jsonDocument({
          valid: true,
          path: loaded.path,
          mode: loaded.policy.mode,
          modeSet: loaded.modeSet ?? true,
          rules: loaded.policy.rules.length,
          digest: loaded.digest,
        })
      : `${loaded.path}: valid (mode ${mode}, ${loaded.policy.rules.length} rule(s), digest ${loaded.digest.slice(0, 12)})`,
  );
  return EXIT.ok;
}

export { validateCommand };
