/**
 * `plan --tenants FILE` / `apply --tenants FILE`: two tenants on two simulators, each with its own
 * local service-key file, in one local state with one store namespace per tenant.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { main } from '../../cli/main.js';
import { openState } from '../../cli/state.js';
import { tenantNamespace } from '../../lib/aicore/tenant.js';
import { demoFleet, startSimulator, type RunningSimulator } from '../../infra/local/simulator/index.js';
import { capturedIo } from '../helpers/captured-io.js';

const Estate = z.object({
  version: z.literal(1),
  estate: z.object({
    status: z.string(),
    tenants: z.number(),
    totals: z.object({ planned: z.number(), confirmed: z.number(), failed: z.number() }),
    lines: z.array(z.string()),
  }),
  outcomes: z.array(
    z.object({
      tenant: z.string(),
      status: z.string(),
      dryRun: z.boolean().optional(),
      totals: z.object({ planned: z.number(), confirmed: z.number() }).optional(),
    }),
  ),
});

const writes = (s: RunningSimulator): number => s.requests.entries.filter((e) => e.method === 'PATCH' || e.method === 'DELETE').length;

let dir: string;
let cwd: string;
let sims: RunningSimulator[];

beforeEach(async () => {
  cwd = process.cwd();
  dir = await mkdtemp(join(tmpdir(), 'janitor-tenants-'));
  sims = [await startSimulator({ fleet: demoFleet(new Date()) }), await startSimulator({ fleet: demoFleet(new Date()) })];
  await writeFile(join(dir, 'alpha.json'), JSON.stringify(sims[0]?.serviceKey));
  await writeFile(join(dir, 'beta.json'), JSON.stringify(sims[1]?.serviceKey));
  const tenants = (policy: string) => ({
    version: 1,
    tenants: [
      { name: 'alpha', secretId: 'janitor/alpha', serviceKeyFile: 'alpha.json', policy },
      { name: 'beta', secretId: 'janitor/beta', serviceKeyFile: 'beta.json', policy, limits: { groupConcurrency: 2, maxActionsPerRun: 1 } },
    ],
  });
  await writeFile(join(dir, 'dry.json'), JSON.stringify(tenants(join(cwd, 'examples/policy.yaml'))));
  await writeFile(join(dir, 'acting.json'), JSON.stringify(tenants(join(cwd, 'infra/local/simulator/demo-policy.yaml'))));
  await writeFile(
    join(dir, 'uncapped.json'),
    JSON.stringify({
      version: 1,
      tenants: tenants(join(cwd, 'infra/local/simulator/demo-policy.yaml')).tenants.map(({ limits: _limits, ...t }) => t),
    }),
  );
  await writeFile(join(dir, 'nokey.json'), JSON.stringify({ version: 1, tenants: [{ name: 'alpha', secretId: 'janitor/alpha' }] }));
  process.chdir(dir);
});
afterEach(async () => {
  process.chdir(cwd);
  await Promise.all(sims.map((s) => s.stop()));
  await rm(dir, { recursive: true, force: true });
});

describe('CLI --tenants FILE', () => {
  it('plan: one outcome per tenant, each from its own simulator, and nothing is sent', async () => {
    const io = capturedIo();
    expect(await main(['plan', '--tenants', join(dir, 'dry.json'), '--json'], io), io.stderr()).toBe(0);
    const doc = Estate.parse(JSON.parse(io.stdout()));
    expect(doc.outcomes.map((o) => o.tenant).sort()).toEqual(['alpha', 'beta']);
    expect(doc.outcomes.every((o) => o.dryRun === true)).toBe(true);
    for (const s of sims) {
      expect(s.requests.entries.length).toBeGreaterThan(0);
      expect(writes(s)).toBe(0);
    }
  });

  it('apply with a notice policy: the plan steps give the notices (per tenant) and nothing is sent', async () => {
    // Prepare: the demo policy with a one-day heads-up.
    const demo = await readFile(join(cwd, 'infra/local/simulator/demo-policy.yaml'), 'utf8');
    await writeFile(join(dir, 'notice.yaml'), demo.replace(/^version: 1$/m, 'version: 1\nnotice: 1d'));
    const file = {
      version: 1,
      tenants: ['alpha', 'beta'].map((name) => ({
        name,
        secretId: `janitor/${name}`,
        serviceKeyFile: `${name}.json`,
        policy: join(dir, 'notice.yaml'),
      })),
    };
    await writeFile(join(dir, 'notice.json'), JSON.stringify(file));

    // Act
    const io = capturedIo();
    expect(await main(['apply', '--tenants', join(dir, 'notice.json'), '--yes', '--json'], io), io.stderr()).toBe(0);

    // Assess
    for (const s of sims) expect(writes(s)).toBe(0);
    for (const s of sims) {
      const state = await openState(undefined, tenantNamespace(s.serviceKey), { command: 'test' });
      try {
        const notices = (await state.store.observations([], new Date(), { notices: true })).notices ?? {};
        expect(Object.keys(notices).length).toBeGreaterThan(0);
      } finally {
        await state.close();
      }
    }
  });

  it('apply --yes: acts per tenant within its own caps; the tenants do not share a ledger', async () => {
    const io = capturedIo();
    const code = await main(['apply', '--tenants', join(dir, 'acting.json'), '--yes', '--json'], io);
    const doc = Estate.parse(JSON.parse(io.stdout()));
    expect([0, 1], io.stderr()).toContain(code);
    const alpha = doc.outcomes.find((o) => o.tenant === 'alpha');
    const beta = doc.outcomes.find((o) => o.tenant === 'beta');
    expect(alpha?.status, JSON.stringify(doc)).toBe('ok');
    expect(alpha?.totals?.confirmed).toBeGreaterThan(1);
    // beta's limits.maxActionsPerRun: 1 tightens the policy's cap: it acts on nothing beyond it.
    expect(beta?.totals?.confirmed ?? 0).toBeLessThanOrEqual(1);
    expect(writes(sims[0] as RunningSimulator)).toBeGreaterThan(writes(sims[1] as RunningSimulator));
    // A second plan sees alpha's ledger settled in alpha's namespace only.
    const again = capturedIo();
    expect(await main(['plan', '--tenants', join(dir, 'acting.json'), '--json'], again), again.stderr()).toBeLessThanOrEqual(1);
    expect(Estate.parse(JSON.parse(again.stdout())).outcomes).toHaveLength(2);
  });

  it('apply asks once per tenant on a terminal; a no leaves that tenant untouched', async () => {
    const io = capturedIo(['y', 'n'], true);
    await main(['apply', '--tenants', join(dir, 'uncapped.json')], io);
    expect(io.questions).toHaveLength(2);
    for (const q of io.questions)
      expect(q).toMatch(/^Apply tenant (alpha|beta): plan [0-9a-f]{12}, \d+ action\(s\) in \d+ group\(s\)\? \[y\/N\] $/);
    expect(writes(sims[0] as RunningSimulator) + writes(sims[1] as RunningSimulator)).toBeGreaterThan(0);
    expect(Math.min(writes(sims[0] as RunningSimulator), writes(sims[1] as RunningSimulator))).toBe(0);
    expect(io.stdout()).toMatch(/^Run [0-9a-f-]+: /);
  });

  it('refuses input errors before any request: a tenant without serviceKeyFile, --group with --tenants, a dry-run policy on apply', async () => {
    const nokey = capturedIo();
    expect(await main(['plan', '--tenants', join(dir, 'nokey.json')], nokey)).toBe(2);
    expect(nokey.stderr()).toContain('serviceKeyFile; missing for alpha');
    const group = capturedIo();
    expect(await main(['plan', '--tenants', join(dir, 'dry.json'), '--group', 'x'], group)).toBe(2);
    const dry = capturedIo();
    expect(await main(['apply', '--tenants', join(dir, 'dry.json'), '--yes'], dry)).toBe(2);
    expect(dry.stderr()).toContain('the policy of alpha, beta is dry-run');
    for (const s of sims) expect(s.requests.entries).toEqual([]);
  });
});
