/** The real `aicore-janitor` binary in a child process, as a user runs it (optionally on a pty via script(1)). */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = process.cwd();
const BIN = join(ROOT, 'bin/aicore-janitor.js');

interface BinResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface BinOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Written to stdin, then stdin is closed. */
  input?: string;
  timeoutMs?: number;
}

function run(command: string, args: readonly string[], options: BinOptions = {}): Promise<BinResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, LOG_LEVEL: 'silent', NO_COLOR: undefined, ...options.env })) if (v !== undefined) env[k] = v;
    const child = spawn(command, [...args], { cwd: options.cwd ?? ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

/** `node bin/aicore-janitor.js …` with pipes for stdin, stdout and stderr (no terminal). */
function runBin(args: readonly string[], options: BinOptions = {}): Promise<BinResult> {
  return run(process.execPath, [BIN, ...args], options);
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/**
 * On a pseudo-terminal (script(1)): stdin, stdout and stderr are a terminal unless `shellTail`
 * redirects them (e.g. `> out.txt`). `keys` are typed once the prompt appeared. stdout of the result
 * is everything the terminal showed.
 */
function runOnTerminal(args: readonly string[], options: BinOptions & { shellTail?: string; keys?: string; waitFor?: RegExp } = {}): Promise<BinResult> {
  const command = `${shellQuote(process.execPath)} ${shellQuote(BIN)} ${args.map(shellQuote).join(' ')} ${options.shellTail ?? ''}`;
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, LOG_LEVEL: 'silent', NO_COLOR: undefined, TERM: 'xterm', ...options.env })) if (v !== undefined) env[k] = v;
    const child = spawn('script', ['-qefc', command, '/dev/null'], { cwd: options.cwd ?? ROOT, env });
    let stdout = '';
    let typed = false;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!typed && options.keys !== undefined && (options.waitFor ?? /\[y\/N\]/).test(stdout)) {
        typed = true;
        child.stdin.write(options.keys);
      }
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export { runBin, runOnTerminal, ROOT, BIN };
export type { BinResult };
