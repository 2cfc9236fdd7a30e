/** The real `aicore-janitor` binary in a child process, as a user runs it (optionally on a pty via script(1)). */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = process.cwd();
const BIN = join(ROOT, 'bin/aicore-janitor.js');

interface BinResult {
  code: number | null;
  signal: NodeJS.Signals | null;
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

/** The child's environment: the caller's, quiet logs, no NO_COLOR unless asked; undefined removes a variable. */
function envOf(extra: BinOptions['env']): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...process.env, LOG_LEVEL: 'silent', NO_COLOR: undefined, ...extra }))
    if (v !== undefined) env[k] = v;
  return env;
}

/** Everything the child writes, once it has exited (killed after `timeoutMs`). */
function collect(child: ChildProcess, timeoutMs: number, onStdout: (all: string) => void = () => undefined): Promise<BinResult> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      onStdout(stdout);
    });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A command with pipes; its result once it exits. `child` lets a test signal or kill it first. */
function start(command: string, args: readonly string[], options: BinOptions = {}): { child: ChildProcess; done: Promise<BinResult> } {
  const child = spawn(command, [...args], { cwd: options.cwd ?? ROOT, env: envOf(options.env) });
  const done = collect(child, options.timeoutMs ?? 60_000);
  child.stdin?.end(options.input ?? '');
  return { child, done };
}

function run(command: string, args: readonly string[], options: BinOptions = {}): Promise<BinResult> {
  return start(command, args, options).done;
}

/** `node bin/aicore-janitor.js …` left running: for tests that race, signal or kill it. */
function startBin(args: readonly string[], options: BinOptions = {}): { child: ChildProcess; done: Promise<BinResult> } {
  return start(process.execPath, [BIN, ...args], options);
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
function runOnTerminal(
  args: readonly string[],
  options: BinOptions & { shellTail?: string; keys?: string; waitFor?: RegExp } = {},
): Promise<BinResult> {
  const command = `${shellQuote(process.execPath)} ${shellQuote(BIN)} ${args.map(shellQuote).join(' ')} ${options.shellTail ?? ''}`;
  const child = spawn('script', ['-qefc', command, '/dev/null'], {
    cwd: options.cwd ?? ROOT,
    env: envOf({ TERM: 'xterm', ...options.env }),
  });
  let typed = false;
  return collect(child, options.timeoutMs ?? 60_000, (stdout) => {
    if (!typed && options.keys !== undefined && (options.waitFor ?? /\[y\/N\]/).test(stdout)) {
      typed = true;
      child.stdin?.write(options.keys);
    }
  });
}

export { run, runBin, startBin, runOnTerminal, ROOT, BIN };
export type { BinResult };
