import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import { demoFleet, loadSnapshot, startSimulator, type RunningSimulator } from '../../infra/local/simulator/index.js';
import { capturedIo } from '../helpers/captured-io.js';
import { startDynalite } from '../../infra/local/dynamodb.js';
import { ensureTable } from '../../lib/store/dynamo.js';
import { createStore, dynamoClient } from '../../lib/store/factory.js';
import { tenantNamespace } from '../../lib/aicore/tenant.js';
import type { ServiceKey } from '../../lib/aicore/wire.js';

let dir: string;
let cwd: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'janitor-cli-'));
  cwd = process.cwd();
});
afterEach(async () => {
  process.chdir(cwd);
  await rm(dir, { recursive: true, force: true });
});

describe('aicore-janitor CLI', () => {
  it('prints usage and exits 2 on an unknown command or flag', async () => {
    const io = capturedIo();
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(io.stderr()).toContain("unknown command 'frobnicate'");
    expect(io.stderr()).toContain("Run 'aicore-janitor help' for usage.");
    expect(io.stderr()).not.toContain('Options:');

    const io2 = capturedIo();
    expect(await main(['plan', '--polcy', 'x.yaml'], io2)).toBe(2);
    expect(io2.stderr()).toBe("aicore-janitor: unknown flag --polcy; did you mean --policy?\nRun 'aicore-janitor help plan' for usage.");
  });

  it('validates the example policy', async () => {
    const io = capturedIo();
    expect(await main(['validate', 'examples/policy.yaml'], io)).toBe(0);
    expect(io.stdout()).toContain('valid');
  });

  it('validate prints every mistake at once with its path, and exits 2', async () => {
    const policy = join(dir, 'three-mistakes.yaml');
    await writeFile(
      policy,
      [
        'version: 1',
        'mdoe: apply',
        'rules:',
        '  - id: r1',
        '    resource: executions',
        '    match: { olderThen: { field: startTime, age: 1d } }',
        '    action: stop',
        '  - id: r2',
        '    resource: deployments',
        '    match: { status: [RUNNING] }',
        '    action: restart',
        '',
      ].join('\n'),
    );
    const io = capturedIo();
    expect(await main(['validate', policy], io)).toBe(2);
    const err = io.stderr();
    expect(err).toMatch(/mdoe[\s\S]*did you mean `mode`/);
    expect(err).toMatch(/did you mean `olderThan`[\s\S]*at rules\[0\]\.match\.olderThen \(line 6/);
    expect(err).toMatch(/`restart` is not allowed[\s\S]*at rules\[1\]\.action/);
  });

  it('reports a missing policy file as invalid input, without a stack trace', async () => {
    const io = capturedIo();
    expect(await main(['validate', join(dir, 'nope.yaml')], io)).toBe(2);
    expect(io.stderr()).toContain('not found');
    expect(io.stderr()).not.toMatch(/\n\s+at /);
  });

  it('reports a malformed service key as invalid input and never echoes the secret', async () => {
    const keyFile = join(dir, 'key.json');
    await writeFile(keyFile, JSON.stringify({ clientid: 'c', clientsecret: 'top-secret-value', serviceurls: {} }));
    const io = capturedIo();
    expect(await main(['plan', '--policy', 'examples/policy.yaml', '--service-key', keyFile], io)).toBe(2);
    expect(io.stderr()).toContain('not a usable AI Core service key');
    expect(io.stderr()).not.toContain('top-secret-value');
  });

  it('refuses apply when the policy says mode: dry-run', async () => {
    const policy = join(dir, 'dry.yaml');
    await writeFile(policy, 'version: 1\nmode: dry-run\nrules: []\n');
    const io = capturedIo();
    expect(await main(['apply', '--policy', policy, '--yes'], io)).toBe(2);
    expect(io.stderr()).toContain('refusing to apply');
  });

  describe('against the simulator', () => {
    let simulator: RunningSimulator;
    let keyFile: string;

    beforeEach(async () => {
      simulator = await startSimulator({ fleet: demoFleet(new Date()) });
      keyFile = join(dir, 'key.json');
      await writeFile(keyFile, JSON.stringify(simulator.serviceKey));
      process.chdir(dir);
    });
    afterEach(async () => {
      await simulator.stop();
    });

    const policy = () => join(cwd, 'examples/policy.yaml');
    const acting = () => join(cwd, 'infra/local/simulator/demo-policy.yaml');

    it('plan prints a table with reasons and never sends an update', async () => {
      const io = capturedIo();
      expect(await main(['plan', '--policy', policy(), '--service-key', keyFile], io), io.stderr()).toBe(0);
      expect(io.stdout()).toMatch(/GROUP\s+TYPE\s+ID\s+STATUS\s+ACTION\s+AGE\s+CREATED\s+SAVES\s+REASON/);
      expect(io.stdout()).toContain('STOP');
      expect(io.stdout()).toContain('DELETE');
      expect(io.stdout()).toContain('dry run');
      expect(simulator.requests.entries.filter((e) => e.method === 'PATCH' || e.method === 'DELETE')).toEqual([]);
    });

    it('explain shows every rule’s verdict for one item', async () => {
      const io = capturedIo();
      expect(await main(['explain', 'e-churn-stale-30h', '--policy', policy(), '--service-key', keyFile], io), io.stderr()).toBe(0);
      const text = io.stdout();
      for (const rule of ['stale-runs', 'stuck-pending', 'finished-runs']) expect(text).toContain(rule);
      expect(text).toMatch(/STOP/);

      const missing = capturedIo();
      expect(await main(['explain', 'no-such-item', '--policy', policy(), '--service-key', keyFile], missing)).toBe(2);
      expect(missing.stderr()).toContain('no execution or deployment with id no-such-item');
    });

    it('--json emits the versioned report', async () => {
      const io = capturedIo();
      expect(await main(['plan', '--policy', policy(), '--service-key', keyFile, '--json', '--group', 'team-a'], io), io.stderr()).toBe(0);
      const report = JSON.parse(io.stdout()) as { version: number; dryRun: boolean; plan: { groups: Array<{ group: string }> } };
      expect(report.version).toBe(3);
      expect(report.dryRun).toBe(true);
      expect(report.plan.groups.map((g) => g.group)).toEqual(['team-a']);
    });

    it('apply shows the summary and the table, then asks on a terminal, and does nothing when declined', async () => {
      const io = capturedIo(['n'], true);
      expect(await main(['apply', '--policy', acting(), '--service-key', keyFile], io), io.stderr()).toBe(0);
      expect(io.questions[0]).toMatch(/Apply plan [0-9a-f]{12}: stop \d+, delete \d+\? \[y\/N\]/);
      expect(io.stdout()).toMatch(/^Plan [0-9a-f]{12}: 20 listed[\s\S]*GROUP\s+TYPE[\s\S]*STOP[\s\S]*declined/);
      // The table is printed once, before the question, not again after it.
      expect(io.stdout().match(/GROUP\s+TYPE/g)).toHaveLength(1);
      expect(simulator.requests.entries.filter((e) => e.method === 'PATCH' || e.method === 'DELETE')).toEqual([]);
    });

    it('apply --yes acts and confirms every action', async () => {
      const io = capturedIo();
      expect(await main(['apply', '--policy', acting(), '--service-key', keyFile, '--yes', '--json'], io), io.stderr()).toBe(0);
      const report = JSON.parse(io.stdout()) as { dryRun: boolean; totals: { planned: number; confirmed: number; failed: number } };
      expect(report.dryRun).toBe(false);
      expect(report.totals.planned).toBeGreaterThan(0);
      expect(report.totals.confirmed).toBe(report.totals.planned);
      expect(report.totals.failed).toBe(0);
    });

    it('ledger shows every item the apply sent, filtered by group and id, from the local state alone', async () => {
      const apply = capturedIo();
      expect(await main(['apply', '--policy', acting(), '--service-key', keyFile, '--yes', '--json'], apply), apply.stderr()).toBe(0);
      const report = JSON.parse(apply.stdout()) as { totals: { planned: number }; outcomes: Array<{ id: string; group: string }> };
      const first = report.outcomes[0];
      if (first === undefined) throw new Error('expected an outcome');
      const before = simulator.requests.entries.length;

      const all = capturedIo();
      expect(await main(['ledger', '--service-key', keyFile, '--json'], all), all.stderr()).toBe(0);
      const entries = (JSON.parse(all.stdout()) as { entries: Array<{ id: string; group: string; state: string; runId: string }> }).entries;
      expect(entries).toHaveLength(report.totals.planned);
      expect(entries.every((e) => e.state === 'confirmed')).toBe(true);

      const one = capturedIo();
      expect(await main(['ledger', '--service-key', keyFile, '--group', first.group, '--id', first.id], one), one.stderr()).toBe(0);
      expect(one.stdout()).toMatch(/GROUP\s+TYPE\s+ID\s+TARGET\s+STATE/);
      expect(one.stdout()).toContain(first.id);
      expect(one.stdout()).toContain('1 entry: 1 confirmed');
      // The ledger is read from the store: AI Core is not asked anything.
      expect(simulator.requests.entries.length).toBe(before);
    });

    it('apply exits 2 naming a group the tenant does not have, before planning or acting', async () => {
      const io = capturedIo();
      expect(
        await main(['apply', '--policy', acting(), '--service-key', keyFile, '--yes', '--group', 'team-a', '--group', 'no-such-group'], io),
        io.stderr(),
      ).toBe(2);
      expect(io.stderr()).toContain(
        'no resource group no-such-group in this tenant (its PROVISIONED groups: prod-serving, team-a, team-b)',
      );
      expect(io.stdout()).toBe('');
      expect(simulator.requests.entries.filter((e) => e.method === 'PATCH' || e.method === 'DELETE')).toEqual([]);
    });

    it('--deadline sets the run deadline (reported), and a bad duration is invalid input', async () => {
      const io = capturedIo();
      expect(await main(['plan', '--policy', policy(), '--service-key', keyFile, '--deadline', '90s', '--json'], io), io.stderr()).toBe(0);
      const report = JSON.parse(io.stdout()) as { startedAt: string; deadline: string };
      const seconds = (Date.parse(report.deadline) - Date.parse(report.startedAt)) / 1000;
      expect(seconds).toBeGreaterThan(80);
      expect(seconds).toBeLessThanOrEqual(90);
      const bad = capturedIo();
      expect(await main(['apply', '--policy', policy(), '--deadline', 'soon'], bad)).toBe(2);
      expect(bad.stderr()).toContain('--deadline must be a duration such as 90s, 10m or 2h');
    });

    it('snapshot writes a fleet the simulator loads, and the same policy plans the same there', async () => {
      const out = join(dir, 'fleet.json');
      const io = capturedIo();
      expect(await main(['snapshot', '--service-key', keyFile, '--out', out], io), io.stderr()).toBe(0);
      expect(io.stdout()).toMatch(/wrote \d+ item\(s\) in 3 resource group\(s\)/);
      expect(simulator.requests.entries.filter((e) => e.method !== 'GET' && e.route !== 'POST /oauth/token')).toEqual([]);

      const planOf = async (key: string): Promise<string> => {
        const planIo = capturedIo();
        expect(await main(['plan', '--policy', policy(), '--service-key', key, '--json'], planIo), planIo.stderr()).toBe(0);
        return (JSON.parse(planIo.stdout()) as { plan: { hash: string } }).plan.hash;
      };
      const original = await planOf(keyFile);
      const rehearsal = await startSimulator({ fleet: await loadSnapshot(out) });
      try {
        const rehearsalKey = join(dir, 'rehearsal-key.json');
        await writeFile(rehearsalKey, JSON.stringify(rehearsal.serviceKey));
        expect(await planOf(rehearsalKey)).toBe(original);
      } finally {
        await rehearsal.stop();
      }
    });

    it('keeps state in the DynamoDB table named by JANITOR_TABLE instead of ./.aicore-janitor', async () => {
      const dynamo = await startDynalite();
      const saved = { table: process.env.JANITOR_TABLE, endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB };
      try {
        await ensureTable(dynamoClient({ table: 'team-janitor', region: 'us-east-1', endpoint: dynamo.endpoint }), 'team-janitor');
        // The AWS SDK's own per-service endpoint variable points the "real" DynamoDB client at dynalite.
        process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
        process.env.JANITOR_TABLE = 'team-janitor';
        const io = capturedIo();
        expect(await main(['apply', '--policy', acting(), '--service-key', keyFile, '--yes', '--json'], io), io.stderr()).toBe(0);
        const report = JSON.parse(io.stdout()) as { runId: string };
        const store = createStore(
          { table: 'team-janitor', region: 'us-east-1', endpoint: dynamo.endpoint },
          tenantNamespace(JSON.parse(await readFile(keyFile, 'utf8')) as ServiceKey),
        );
        expect((await store.recentRuns(1))[0]?.runId).toBe(report.runId);
        expect(existsSync(join(dir, '.aicore-janitor'))).toBe(false);
      } finally {
        if (saved.table === undefined) delete process.env.JANITOR_TABLE;
        else process.env.JANITOR_TABLE = saved.table;
        if (saved.endpoint === undefined) delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
        else process.env.AWS_ENDPOINT_URL_DYNAMODB = saved.endpoint;
        await dynamo.stop();
      }
    });
  });
});

describe('README', () => {
  it('documents every command and option the CLI accepts', async () => {
    const readme = await readFile('README.md', 'utf8');
    const io = capturedIo();
    expect(await main(['help'], io)).toBe(0);
    const lines = io
      .stdout()
      .split('\n')
      .filter((l) => l.startsWith('  '));
    expect(lines.length).toBeGreaterThan(15);
    for (const line of lines) expect(readme).toContain(line);
  });
});
