/**
 * The `aicore-janitor` command. User mistakes (bad flags, a missing or invalid policy or service
 * key, an unknown resource group, a bad tenants file) print one clear message and exit 2; runtime failures print the
 * message (with a hint for the common ones) and exit 1; Ctrl-C at a prompt exits 130. With --json
 * every outcome, errors included, is one versioned JSON document on stdout. Stack traces only with
 * DEBUG=1. Each command's module is loaded when it runs, so `help` or `validate` never load the
 * AWS SDK, the simulator or the local database.
 */
import { CredentialsError } from '../lib/aicore/errors.js';
import { UnknownGroupError } from '../lib/run/list-fleet.js';
import { PolicyFileError } from '../lib/run/policy-file.js';
import { TenantsError, TenantsFileError } from '../lib/tenants/errors.js';
import { EXIT, InputError, USAGE, UsageError, parseCli, type CliArgs } from './args.js';
import { commandUsage } from './commands.js';
import { PromptInterruptedError, processIo, type CliIo } from './io.js';
import { hintFor } from './hints.js';
import { CliFailure, jsonError } from './json-output.js';
import { errorMessage } from '../lib/util/errors.js';

async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  // Known before parsing, so even a bad command line answers --json with a JSON document.
  const json = argv.includes('--json');
  try {
    return await run(parseCli(argv), io);
  } catch (error) {
    if (process.env.DEBUG === '1' && error instanceof Error) io.err(error.stack ?? error.message);
    const { code, exitCode, message, extra, help } = classify(error);
    io.err(`aicore-janitor: ${message}${help === undefined ? '' : `\n${help}`}`);
    if (json) io.out(jsonError(code, message, exitCode, extra));
    return exitCode;
  }
}

async function run(args: CliArgs, io: CliIo): Promise<number> {
  switch (args.command) {
    case 'help':
      io.out(args.helpFor === undefined ? USAGE : commandUsage(args.helpFor));
      return EXIT.ok;
    case 'init':
      return await (await import('./init.js')).initCommand(args, io);
    case 'completion':
      return (await import('./completion.js')).completionCommand(args, io);
    case 'plan':
    case 'apply':
      return await (await import('./run-command.js')).runCommand(args, io);
    case 'ledger':
      return await (await import('./ledger.js')).ledgerCommand(args, io);
    case 'validate':
      return await (await import('./validate.js')).validateCommand(args, io);
    case 'explain':
      return await (await import('./explain.js')).explainCommand(args, io);
    case 'snooze':
      return await (await import('./snooze.js')).snoozeCommand(args, io);
    case 'snapshot':
      return await (await import('./snapshot.js')).snapshotCommand(args, io);
    case 'demo':
      return await (await import('./demo.js')).demoCommand(args, io);
    case 'simulator':
      return await (await import('./simulator.js')).simulatorCommand(args, io);
    case 'unlock':
      return await (await import('./unlock.js')).unlockCommand(args, io);
  }
}

interface Classified {
  code: string;
  exitCode: number;
  message: string;
  extra?: Record<string, unknown>;
  /** A second line: where to read on. */
  help?: string;
}

function classify(error: unknown): Classified {
  if (error instanceof UsageError) {
    const topic = error.command === undefined ? 'help' : `help ${error.command}`;
    return { code: 'usage', exitCode: EXIT.invalidInput, message: error.message, help: `Run 'aicore-janitor ${topic}' for usage.` };
  }
  if (error instanceof CliFailure) return { code: error.code, exitCode: error.exitCode, message: error.message, extra: error.extra };
  if (error instanceof PromptInterruptedError) return { code: 'interrupted', exitCode: EXIT.interrupted, message: error.message };
  if (error instanceof PolicyFileError) {
    return {
      code: `policy-${error.reason}`,
      exitCode: EXIT.invalidInput,
      message: error.message,
      extra: { path: error.path, ...(error.issues.length === 0 ? {} : { issues: error.issues }) },
    };
  }
  if (error instanceof UnknownGroupError)
    return {
      code: 'unknown-group',
      exitCode: EXIT.invalidInput,
      message: error.message,
      extra: { unknown: error.unknown, groups: error.available },
    };
  if (error instanceof InputError || error instanceof CredentialsError)
    return { code: 'invalid-input', exitCode: EXIT.invalidInput, message: error.message };
  if (error instanceof TenantsError) {
    const issues = error instanceof TenantsFileError && error.issues.length > 0 ? { issues: error.issues } : {};
    return { code: 'invalid-input', exitCode: EXIT.invalidInput, message: error.message, extra: issues };
  }
  const message = errorMessage(error);
  const hint = hintFor(message);
  return { code: 'runtime', exitCode: EXIT.failure, message, ...(hint === null ? {} : { help: hint, extra: { hint } }) };
}

export { main };
