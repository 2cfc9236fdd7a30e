/**
 * The README's first command, as a user runs it: the `aicore-janitor demo` bin in a child process.
 * It must print a plan with a STOP and a DELETE, exit 0, and leave no process or port behind.
 */
import { describe, expect, it } from 'vitest';
import { run as runCommand, runBin } from '../helpers/run-bin.js';

describe('npm start (aicore-janitor demo)', () => {
  it('prints a dry-run plan with STOP and DELETE rows and a summary, then exits 0 with its ports closed', async () => {
    const { code, stdout, stderr } = await runBin(['demo']);
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(code).toBe(0);
    expect(stdout).toMatch(/GROUP\s+TYPE\s+ID\s+STATUS\s+ACTION\s+AGE\s+CREATED\s+SAVES\s+REASON/);
    expect(stdout).toMatch(/\bSTOP\b/);
    expect(stdout).toMatch(/\bDELETE\b/);
    expect(stdout).toMatch(/Plan [0-9a-f]{12}: \d+ listed in \d+ group\(s\); \d+ to stop, \d+ to delete/);
    expect(stdout).toContain('dry run');

    const urls = [...stderr.matchAll(/http:\/\/127\.0\.0\.1:\d+/g)].map((m) => m[0]);
    expect(urls.length).toBeGreaterThanOrEqual(2);
    for (const url of urls) await expect(fetch(url)).rejects.toThrow();
  }, 90_000);

  it('`npm start --silent -- --json` prints exactly one JSON document on stdout', async () => {
    const { code, stdout } = await runCommand(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['start', '--silent', '--', '--json']);
    expect(code).toBe(0);
    const report = JSON.parse(stdout) as { version: number; dryRun: boolean };
    expect(report).toMatchObject({ version: 3, dryRun: true });
  }, 90_000);

  it('--apply applies the plan to the simulator and prints the confirmed outcome', async () => {
    const { code, stdout } = await runBin(['demo', '--apply']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Applied: ([1-9]\d*) planned, \1 sent, \1 confirmed, 0 awaiting confirmation, 0 failed, 0 not attempted/);
  }, 90_000);
});
