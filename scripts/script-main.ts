/**
 * What the local chat scripts (slack-command.ts, teams-message.ts) share: send one signed request
 * and print the answer, and run `main` when the file is executed directly (not when imported).
 */
import { pathToFileURL } from 'node:url';
import { errorMessage } from '../lib/util/errors.js';

/** POSTs a signed request, prints `status body`, and returns the exit code (0 for a 2xx). */
async function sendSigned(url: string, request: { headers: Record<string, string>; body: string }): Promise<number> {
  const response = await fetch(url, { method: 'POST', headers: request.headers, body: request.body, signal: AbortSignal.timeout(10_000) });
  process.stdout.write(`${response.status} ${await response.text()}\n`);
  return response.ok ? 0 : 1;
}

/** Runs `main(argv)` and exits with its code when `moduleUrl` is the script node was started with. */
function runWhenExecuted(moduleUrl: string, main: (argv: string[]) => Promise<number>): void {
  if (process.argv[1] === undefined || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`${errorMessage(error)}\n`);
      process.exit(1);
    },
  );
}

export { sendSigned, runWhenExecuted };
