/** A tenants file that cannot be used is the user's mistake: one clear message, exit 2, no stack trace. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import { capturedIo } from '../helpers/captured-io.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'janitor-tenants-errors-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('plan --tenants with a file it cannot use', () => {
  it('a missing file: exit 2 and one line naming it', async () => {
    // Act
    const io = capturedIo();
    const code = await main(['plan', '--tenants', join(dir, 'nowhere.json')], io);
    // Assess
    expect(code).toBe(2);
    expect(io.stderr()).toContain('tenants file');
    expect(io.stderr()).toContain('not found');
    expect(io.stderr()).not.toMatch(/\n\s+at /);
  });

  it('an invalid file: exit 2, and --json lists every issue with its path', async () => {
    // Prepare
    const file = join(dir, 'bad.json');
    await writeFile(file, JSON.stringify({ version: 1, tenants: [{ name: 'Not A Name!' }] }));
    // Act
    const io = capturedIo();
    const code = await main(['plan', '--tenants', file, '--json'], io);
    // Assess
    expect(code).toBe(2);
    const doc = JSON.parse(io.stdout()) as { error: { code: string; exitCode: number; issues?: Array<{ path: string }> } };
    expect(doc.error.code).toBe('invalid-input');
    expect(doc.error.exitCode).toBe(2);
    expect(doc.error.issues?.length).toBeGreaterThan(0);
  });
});
