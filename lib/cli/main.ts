/**
 * The `aicore-janitor` command. User mistakes (bad flags, a missing or invalid policy or service
 * key) print one clear message and exit 2; runtime failures print the message and exit 1. Stack
 * traces only with DEBUG=1.
 */
import { CredentialsError } from '../aicore/errors.js';
import { PolicyFileError } from '../run/policy-file.js';
import { EXIT, InputError, USAGE, UsageError, parseCli } from './args.js';
import { demoCommand } from './demo.js';
import { processIo, type CliIo } from './io.js';
import { runCommand } from './run-command.js';
import { simulatorCommand } from './simulator.js';
import { snapshotCommand } from './snapshot.js';
import { validateCommand } from './validate.js';
import { explainCommand } from './explain.js';
import { ledgerCommand } from './ledger.js';

async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    const args = parseCli(argv);
    switch (args.command) {
      case 'help':
        io.out(USAGE);
        return EXIT.ok;
      case 'plan':
      case 'apply':
        return await runCommand(args, io);
      case 'ledger':
        return await ledgerCommand(args, io);
      case 'validate':
        return await validateCommand(args, io);
      case 'explain':
        return await explainCommand(args, io);
      case 'snapshot':
        return await snapshotCommand(args, io);
      case 'demo':
        return await demoCommand(args, io);
      case 'simulator':
        return await simulatorCommand(args, io);
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
