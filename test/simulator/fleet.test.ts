/** Fleets: the demo story, wire fidelity (timestamps, nulls), snapshots, the generator and fixtures. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  SnapshotError,
  demoFleet,
  edgeCaseFleet,
  generateFleet,
  loadSnapshot,
  startSimulator,
  type RunningSimulator,
  type SimulatorFleet,
} from '../../infra/local/simulator/index.js';
import { isKnownStatus, isLegalTransition } from '../../lib/lifecycle.js';
import { ListPage } from '../../lib/aicore/wire.js';
import { callJson, tokenFor } from './helpers.js';

const NOW = new Date('2026-11-20T10:00:00Z');
const ISO_SECONDS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;
const TIMESTAMPS = ['createdAt', 'modifiedAt', 'submissionTime', 'startTime', 'completionTime'] as const;

let sim: RunningSimulator | undefined;
let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'simulator-'));
});
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
  await rm(dir, { recursive: true, force: true });
});

function allItems(fleet: SimulatorFleet) {
  return [...Object.values(fleet.executions).flat(), ...Object.values(fleet.deployments).flat()];
}

describe('demoFleet', () => {
  it('tells the demo story: stale runs to stop, old finished runs to delete, protected and waiting items', () => {
    const fleet = demoFleet(NOW);
    const items = allItems(fleet);
    expect(items.length).toBeGreaterThanOrEqual(15);
    expect(items.length).toBeLessThanOrEqual(25);
    expect(fleet.resourceGroups.map((g) => g.resourceGroupId)).toEqual(['team-a', 'team-b', 'prod-serving']);
    const ageHours = (iso: string | null | undefined) => (iso == null ? null : (NOW.getTime() - Date.parse(iso)) / 3_600_000);
    const exes = Object.values(fleet.executions).flat();
    const deps = Object.values(fleet.deployments).flat();
    const dev = (s: string | null | undefined) => s?.startsWith('dev-') === true;
    // stop: RUNNING > 24 h, not prod
    expect(
      exes.filter((e) => e.status === 'RUNNING' && (ageHours(e.createdAt) ?? 0) > 24 && dev(e.scenarioId)).length,
    ).toBeGreaterThanOrEqual(2);
    // delete: finished, > 7 d
    expect(
      exes.filter((e) => ['COMPLETED', 'DEAD', 'STOPPED'].includes(e.status) && (ageHours(e.completionTime) ?? 0) > 7 * 24).length,
    ).toBeGreaterThanOrEqual(3);
    // kept: a fresh RUNNING one; waiting: STOPPING; unknown: null timestamps
    expect(exes.some((e) => e.status === 'RUNNING' && (ageHours(e.createdAt) ?? 99) <= 3)).toBe(true);
    expect(exes.some((e) => e.status === 'STOPPING')).toBe(true);
    expect(items.some((i) => i.createdAt === null)).toBe(true);
    // deployments: dev RUNNING 5 d (stop), dev STOPPED 6 d (delete), prod and generative AI
    expect(
      deps.some(
        (d) =>
          dev(d.scenarioId) &&
          d.status === 'RUNNING' &&
          isLegalTransition('deployments', d.status, 'stop') &&
          (ageHours(d.createdAt) ?? 0) > 72,
      ),
    ).toBe(true);
    expect(deps.some((d) => dev(d.scenarioId) && d.status === 'STOPPED' && isLegalTransition('deployments', d.status, 'delete'))).toBe(
      true,
    );
    expect(deps.some((d) => d.scenarioId?.startsWith('prod-'))).toBe(true);
    expect(deps.some((d) => d.scenarioId === 'foundation-models')).toBe(true);
  });

  it('uses seconds-precision UTC timestamps and explicit nulls, as the real server does', () => {
    for (const item of allItems(demoFleet(NOW))) {
      for (const field of TIMESTAMPS) {
        expect(field in item, `${item.id}.${field}`).toBe(true);
        const value = item[field];
        if (value !== null) expect(value, `${item.id}.${field}`).toMatch(ISO_SECONDS);
      }
      expect('statusMessage' in item && 'targetStatus' in item).toBe(true);
    }
    const dep = demoFleet(NOW).deployments['team-a']?.[0];
    expect(dep).toMatchObject({ ttl: null, deploymentUrl: expect.any(String) });
  });

  it('is served with those timestamps and nulls intact', async () => {
    sim = await startSimulator({ fleet: demoFleet(NOW), now: () => NOW.getTime() });
    const page = ListPage.parse((await callJson(sim, '/v2/lm/executions', { group: 'team-a' })).body);
    const noDates = page.resources.find((r) => (r as { id: string }).id === 'e-churn-no-dates');
    expect(noDates).toMatchObject({ createdAt: null, startTime: null, completionTime: null, executionScheduleId: null });
    const text = JSON.stringify(page);
    expect(text).not.toMatch(/\d\.\d{3}Z/);
  });
});

describe('snapshots', () => {
  it('round-trips: fleet() written to JSON loads back equal and serves the same items', async () => {
    sim = await startSimulator({ fleet: demoFleet(NOW), now: () => NOW.getTime() });
    await callJson(sim, '/v2/lm/executions', {
      group: 'team-a',
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { executions: [{ id: 'e-churn-stale-30h', targetStatus: 'STOPPED' }] },
    });
    const snapshot = sim.fleet();
    const path = join(dir, 'fleet.json');
    await writeFile(path, JSON.stringify(snapshot, null, 2));
    const loaded = await loadSnapshot(path);
    expect(loaded).toEqual(snapshot);
    expect(loaded.executions['team-a']?.find((e) => e.id === 'e-churn-stale-30h')?.status).toBe('STOPPED');
    const replay = await startSimulator({ fleet: loaded });
    try {
      expect(replay.fleet()).toEqual(snapshot);
    } finally {
      await replay.stop();
    }
  });

  it('reports a bad file clearly: missing, not JSON, wrong shape, unknown group, duplicate id', async () => {
    await expect(loadSnapshot(join(dir, 'missing.json'))).rejects.toThrow(/cannot read snapshot/);
    const write = async (name: string, content: string) => {
      const path = join(dir, name);
      await writeFile(path, content);
      return path;
    };
    await expect(loadSnapshot(await write('a.json', '{nope'))).rejects.toThrow(/is not JSON/);
    const shape = loadSnapshot(await write('b.json', JSON.stringify({ resourceGroups: [{}], executions: {}, deployments: {} })));
    await expect(shape).rejects.toBeInstanceOf(SnapshotError);
    await expect(shape).rejects.toThrow(/resourceGroups\[0\]\.resourceGroupId/);
    const item = { id: 'exe-0001', status: 'RUNNING' };
    await expect(
      loadSnapshot(
        await write(
          'c.json',
          JSON.stringify({ resourceGroups: [{ resourceGroupId: 'g' }], executions: { other: [item] }, deployments: {} }),
        ),
      ),
    ).rejects.toThrow(/group 'other' is not listed/);
    await expect(
      loadSnapshot(
        await write(
          'd.json',
          JSON.stringify({ resourceGroups: [{ resourceGroupId: 'g' }], executions: { g: [item, item] }, deployments: {} }),
        ),
      ),
    ).rejects.toThrow(/duplicate id 'exe-0001'/);
  });

  it('refuses an invalid fleet at start', async () => {
    await expect(startSimulator({ fleet: { resourceGroups: [], executions: { g: [] }, deployments: {} } })).rejects.toThrow(SnapshotError);
  });
});

describe('generateFleet', () => {
  it('is deterministic for a seed and differs between seeds', () => {
    const a = generateFleet({ seed: 42, items: 300, groups: 4, now: NOW });
    expect(generateFleet({ seed: 42, items: 300, groups: 4, now: NOW })).toEqual(a);
    expect(generateFleet({ seed: 43, items: 300, groups: 4, now: NOW })).not.toEqual(a);
    expect(allItems(a)).toHaveLength(300);
    expect(a.resourceGroups).toHaveLength(4);
  });

  it('produces a realistic mix that the simulator accepts', async () => {
    const fleet = generateFleet({ seed: 7, items: 500, now: NOW });
    const items = allItems(fleet);
    const statuses = new Set(items.map((i) => i.status));
    for (const s of ['RUNNING', 'COMPLETED', 'DEAD', 'STOPPED', 'STOPPING', 'UNKNOWN', 'PENDING']) expect(statuses, s).toContain(s);
    expect(items.every((i) => isKnownStatus(i.status))).toBe(true);
    const deps = Object.values(fleet.deployments).flat();
    const exes = Object.values(fleet.executions).flat();
    const detail = (d: (typeof deps)[number]) => JSON.stringify(d.details);
    expect(deps.some((d) => d.scenarioId === 'foundation-models' && detail(d).includes('"model":{"name"'))).toBe(true);
    expect(
      deps.some(
        (d) => detail(d).includes('"resource_plan"') && detail(d).includes('"min_replicas":"1"') && /"running_replicas":\d/.test(detail(d)),
      ),
    ).toBe(true);
    expect(deps.some((d) => d.ttl !== null)).toBe(true);
    expect(exes.some((e) => e.executionScheduleId !== null)).toBe(true);
    expect(exes.some((e) => e.scenarioId === 'foundation-models' || e.scenarioId === 'orchestration')).toBe(false);
    const ages = items.map((i) => NOW.getTime() - Date.parse(i.createdAt ?? ''));
    expect(Math.min(...ages)).toBeLessThan(3_600_000);
    expect(Math.max(...ages)).toBeGreaterThan(14 * 86_400_000);
    expect(fleet.resourceGroups.every((g) => g.labels?.some((l) => l.key === 'ext.ai.sap.com/team'))).toBe(true);
    sim = await startSimulator({ fleet });
    const response = await fetch(`${sim.url}/v2/lm/executions/$count`, {
      headers: { authorization: `Bearer ${await tokenFor(sim)}`, 'ai-resource-group': 'default' },
    });
    expect(Number(await response.text())).toBe(fleet.executions.default?.length ?? 0);
  });
});

describe('edgeCaseFleet', () => {
  it('holds every edge case and is served as given', async () => {
    const fleet = edgeCaseFleet(NOW);
    const items = allItems(fleet);
    expect(items.map((i) => i.status)).toEqual(expect.arrayContaining(['STOPPING', 'UNKNOWN', 'COMPLETED', 'DELETING']));
    expect(items.some((i) => i.createdAt === null)).toBe(true);
    sim = await startSimulator({ fleet, now: () => NOW.getTime() });
    const page = ListPage.parse((await callJson(sim, '/v2/lm/deployments', { group: 'edge-cases' })).body);
    expect(page.resources.map((r) => (r as { status: string }).status)).toContain('DELETING');
  });
});
