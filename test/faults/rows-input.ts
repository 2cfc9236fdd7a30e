/**
 * Rows for bad input: webhook bodies that are forged, replayed, stale or oversized, and the
 * CLI given malformed policies, service keys, snapshots, fault files, commands and flags.
 */
import { makeWebhookHandler } from '../../functions/webhook.js';
import { WebhookEnv } from '../../functions/adapters/chat-config.js';
import { localContext } from '../../cli/demo.js';
import { unixSeconds, webhookSignature } from '../../lib/chatops/signature.js';
import type { SignedHttpRequest } from '../../scripts/slack-command.js';
import { httpEvent, recordingInvoker } from '../chatops/helpers.js';
import { bodyOf, BUSY, mixedFleet, POLICY_YAML, type RowContext } from './context.js';
import { check, type MatrixRow } from './row.js';

const HMAC = 'webhook-hmac-secret-faults-0001';

/** A JSON webhook request signed with `secret` (no reply URL: the reply allowlist is another row's concern). */
function signed(secret: string, body: Record<string, string>, now = new Date()): SignedHttpRequest {
  const text = JSON.stringify(body);
  const timestamp = unixSeconds(now);
  return {
    headers: {
      'content-type': 'application/json',
      'x-janitor-timestamp': timestamp,
      'x-janitor-signature': webhookSignature(secret, timestamp, text),
    },
    body: text,
  };
}

function webhookSetup(ctx: RowContext) {
  ctx.secrets.push(HMAC);
  const recorder = recordingInvoker();
  const handler = makeWebhookHandler({
    invokeWorker: recorder.invokeWorker,
    env: () => WebhookEnv.parse({ WEBHOOK_HMAC_SECRET: HMAC }),
    secret: (ref) => Promise.resolve(ref.value),
    clock: () => new Date(),
  });
  const call = async (request: SignedHttpRequest) => {
    const result = await handler(httpEvent('/webhook', request), localContext(3000));
    ctx.output.push(bodyOf(result));
    return result;
  };
  return { call, payloads: recorder.payloads };
}

function refusedWebhook(id: string, title: string, injects: string, request: () => SignedHttpRequest, expected: RegExp): MatrixRow {
  return {
    id,
    area: 'forged, replayed, stale and oversized webhook bodies',
    title,
    injects,
    guarantees: ['The request is refused without detail, nothing is queued and AI Core is never called.'],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), BUSY);
      const { call, payloads } = webhookSetup(ctx);
      const started = Date.now();
      const result = await call(request());
      check(expected.test(String(result.statusCode)), `status ${result.statusCode} matches ${expected}`);
      check(payloads.length === 0, 'nothing queued');
      check(ctx.stack.simulator.requests.entries.length === 0, 'AI Core never called');
      check(Date.now() - started < 5000, 'answered quickly');
      return ctx.result();
    },
  };
}

/** A policy file with an unknown key, one that is not YAML, and one with a bad value. */
const BAD_POLICIES = {
  'unknown-key.yaml': POLICY_YAML.replace('mode: apply', 'mode: apply\nmaxActions: 5'),
  'not-yaml.yaml': 'version: 1\nrules: [\n  - id: {',
  'bad-value.yaml': POLICY_YAML.replace('status: [RUNNING]', 'status: [RUNNNING]'),
};

const inputRows: MatrixRow[] = [
  refusedWebhook(
    'webhook-forged',
    'A webhook body signed with the wrong secret',
    'A JSON webhook `apply` signed with another HMAC secret.',
    () => signed('not-the-secret-0001', { text: 'apply', user: 'ci' }),
    /^401$/,
  ),
  refusedWebhook(
    'webhook-stale',
    'A correctly signed webhook body from 10 minutes ago',
    'A JSON webhook `plan` whose signed timestamp is 600 s old.',
    () => signed(HMAC, { text: 'plan', user: 'ci' }, new Date(Date.now() - 600_000)),
    /^401$/,
  ),
  refusedWebhook(
    'webhook-oversized',
    'A correctly signed 1 MB webhook body',
    'A JSON webhook whose correctly signed body is 1 MB (1,048,576 bytes of text).',
    () => signed(HMAC, { text: `plan ${'x'.repeat(1_048_576)}`, user: 'ci' }),
    /^(400|413)$/,
  ),
  {
    id: 'webhook-replayed',
    area: 'forged, replayed, stale and oversized webhook bodies',
    title: 'A captured signed webhook request is replayed within the window',
    injects: 'The same signed JSON webhook request (no delivery id) is delivered twice; both queued jobs are run.',
    guarantees: ['Both deliveries map to one trigger id (from the signature), so the replay runs nothing.'],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), BUSY);
      const { call, payloads } = webhookSetup(ctx);
      const request = signed(HMAC, { text: 'plan', user: 'ci' });
      await call(request);
      await call(request);
      const ids = payloads.map((p) => (p as { triggerId: string }).triggerId);
      check(ids.length <= 2 && new Set(ids).size === 1, `one trigger id: ${ids.join(',')}`);
      const runs = [];
      for (const id of ids) runs.push(await ctx.janitor({ triggerId: id }));
      check(runs.filter((r) => r.status === 'done').length === 1, `runs once: ${runs.map((r) => r.status).join(',')}`);
      await ctx.settle();
      return ctx.result();
    },
  },
  {
    id: 'malformed-policies',
    area: 'malformed policies, service keys and snapshots',
    title: 'Policies with an unknown key, broken YAML, a bad value, or no file at all',
    injects: '`validate` and `plan` are given each bad policy (and a path that does not exist).',
    guarantees: [
      'Each exits 2 with the file, the path of the problem and no stack trace; `plan` makes no API call before the policy validates.',
    ],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), BUSY);
      const files = ctx.files({ ...BAD_POLICIES, 'key.json': JSON.stringify(ctx.stack.simulator.serviceKey) });
      for (const name of Object.keys(BAD_POLICIES)) {
        const path = files[name] ?? '';
        const validate = await ctx.cli(['validate', path], { mistake: true });
        check(validate.stderr.includes(name) || validate.stdout.includes(name), `validate names the file ${name}`);
        await ctx.cli(['plan', '--policy', path, '--service-key', files['key.json'] ?? ''], { mistake: true, cwd: files.dir });
      }
      await ctx.cli(['plan', '--policy', `${files.dir}/missing.yaml`, '--service-key', files['key.json'] ?? ''], {
        mistake: true,
        cwd: files.dir,
      });
      check(ctx.stack.simulator.requests.entries.length === 0, 'no API call before the policy validates');
      return ctx.result();
    },
  },
  {
    id: 'malformed-service-keys',
    area: 'malformed policies, service keys and snapshots',
    title: 'Service keys that are not JSON, miss fields, do not exist, or come broken from the environment',
    injects: '`plan` is given each bad service key, by file and by $AICORE_SERVICE_KEY.',
    guarantees: ["Each exits 2 with a message naming the source, without echoing the key's secret, and no API call is made."],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), BUSY);
      const { clientsecret, ...partial } = ctx.stack.simulator.serviceKey;
      ctx.secrets.push(clientsecret);
      const files = ctx.files({
        'policy.yaml': POLICY_YAML,
        'not-json.json': `{"clientid": "x", "clientsecret": "${clientsecret}"`,
        'missing-fields.json': JSON.stringify({ ...partial, clientsecret, serviceurls: {} }),
      });
      const plan = (extra: string[], env: Record<string, string | undefined> = {}) =>
        ctx.cli(['plan', '--policy', files['policy.yaml'] ?? '', ...extra], {
          mistake: true,
          cwd: files.dir,
          env: { AICORE_SERVICE_KEY: undefined, ...env },
        });
      await plan(['--service-key', files['not-json.json'] ?? '']);
      await plan(['--service-key', files['missing-fields.json'] ?? '']);
      await plan(['--service-key', `${files.dir}/nope.json`]);
      await plan([], { AICORE_SERVICE_KEY: `{"clientsecret": "${clientsecret}", "url": 42}` });
      await plan([]);
      check(ctx.stack.simulator.requests.entries.length === 0, 'no API call with a bad key');
      return ctx.result();
    },
  },
  {
    id: 'malformed-snapshots',
    area: 'malformed policies, service keys and snapshots',
    title: 'Snapshots and fault files that are broken or of the wrong shape',
    injects: '`simulator --fleet` gets a file that is not JSON and one of the wrong shape; `simulator --faults` gets an unknown knob.',
    guarantees: ['Each exits 2 with a message naming the file and the problem, before any port is opened.'],
    run: async (ctx) => {
      const files = ctx.files({
        'not-json.json': '{"resourceGroups": [',
        'wrong-shape.json': JSON.stringify({ resourceGroups: 'g1', executions: [{ id: 1 }] }),
        'faults.json': JSON.stringify({ routes: { '*': { explode: true } } }),
      });
      await ctx.cli(['simulator', '--fleet', files['not-json.json'] ?? ''], { mistake: true });
      await ctx.cli(['simulator', '--fleet', files['wrong-shape.json'] ?? ''], { mistake: true });
      await ctx.cli(['simulator', '--faults', files['faults.json'] ?? ''], { mistake: true });
      return ctx.result();
    },
  },
  {
    id: 'unknown-commands-and-flags',
    area: 'unknown commands and flags',
    title: 'Unknown commands, unknown flags, flags without values, bad durations',
    injects:
      '`frobnicate`, `plan --frobnicate`, `apply --deadline banana`, `ledger --id`, `plan --group` and `apply` with a dry-run policy and no terminal.',
    guarantees: [
      'Each exits 2 with one clear message (and the usage text where the command line is wrong), never a stack trace; nothing is called.',
    ],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), BUSY);
      const files = ctx.files({
        'dry.yaml': POLICY_YAML.replace('mode: apply', 'mode: dry-run'),
        'key.json': JSON.stringify(ctx.stack.simulator.serviceKey),
      });
      for (const argv of [
        ['frobnicate'],
        ['plan', '--frobnicate'],
        ['apply', '--deadline', 'banana'],
        ['ledger', '--id'],
        ['plan', '--group'],
      ])
        await ctx.cli(argv, { mistake: true, cwd: files.dir });
      await ctx.cli(['apply', '--policy', files['dry.yaml'] ?? '', '--service-key', files['key.json'] ?? ''], {
        mistake: true,
        cwd: files.dir,
      });
      check(ctx.stack.simulator.requests.entries.length === 0, 'nothing called');
      return ctx.result();
    },
  },
];

export { inputRows };
