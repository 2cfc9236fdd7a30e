/** The terminal, injectable so commands can be tested without a real one. */
import { createInterface } from 'node:readline/promises';

interface CliIo {
  out(text: string): void;
  err(text: string): void;
  isInteractive: boolean;
  ask(question: string): Promise<string>;
}

function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    isInteractive: process.stdin.isTTY && process.stdout.isTTY,
    ask: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}

export { processIo };
export type { CliIo };
