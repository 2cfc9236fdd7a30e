/**
 * The terminal, injectable so commands can be tested without a real one. Questions go to stderr,
 * so `apply > plan.txt` or `apply | tee log` still asks the person at the keyboard; whether one can
 * be asked depends on stdin alone.
 */
import { createInterface } from 'node:readline';
import { CliError } from './errors.js';

/** Ctrl-C at a prompt: the run stops, nothing is applied, exit 130 (as shells expect). */
class PromptInterruptedError extends CliError {
  override name = 'PromptInterruptedError';
}

interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** A person can answer questions: stdin is a terminal. */
  isInteractive: boolean;
  /** The answer; null on end of input (Ctrl-D). Ctrl-C rejects with PromptInterruptedError. */
  ask(question: string): Promise<string | null>;
  /** stderr is a terminal: progress may redraw one status line (written with `status`). */
  statusLine?: boolean;
  /** Writes `text` to stderr as is (no newline): the progress bar's redraws. */
  status?(text: string): void;
  /** stdout is a terminal (not `> file` or `| tee`). */
  outIsTerminal?: boolean;
  /** Colour on stdout: a terminal, and NO_COLOR unset. */
  color?: boolean;
}

/** Colour only on a terminal, never with NO_COLOR (https://no-color.org) or TERM=dumb. */
function colorAllowed(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (env.NO_COLOR ?? '') === '' && env.TERM !== 'dumb';
}

function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    isInteractive: process.stdin.isTTY,
    statusLine: process.stderr.isTTY && process.env.TERM !== 'dumb',
    status: (text) => process.stderr.write(text),
    outIsTerminal: process.stdout.isTTY,
    color: colorAllowed(process.stdout),
    ask: (question) => askOnTerminal(question),
  };
}

function askOnTerminal(question: string): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: process.stdin.isTTY });
    let settled = false;
    const finish = (answer: string | null, error?: Error): void => {
      if (settled) return;
      settled = true;
      rl.close();
      if (error === undefined) resolve(answer);
      else reject(error);
    };
    rl.on('SIGINT', () => {
      process.stderr.write('\n');
      finish(null, new PromptInterruptedError('interrupted at the prompt: nothing was applied'));
    });
    rl.on('close', () => {
      if (!settled) process.stderr.write('\n');
      finish(null);
    });
    rl.question(question, (answer) => finish(answer));
  });
}

export { processIo, colorAllowed, PromptInterruptedError };
export type { CliIo };
