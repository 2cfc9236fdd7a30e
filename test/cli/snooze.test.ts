/**
 * `aicore-janitor snooze ID DURATION [reason]` on the CLI's local state (LevelDB): a noticed item's
 * notice moves later; an item without a notice is protected until then, as chat snoozes are.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import { openState } from '../../cli/state.js';
import { tenantNamespace } from '../../lib/aicore/tenant.js';
import type { Notice } from '../../lib/policy/notices.js';
import { capturedIo } from '../helpers/captured-io.js';

const KEY = {
  clientid: 'sb-test',
  clientsecret: 'not-a-real-secret',
  url: 'https://acme-dev.authentication.example.com',
  serviceurls: { AI_API_URL: 'https://api.ai.example.com' },
};
const DAY = 86_400_000;

let dir: string;
let cwd: string;
let keyFile: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'janitor-snooze-'));
  cwd = process.cwd();
  keyFile = join(dir, 'key.json');
  await writeFile(keyFile, JSON.stringify(KEY));
  process.chdir(dir);
});
afterEach(async () => {
  process.chdir(cwd);
  await rm(dir, { recursive: true, force: true });
});

async function withStore<T>(act: (state: Awaited<ReturnType<typeof openState>>) => Promise<T>): Promise<T> {
  const state = await openState(undefined, tenantNamespace(KEY), { command: 'test' });
  try {
    return await act(state);
  } finally {
    await state.close();
  }
}

describe('CLI: snooze', () => {
  it('moves a noticed item’s notice later and says when it will be acted on', async () => {
    // Prepare
    const soon = new Date(Date.now() + DAY).toISOString();
    const notice: Notice = {
      group: 'default',
      type: 'deployments',
      id: 'd1234',
      ruleId: 'stop-idle',
      action: 'stop',
      noticedAt: new Date().toISOString(),
      actAfter: soon,
      snoozedBy: null,
      snoozeReason: null,
    };
    await withStore((s) => s.store.writeNotices({ record: [notice], drop: [] }));
    const io = capturedIo();

    // Act
    const code = await main(['snooze', 'd1234', '1w', 'demo', 'on', 'Monday', '--service-key', keyFile], io);

    // Assess
    expect(code).toBe(0);
    expect(io.stdout()).toMatch(/d1234 \(default\/deployments\): notice snoozed; stop-idle will stop it after \S+ unless snoozed again/);
    const stored = await withStore(async (s) => (await s.store.observations([], new Date(), { notices: true })).notices ?? {});
    const after = stored['default#deployments#d1234'];
    expect(Date.parse(after?.actAfter ?? '')).toBeGreaterThan(Date.now() + 6 * DAY);
    expect(after?.snoozeReason).toBe('demo on Monday');
    expect(after?.snoozedBy).toMatch(/^cli/);
    const protectedIds = await withStore(async (s) => (await s.store.observations([], new Date())).snoozes);
    expect(protectedIds).toEqual({});
  });

  it('protects an item without a notice until the snooze ends (--json)', async () => {
    const io = capturedIo();
    expect(await main(['snooze', 'e42', '2d', '--json', '--service-key', keyFile], io)).toBe(0);
    expect(JSON.parse(io.stdout())).toMatchObject({ version: 1, id: 'e42', kind: 'protected' });
    const snoozes = await withStore(async (s) => (await s.store.observations([], new Date())).snoozes);
    expect(Object.keys(snoozes)).toEqual(['e42']);
  });

  it('refuses a missing or unreadable duration with exit 2', async () => {
    const io = capturedIo();
    expect(await main(['snooze', 'e42', '--service-key', keyFile], io)).toBe(2);
    const io2 = capturedIo();
    expect(await main(['snooze', 'e42', '3 days', '--service-key', keyFile], io2)).toBe(2);
    expect(io2.stderr()).toContain('is not a duration');
  });
});
