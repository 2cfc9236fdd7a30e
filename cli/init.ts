/**
 * `init [FILE]`: writes a commented starting policy (examples/policy.yaml, in dry-run mode) to
 * ./policy.yaml or FILE. It never overwrites: an existing file is left alone and the command exits 2.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DEFAULT_POLICY_FILE, EXIT, InputError, type CliArgs } from './args.js';
import type { CliIo } from './io.js';
import { jsonDocument } from './json-output.js';
import { errorMessage, errorCode } from '../lib/util/errors.js';

const EXAMPLE_POLICY = fileURLToPath(new URL('../examples/policy.yaml', import.meta.url));

/** The example policy, retitled for its new home and guaranteed to start in dry-run. */
async function starterPolicy(file: string): Promise<string> {
  const example = await readFile(EXAMPLE_POLICY, 'utf8');
  const body = example
    .split('\n')
    .filter((line) => !line.startsWith('# yaml-language-server:'))
    .join('\n')
    .replace(/^#\n/, '')
    .replace('aicore-janitor example policy:', 'aicore-janitor policy, written by `aicore-janitor init`:')
    .replace('aicore-janitor validate examples/policy.yaml', `aicore-janitor validate ${file}`)
    .replace(/^mode: .*$/m, 'mode: dry-run');
  return `${body.trimEnd()}\n`;
}

async function initCommand(args: CliArgs, io: CliIo): Promise<number> {
  const file = args.positionals[0] ?? DEFAULT_POLICY_FILE;
  try {
    // `wx`: created only if it does not exist, in one step (no check-then-write race).
    await writeFile(file, await starterPolicy(file), { flag: 'wx' });
  } catch (error) {
    const code = errorCode(error) ?? '';
    if (code === 'EEXIST')
      throw new InputError(
        `${file} already exists; nothing was written (edit it, check it with \`aicore-janitor validate ${file}\`, or pass another FILE)`,
      );
    if (code === 'ENOENT') throw new InputError(`cannot write ${file}: its directory does not exist`);
    throw new InputError(`cannot write ${file} (${code || errorMessage(error)})`);
  }
  io.out(
    args.json
      ? jsonDocument({ wrote: file, mode: 'dry-run' })
      : `Wrote ${file} (mode: dry-run: every run only plans). Next: \`aicore-janitor plan${file === DEFAULT_POLICY_FILE ? '' : ` --policy ${file}`}\`.`,
  );
  return EXIT.ok;
}

export { initCommand, starterPolicy };
