/**
 * The terminal experience of issue 15, through the real binary (`node bin/aicore-janitor.js`):
 * flags, JSON documents, exit codes, the prompt (on a pseudo-terminal via script(1)), progress,
 * big plans, colour, the first-run sequence and the policy starting point.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoFleet, generateFleet, startSimulator, type RunningSimulator } from '../../infra/local/simulator/index.js';
import { ROOT, runBin, runOnTerminal } from '../helpers/run-bin.js';

const EXAMPLE = join(ROOT, 'examples/policy.yaml');
const ACTING = join(ROOT, 'infra/local/simulator/demo-policy.yaml');
const STACK_TRACE = /\n\s+at /;

let dir: string;
let simulator: RunningSimulator;
let big: RunningSimulator;
let key: string;
let bigKey: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'janitor-terminal-'));
  simulator = await startSimulator({ fleet: demoFleet(new Date()) });
  big = await startSimulator({ fleet: generateFleet({ seed: 1, items: 600, now: new Date() }) });
  key = join(dir, 'key.json');
  bigKey = join(dir, 'big-key.json');
  await writeFile(key, JSON.stringify(simulator.serviceKey));
  await writeFile(bigKey, JSON.stringify(big.serviceKey));
});
afterAll(async () => {
  await simulator.stop();
  await big.stop();
  await rm(dir, { recursive: true, force: true });
});

/** A fresh working directory (its own local state). */
async function scratch(name: string): Promise<string> {
  const path = join(dir, name);
  await mkdir(path, { recursive: true });
  return path;
}

function parseOne(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout) as Record<string, unknown>;
}

const mutations = (): number => simulator.requests.entries.filter((e) => e.method === 'PATCH' || e.method === 'DELETE').length;

describe('flags (item 8)', () => {
  it.each([
    [['plan', '--polcy', 'x.yaml'], "unknown flag --polcy; did you mean --policy?\nRun 'aicore-janitor help plan' for usage."],
    [['plan', '--port', '5'], 'flag --port does not apply to plan (it is for: simulator)'],
    [['validate', '--group', 'x'], 'flag --group does not apply to validate'],
    [['plan', 'extra'], "unexpected argument 'extra' for plan"],
    [['pln'], "unknown command 'pln'; did you mean 'plan'?"],
    [['plan', '--policy'], 'flag --policy needs a value: --policy FILE'],
  ])('%j exits 2 with one short message, not the whole usage', async (args, message) => {
    const result = await runBin(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`aicore-janitor: ${message}`);
    expect(result.stderr).not.toContain('Options:');
    expect(result.stderr).not.toContain('To specify a positional argument');
    expect(result.stdout).toBe('');
  });

  it('a flag error with --json is one JSON error document on stdout', async () => {
    const result = await runBin(['plan', '--polcy', 'x', '--json']);
    expect(result.code).toBe(2);
    expect(parseOne(result.stdout)).toEqual({
      version: 1,
      error: { code: 'usage', message: 'unknown flag --polcy; did you mean --policy?', exitCode: 2 },
    });
  });

  it('help COMMAND and COMMAND --help show that command’s options only', async () => {
    const [help, flag] = await Promise.all([runBin(['help', 'snapshot']), runBin(['snapshot', '--help'])]);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(flag.stdout);
    expect(help.stdout).toContain('Usage: aicore-janitor snapshot --out FILE [options]');
    expect(help.stdout).toContain('--out FILE');
    expect(help.stdout).not.toContain('--port');
  });
});

describe('--json: exactly one versioned document (items 1, 11)', () => {
  it('demo --json is one document, without a sentence after it', async () => {
    const result = await runBin(['demo', '--json']);
    expect(result.code, result.stderr).toBe(0);
    const report = parseOne(result.stdout);
    expect(report.version).toBe(3);
    expect(report.dryRun).toBe(true);
    expect(result.stderr).toBe('');
  }, 60_000);

  it('a failed run prints a JSON error document; a key at port 9 gets a hint, not just "bad port"', async () => {
    const badKey = join(dir, 'port9.json');
    await writeFile(
      badKey,
      JSON.stringify({ ...simulator.serviceKey, url: 'http://127.0.0.1:9', serviceurls: { AI_API_URL: 'http://127.0.0.1:9' } }),
    );
    const cwd = await scratch('port9');
    const [json, text] = await Promise.all([
      runBin(['plan', '--policy', EXAMPLE, '--service-key', badKey, '--json'], { cwd }),
      runBin(['plan', '--policy', EXAMPLE, '--service-key', badKey], { cwd: await scratch('port9-text') }),
    ]);
    expect(json.code).toBe(1);
    const error = parseOne(json.stdout).error as { code: string; exitCode: number; hint: string };
    expect(error).toMatchObject({ code: 'runtime', exitCode: 1 });
    expect(error.hint).toContain('port that HTTP clients refuse');
    expect(text.stderr).toContain('hint: the URL in the service key uses a port that HTTP clients refuse to connect to');
    expect(text.stderr).not.toMatch(STACK_TRACE);
  });

  it('validate --json, explain --json and snapshot files carry a version', async () => {
    const cwd = await scratch('versions');
    const out = join(cwd, 'fleet.json');
    const [valid, explain, snapshot] = await Promise.all([
      runBin(['validate', EXAMPLE, '--json']),
      runBin(['explain', 'e-churn-stale-30h', '--policy', EXAMPLE, '--service-key', key, '--json'], { cwd }),
      runBin(['snapshot', '--service-key', key, '--out', out, '--json'], { cwd: await scratch('versions-snapshot') }),
    ]);
    expect(parseOne(valid.stdout)).toMatchObject({ version: 1, valid: true, mode: 'dry-run', rules: 4 });
    expect(parseOne(explain.stdout)).toMatchObject({ version: 1 });
    expect(parseOne(snapshot.stdout)).toMatchObject({ version: 1, wrote: out, groups: 3 });
    expect(JSON.parse(await readFile(out, 'utf8'))).toMatchObject({ version: 1 });
  });

  it('an invalid policy under validate --json is an error document listing every issue', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, 'version: 1\nmdoe: apply\nrules: []\n');
    const result = await runBin(['validate', bad, '--json']);
    expect(result.code).toBe(2);
    const error = parseOne(result.stdout).error as { code: string; issues: Array<{ path: string; message: string }> };
    expect(error.code).toBe('policy-invalid');
    expect(error.issues[0]?.message).toContain('did you mean `mode`');
  });
});

describe('resource groups (item 2)', () => {
  it('plan --group nosuch exits 2 before planning, naming the group and the tenant’s groups', async () => {
    const result = await runBin(['plan', '--policy', EXAMPLE, '--service-key', key, '--group', 'nosuch'], { cwd: await scratch('nosuch') });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no resource group nosuch in this tenant (its PROVISIONED groups: prod-serving, team-a, team-b)');
    expect(result.stdout).toBe('');
  });
});

describe('the prompt (items 3, 5)', () => {
  it('apply with stdout redirected still asks on the terminal, after showing the plan, and n applies nothing', async () => {
    const cwd = await scratch('redirect');
    const before = mutations();
    const result = await runOnTerminal(['apply', '--policy', ACTING, '--service-key', key], { cwd, shellTail: '> out.txt', keys: 'n\r' });
    expect(result.code, result.stdout).toBe(0);
    expect(result.stdout).toMatch(/Plan [0-9a-f]{12}: 20 listed[\s\S]*Apply plan [0-9a-f]{12}: stop 3, delete 5\? \[y\/N\]/);
    const out = await readFile(join(cwd, 'out.txt'), 'utf8');
    expect(out).toMatch(/^Plan [0-9a-f]{12}[\s\S]*GROUP\s+TYPE\s+ID[\s\S]*not applied: declined at the prompt/);
    expect(mutations()).toBe(before);
  }, 60_000);

  it('Ctrl-D at the prompt is a no (exit 0); Ctrl-C is an interruption (exit 130); neither applies anything', async () => {
    const before = mutations();
    const [eof, interrupt] = await Promise.all([
      runOnTerminal(['apply', '--policy', ACTING, '--service-key', key], { cwd: await scratch('ctrl-d'), keys: '\x04' }),
      runOnTerminal(['apply', '--policy', ACTING, '--service-key', key], { cwd: await scratch('ctrl-c'), keys: '\x03' }),
    ]);
    expect(eof.code, eof.stdout).toBe(0);
    expect(eof.stdout).toContain('not applied: declined at the prompt');
    expect(interrupt.code, interrupt.stdout).toBe(130);
    expect(interrupt.stdout).toContain('interrupted at the prompt: nothing was applied');
    expect(interrupt.stdout).not.toMatch(STACK_TRACE);
    expect(mutations()).toBe(before);
  }, 60_000);

  it('apply without a terminal on stdin needs --yes', async () => {
    const result = await runBin(['apply', '--policy', ACTING, '--service-key', key]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('apply needs a terminal (stdin) to confirm, or --yes');
  });
});

describe('snapshot (item 4)', () => {
  it('a missing directory for --out is invalid input, before anything is listed', async () => {
    const before = simulator.requests.entries.length;
    const result = await runBin(['snapshot', '--service-key', key, '--out', join(dir, 'no/such/dir/f.json')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      `cannot write ${join(dir, 'no/such/dir/f.json')}: directory ${join(dir, 'no/such/dir')} does not exist`,
    );
    expect(result.stderr).not.toContain('ENOENT');
    expect(simulator.requests.entries.length).toBe(before);
  });
});

describe('output (items 6, 7, 12) and colour', () => {
  it('plan: summary first, the table with separate AGE and CREATED, says what it hides, progress on stderr', async () => {
    const result = await runBin(['plan', '--policy', EXAMPLE, '--service-key', key], { cwd: await scratch('plan') });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^Plan [0-9a-f]{12}: 20 listed in 3 group\(s\)/);
    expect(result.stdout).toMatch(/GROUP\s+TYPE\s+ID\s+STATUS\s+ACTION\s+AGE\s+CREATED\s+SAVES\s+REASON/);
    expect(result.stdout).toContain('4 item(s) no rule matched are not listed; --all lists them.');
    expect(result.stdout).toContain('This was a dry run: plan never acts.');
    expect(result.stdout).not.toContain('the trigger did not ask');
    expect(result.stdout).not.toContain('\x1b[');
    expect(result.stderr).toContain('listing 3 resource group(s)');
    expect(result.stderr).toContain('planning 20 item(s)');

    const all = await runBin(['plan', '--policy', EXAMPLE, '--service-key', key, '--all'], { cwd: await scratch('plan-all') });
    expect(all.stdout).toMatch(/no rule matched/);
    expect(all.stdout).not.toContain('not listed; --all');
  });

  it('--json prints no progress at all', async () => {
    const result = await runBin(['plan', '--policy', EXAMPLE, '--service-key', key, '--json'], { cwd: await scratch('quiet') });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(parseOne(result.stdout).version).toBe(3);
  });

  it('a big plan is summarised per group and rule; --all prints every row', async () => {
    const [summary, all] = await Promise.all([
      runBin(['plan', '--policy', EXAMPLE, '--service-key', bigKey], { cwd: await scratch('big') }),
      runBin(['plan', '--policy', EXAMPLE, '--service-key', bigKey, '--all'], { cwd: await scratch('big-all') }),
    ]);
    expect(summary.code, summary.stderr).toBe(0);
    expect(summary.stdout).toMatch(/GROUP\s+DECISION\s+ACTION\s+ITEMS/);
    expect(summary.stdout).toMatch(/rows summarised per group and rule; --all lists every row/);
    expect(summary.stdout.split('\n').length).toBeLessThan(80);
    expect(all.stdout.split('\n').length).toBeGreaterThan(600);
  });

  it('on a terminal: a progress bar and colour; NO_COLOR turns colour off', async () => {
    const [tty, plain] = await Promise.all([
      runOnTerminal(['plan', '--policy', EXAMPLE, '--service-key', key], { cwd: await scratch('tty') }),
      runOnTerminal(['plan', '--policy', EXAMPLE, '--service-key', key], { cwd: await scratch('tty-nocolor'), env: { NO_COLOR: '1' } }),
    ]);
    expect(tty.code, tty.stdout).toBe(0);
    expect(tty.stdout).toMatch(/listing +█+/);
    expect(tty.stdout).toContain('\x1b[33mSTOP');
    expect(plain.stdout).not.toContain('\x1b[33m');
    expect(plain.stdout).not.toContain('\x1b[1m');
  }, 60_000);

  it('demo suggests its own --apply', async () => {
    const result = await runBin(['demo']);
    expect(result.stdout).toContain('`aicore-janitor demo --apply`');
  }, 60_000);
});

describe('a policy starting point that cannot hurt (items 9, 11, 13)', () => {
  it('examples/policy.yaml, the deployed default, is dry-run; the demo’s own policy is for the simulator', async () => {
    expect(await readFile(EXAMPLE, 'utf8')).toMatch(/^mode: dry-run$/m);
    expect(await readFile(join(ROOT, 'serverless.yml'), 'utf8')).toContain('policyFile: examples/policy.yaml');
    expect(await readFile(ACTING, 'utf8')).toMatch(/SIMULATOR ONLY[\s\S]*^mode: apply$/m);
  });

  it('the README first-run sequence: init, then plan with the pasted key and the default ./policy.yaml', async () => {
    const cwd = await scratch('first-run');
    const missing = await runBin(['plan'], { cwd, env: { AICORE_SERVICE_KEY: JSON.stringify(simulator.serviceKey) } });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('policy file ./policy.yaml not found: run `aicore-janitor init`');

    const init = await runBin(['init'], { cwd });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('Wrote ./policy.yaml (mode: dry-run');
    const written = await readFile(join(cwd, 'policy.yaml'), 'utf8');
    expect(written).toMatch(/^mode: dry-run$/m);
    expect(written).toMatch(/^# /m);

    const plan = await runBin(['plan'], { cwd, env: { AICORE_SERVICE_KEY: JSON.stringify(simulator.serviceKey) } });
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toMatch(/Plan [0-9a-f]{12}: 20 listed/);

    const again = await runBin(['init'], { cwd });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('./policy.yaml already exists; nothing was written');
    expect(await readFile(join(cwd, 'policy.yaml'), 'utf8')).toBe(written);

    const apply = await runBin(['apply', '--yes'], {
      cwd: await scratch('no-mode'),
      env: { AICORE_SERVICE_KEY: JSON.stringify(simulator.serviceKey) },
    });
    expect(apply.code).toBe(2);
  });

  it('validate missing.yaml does not suggest --policy; a policy without mode is not said to say dry-run', async () => {
    const noMode = join(dir, 'no-mode.yaml');
    await writeFile(noMode, 'version: 1\nrules: []\n');
    const [missing, apply] = await Promise.all([
      runBin(['validate', join(dir, 'missing.yaml')]),
      runBin(['apply', '--policy', noMode, '--yes', '--service-key', key]),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('not found');
    expect(missing.stderr).not.toContain('--policy');
    expect(apply.code).toBe(2);
    expect(apply.stderr).toContain('has no `mode`, so it is dry-run (the default)');
  });
});

describe('policy validation messages (item 10)', () => {
  it.each([
    [
      'status.yaml',
      'version: 1\nrules:\n  - id: a\n    resource: executions\n    match: { status: RUNNING }\n    action: stop\n',
      'expected a list; write `[RUNNING]`',
      5,
    ],
    [
      'age.yaml',
      'version: 1\nrules:\n  - id: a\n    resource: executions\n    match: { olderThan: { field: startTime, age: 5 } }\n    action: stop\n',
      '`5` has no unit: a duration is a number followed by a unit, e.g. `5h`',
      5,
    ],
    [
      'quoted-age.yaml',
      'version: 1\nrules:\n  - id: a\n    resource: executions\n    match: { olderThan: { field: startTime, age: "5" } }\n    action: stop\n',
      '`5` has no unit',
      5,
    ],
    ['empty.yaml', '', 'the policy file is empty', undefined],
    ['unclosed.yaml', 'version: 1\nrules: [\n  - id: a\n', '`[` opened here is never closed', 2],
    ['trailing.json', '{"version": 1, "rules": [],}\n', 'not valid JSON', 1],
  ])('%s', async (name, text, message, line) => {
    const file = join(dir, name);
    await writeFile(file, text);
    const result = await runBin(['validate', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    if (line !== undefined) expect(result.stderr).toContain(`(line ${line},`);
    expect(result.stderr).not.toContain('put the value in quotes');
    expect(result.stderr).not.toContain('expected object, received null');
  });
});

describe('shell completion', () => {
  it('bash and zsh scripts come from the command table: every command and flag, valid bash', async () => {
    const [bash, zsh, usage] = await Promise.all([runBin(['completion', 'bash']), runBin(['completion', 'zsh']), runBin(['help'])]);
    expect(bash.code).toBe(0);
    expect(zsh.code).toBe(0);
    const commands = [...usage.stdout.matchAll(/^ {2}([a-z]+)\b/gm)].map((m) => m[1] ?? '');
    const flags = [...usage.stdout.matchAll(/^ {2}(--[a-z-]+)/gm)].map((m) => m[1] ?? '');
    expect(commands).toContain('init');
    for (const word of [...commands, ...flags]) {
      expect(bash.stdout).toContain(word);
      expect(zsh.stdout).toContain(word);
    }
    const script = join(dir, 'completion.bash');
    await writeFile(script, bash.stdout);
    execFileSync('bash', ['-n', script]);
    const completed = execFileSync('bash', [
      '-c',
      `source ${script}; COMP_WORDS=(aicore-janitor pl); COMP_CWORD=1; _aicore_janitor; echo "\${COMPREPLY[@]}"`,
    ]).toString();
    expect(completed.trim()).toBe('plan');
    const flagsOfSnapshot = execFileSync('bash', [
      '-c',
      `source ${script}; COMP_WORDS=(aicore-janitor snapshot --o); COMP_CWORD=2; _aicore_janitor; echo "\${COMPREPLY[@]}"`,
    ]).toString();
    expect(flagsOfSnapshot.trim()).toBe('--out');
  });
});
