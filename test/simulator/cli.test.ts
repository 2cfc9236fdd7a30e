/** `aicore-janitor simulator`: fleets from a snapshot, a generator or the demo; faults; no-bulk; errors. */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import { parseCli } from '../../cli/args.js';
import { describeSimulator, shellQuote, startSimulatorFromArgs, type StartedSimulator } from '../../cli/simulator.js';
import { demoFleet, generateFleet, startSimulator, type SimulatorFleet } from '../../infra/local/simulator/index.js';
import { ServiceKey, Meta } from '../../lib/aicore/wire.js';
import { capturedIo } from '../helpers/captured-io.js';
import { call, callJson } from './helpers.js';

const NOW = new Date('2026-11-20T10:00:00Z');

let dir: string;
let started: StartedSimulator | undefined;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'simulator-cli-'));
});
afterEach(async () => {
  await started?.simulator.stop();
  started = undefined;
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, content: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

/** Group → sorted ids per type: what a fleet holds, independent of order. */
function idsOf(fleet: SimulatorFleet): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const type of ['executions', 'deployments'] as const) {
    const byGroup: Record<string, ReadonlyArray<{ id: string }>> = fleet[type];
    for (const [group, items] of Object.entries(byGroup)) if (items.length > 0) out[`${type}/${group}`] = items.map((i) => i.id).sort();
  }
  return out;
}

/** Parses a command line as the CLI does and starts the simulator it describes. */
async function startFrom(argv: string[]): Promise<StartedSimulator> {
  started = await startSimulatorFromArgs(parseCli(['simulator', ...argv]), NOW);
  return started;
}

describe('aicore-janitor simulator', () => {
  it('--fleet serves a snapshot file as given', async () => {
    const fleet = demoFleet(NOW);
    const { simulator, description } = await startFrom(['--fleet', await file('fleet.json', fleet), '--port', '0']);
    expect(idsOf(simulator.fleet())).toEqual(idsOf(fleet));
    expect(simulator.fleet().resourceGroups).toEqual(fleet.resourceGroups);
    expect(description).toMatch(/^snapshot .*fleet\.json: 3 group\(s\), 20 item\(s\); bulk updates on$/);
    const { body } = await callJson<{ count: number }>(simulator, '/v2/lm/deployments', { group: 'team-a' });
    expect(body.count).toBe(fleet.deployments['team-a']?.length);
  });

  it.each([
    ['a missing file', async () => join(dir, 'nope.json'), /cannot read snapshot .*nope\.json/],
    ['a file that is not JSON', () => file('bad.json', '{"resourceGroups": ['), /is not JSON/],
    [
      'a file of the wrong shape',
      () => file('shape.json', { resourceGroups: [{ resourceGroupId: 'g1' }], executions: { g2: [] }, deployments: {} }),
      /group 'g2' is not listed in resourceGroups/,
    ],
  ])('--fleet with %s exits 2 with a clear message', async (_name, make, message) => {
    const io = capturedIo();
    expect(await main(['simulator', '--fleet', await make()], io)).toBe(2);
    expect(io.stderr()).toMatch(message);
    expect(io.stderr()).not.toContain('Usage:');
  });

  it('--generate N --seed S serves the same fleet generateFleet gives for that seed', async () => {
    const { simulator, description } = await startFrom(['--generate', '60', '--seed', '7']);
    const expected = generateFleet({ seed: 7, items: 60, now: NOW });
    expect(idsOf(simulator.fleet())).toEqual(idsOf(expected));
    expect(simulator.fleet().resourceGroups).toEqual(expected.resourceGroups);
    expect(description).toBe('generated fleet (seed 7): 3 group(s), 60 item(s); bulk updates on');
  });

  it('rejects --generate with --fleet, and values that are not numbers', async () => {
    for (const argv of [
      ['--generate', '5', '--fleet', 'x.json'],
      ['--generate', 'many'],
      ['--seed', '1.5'],
      ['--generate', '-3'],
    ]) {
      const io = capturedIo();
      expect(await main(['simulator', ...argv], io), argv.join(' ')).toBe(2);
      expect(io.stderr()).toMatch(/--generate|--seed/);
    }
  });

  it('--faults injects the configured faults', async () => {
    const faults = await file('faults.json', { routes: { 'GET /v2/lm/executions': { failFirst: 1 } } });
    const { simulator, description } = await startFrom(['--faults', faults]);
    expect(description).toContain(`faults from ${faults}`);
    const statuses = [
      (await call(simulator, '/v2/lm/executions', { group: 'team-a' })).status,
      (await call(simulator, '/v2/lm/executions', { group: 'team-a' })).status,
    ];
    expect(statuses).toEqual([503, 200]);
  });

  it('--faults with an unknown route or unreadable file exits 2 and names the problem', async () => {
    const typo = await file('typo.json', { routes: { 'GET /v2/lm/execution': { failFirst: 1 } } });
    const io = capturedIo();
    expect(await main(['simulator', '--faults', typo], io)).toBe(2);
    expect(io.stderr()).toContain("route keys must be '*' or one of");
    const io2 = capturedIo();
    expect(await main(['simulator', '--faults', join(dir, 'none.json')], io2)).toBe(2);
    expect(io2.stderr()).toMatch(/cannot read fault config/);
  });

  it('--no-bulk makes meta report bulkUpdates false', async () => {
    const { simulator, description } = await startFrom(['--no-bulk']);
    const { body } = await callJson(simulator, '/v2/lm/meta', { group: null });
    expect(Meta.parse(body).aiApi.capabilities?.bulkUpdates).toEqual({ executions: false, deployments: false });
    expect(description).toBe('demo fleet: 3 group(s), 20 item(s); bulk updates off');
  });

  it('a busy --port exits 2', async () => {
    const other = await startSimulator();
    try {
      const io = capturedIo();
      expect(await main(['simulator', '--port', new URL(other.url).port], io)).toBe(2);
      expect(io.stderr()).toMatch(/port \d+ is already in use/);
    } finally {
      await other.stop();
    }
  });

  it("prints an export line a shell takes as is, holding the simulator's service key", async () => {
    const s = await startFrom([]);
    const lines = describeSimulator(s);
    expect(lines[0]).toBe(`AI Core simulator listening on ${s.simulator.url}`);
    const exportLine = lines.find((l) => l.startsWith('export AICORE_SERVICE_KEY='));
    const echoed = execFileSync('sh', ['-c', `${exportLine ?? ''}\nprintf %s "$AICORE_SERVICE_KEY"`], { encoding: 'utf8' });
    expect(ServiceKey.parse(JSON.parse(echoed))).toEqual(s.simulator.serviceKey);
    expect(execFileSync('sh', ['-c', `printf %s ${shellQuote("it's a 'key' | !x")}`], { encoding: 'utf8' })).toBe("it's a 'key' | !x");
  });
});
