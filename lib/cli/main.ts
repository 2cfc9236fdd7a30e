/**
 * The `aicore-janitor` command. User mistakes (bad flags, a missing or invalid policy or service
 * key) print one clear message and exit 2; runtime failures print the message and exit 1. Stack
 * traces only with DEBUG=1. Each command's module is loaded when it runs, so `help` or `validate`
 * never load the AWS SDK, the simulator or the local database.
 */
import { CredentialsError } from '../aicore/errors.js';
import { PolicyFileError } from '../run/policy-file.js';
import { EXIT, InputError, USAGE, UsageError, parseCli } from './args.js';
import { processIo, type CliIo } from './io.js';

async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    const args = parseCli(argv);
    switch (args.command) {
      case 'help':
        io.out(USAGE);
        return EXIT.ok;
      case 'plan':
      case 'apply':
        return await (await import('./run-command.js')).runCommand(args, io);
      case 'ledger':
        return await (await import('./ledger.js')).ledgerCommand(args, io);
      case 'validate':
        return await (await import('./validate.js')).validateCommand(args, io);
      case 'explain':
        return await (await import('./explain.js')).explainCommand(args, io);
      case 'snapshot':
        return await (await import('./snapshot.js')).snapshotCommand(args, io);
      case 'demo':
        return await (await import('./demo.js')).demoCommand(args, io);
      case 'simulator':
        return await (await import('./simulator.js')).simulatorCommand(args, io);
      case 'unlock':
        return await (await import('./unlock.js')).unlockCommand(args, io);
    }
  } catch (error) {
    if (process.env.DEBUG === '1' && error instanceof Error) io.err(error.stack ?? error.message);
    if (error instanceof UsageError) {
      io.err(`aicore-janitor: ${error.message}\n\n${USAGE}`);
      return EXIT.invalidInput;
    }
    if (error instanceof InputError || error instanceof PolicyFileError || error instanceof CredentialsError) {
      io.err(`aicore-janitor: ${error.message}`);
      return EXIT.invalidInput;
    }
    io.err(`aicore-janitor: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.failure;
  }
}

export { main };
