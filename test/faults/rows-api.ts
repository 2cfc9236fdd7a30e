/**
 * Rows for what AI Core's side does: rate limits, 5xx, broken connections, lost answers, tokens,
 * per-item failures, a fleet that changes under the run, paging gone wrong and unreadable answers.
 */
import type { FaultConfig } from '../../infra/local/simulator/index.js';
import type { SimulatorOptions } from '../../infra/local/simulator/index.js';
import { AiCoreClient, type UpdateRequest, type UpdateResult } from '../../lib/aicore/client.js';
import type { ResourceType } from '../../lib/lifecycle.js';
import { execution } from '../helpers/fleet.js';
import { BUSY, mixedFleet, replaced, type RowContext, type RowResult, type Tamper } from './context.js';
import { check, closedPort, done, mutationsLogged, type MatrixRow } from './row.js';

const EXEC_PATCH = 'PATCH /v2/lm/executions';

/** Start with `faults`, run once through `client`, then settle with a clean client. */
async function faultThenSettle(
  ctx: RowContext,
  faults: FaultConfig,
  options: { tamper?: Tamper; sim?: SimulatorOptions; after?: (ctx: RowContext) => void } = {},
): Promise<RowResult> {
  await ctx.start(mixedFleet(), { ...BUSY, ...options.sim, faults });
  const first = done(await ctx.janitor({ client: ctx.client(options.tamper === undefined ? {} : { tamper: options.tamper }) }));
  check(first.report.totals.planned > 0, 'the fleet plans actions');
  options.after?.(ctx);
  await ctx.settle();
  return ctx.result();
}

const lostAnswerRows: MatrixRow[] = (['timeout', '504', 'reset', 'garbled'] as const).map((as) => ({
  id: `lost-answer-${as}`,
  area: 'answers lost after AI Core acted',
  title: `The answer to a bulk PATCH is lost after AI Core applied it (${as})`,
  injects: `The first bulk PATCH of executions is applied, then its answer is lost as ${as === 'timeout' ? 'no answer until the client gives up' : as === '504' ? 'an HTML 504 gateway page' : as === 'reset' ? 'a destroyed socket' : 'a 202 with truncated JSON'}.`,
  guarantees: [
    'The items are never sent again: the run records an unknown outcome, and a later listing confirms them.',
    'Nothing is recorded as failed.',
  ],
  run: async (ctx) => {
    await ctx.start(mixedFleet(), { ...BUSY, faults: { routes: { [EXEC_PATCH]: { loseAnswer: { first: 1, as } } } } });
    const first = done(await ctx.janitor());
    check(first.report.totals.failed === 0, `nothing failed (got ${first.report.totals.failed})`);
    await ctx.settle();
    return ctx.result();
  },
}));

/** Replace the first answer of `route` (method + path prefix) with `body`. */
function corruptFirst(method: string, path: RegExp, body: string, headers: Record<string, string> = {}): Tamper {
  let done = false;
  return async (url, init, next) => {
    const response = await next(url, init);
    if (done || init.method !== method || !path.test(new URL(url).pathname)) return response;
    done = true;
    return replaced(response, body, { headers });
  };
}

const UNREADABLE = {
  json: { body: '{"resources": [{"id": "stop-0-0000', headers: {}, says: 'truncated JSON' },
  html: {
    body: '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>',
    headers: { 'content-type': 'text/html' },
    says: 'an HTML page',
  },
  shape: { body: '{"unexpected": true, "resources": "not a list", "access_token": 42}', headers: {}, says: 'JSON of the wrong shape' },
} as const;

const RESPONSES = [
  { id: 'token', method: 'POST', path: /^\/oauth\/token$/, name: 'the token endpoint' },
  { id: 'meta', method: 'GET', path: /^\/v2\/lm\/meta$/, name: 'GET /v2/lm/meta' },
  { id: 'groups', method: 'GET', path: /^\/v2\/admin\/resourceGroups$/, name: 'the resource-group listing' },
  { id: 'executions', method: 'GET', path: /^\/v2\/lm\/executions$/, name: 'the executions listing' },
  { id: 'deployments', method: 'GET', path: /^\/v2\/lm\/deployments$/, name: 'the deployments listing' },
  { id: 'bulk-patch', method: 'PATCH', path: /^\/v2\/lm\/executions$/, name: "a bulk PATCH's 202 (after AI Core acted)" },
] as const;

const unreadableRows: MatrixRow[] = RESPONSES.flatMap((response) =>
  (Object.keys(UNREADABLE) as Array<keyof typeof UNREADABLE>).map((kind) => ({
    id: `unreadable-${response.id}-${kind}`,
    area: 'malformed JSON, HTML and wrong shapes in every response',
    title: `${response.name} answers with ${UNREADABLE[kind].says}`,
    injects: `The first answer of ${response.name} is replaced by ${UNREADABLE[kind].says} (status unchanged).`,
    guarantees: [
      response.id === 'bulk-patch'
        ? 'An unreadable 2xx to a mutation is an unknown outcome: not failed, not re-sent, settled from the listing.'
        : 'An unreadable read acts on nothing it could not read: the run fails or skips the group with a reason, and the next run proceeds.',
    ],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), BUSY);
      const client = ctx.client({ tamper: corruptFirst(response.method, response.path, UNREADABLE[kind].body, UNREADABLE[kind].headers) });
      const first = await ctx.janitor({ client }).catch((error: unknown) => {
        ctx.output.push(String(error));
        return undefined;
      });
      if (response.id === 'bulk-patch')
        check(first?.status === 'done' && first.report.totals.failed === 0, 'the lost answer is not a failure');
      else if (first?.status === 'done')
        check(
          first.report.outcomes.every((o) => o.state !== 'failed'),
          'no item failed because a read was unreadable',
        );
      await ctx.settle();
      return ctx.result();
    },
  })),
);

/** The client side of a hidden, simultaneous change: runs `before` just before the first update leaves. */
class RacingClient extends AiCoreClient {
  private readonly shared = { raced: false };
  constructor(
    key: ConstructorParameters<typeof AiCoreClient>[0],
    options: ConstructorParameters<typeof AiCoreClient>[1],
    private readonly before: () => void,
  ) {
    super(key, options);
  }
  override update(group: string, type: ResourceType, requests: readonly UpdateRequest[], bulk: boolean): Promise<UpdateResult[]> {
    if (!this.shared.raced) {
      this.shared.raced = true;
      this.before();
    }
    return super.update(group, type, requests, bulk);
  }
}

const apiRows: MatrixRow[] = [
  {
    id: '429-storm',
    area: '429 storms with Retry-After',
    title: 'Every route answers its first three requests with 429 and Retry-After: 2',
    injects: 'burst429: 3 with retryAfterSeconds: 2 on every route (token, meta, listings, bulk PATCH).',
    guarantees: [
      'Each 429 is waited out for exactly its Retry-After (2 s), then retried; a 429 proves AI Core did not act, so the mutation may be re-sent.',
      'The run completes without failures.',
    ],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), { ...BUSY, faults: { routes: { '*': { burst429: 3, retryAfterSeconds: 2 } } } });
      const first = done(await ctx.janitor());
      check(
        first.report.complete && first.report.totals.failed === 0 && first.report.totals.notAttempted === 0,
        `complete without failures: ${JSON.stringify(first.report.totals)}`,
      );
      check(ctx.waits.filter((w) => w === 2000).length >= 3, `waited Retry-After (2000 ms) each time: ${ctx.waits.join(',')}`);
      await ctx.settle();
      return ctx.result();
    },
  },
  {
    id: '429-outlasts-retries',
    area: '429 storms with Retry-After',
    title: 'The bulk PATCH is answered 429 more often than the client retries',
    injects: 'burst429: 5 on bulk PATCH of executions (= every attempt of the first request).',
    guarantees: ['What could not be sent is not-attempted (never failed); the next run sends it, once.'],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), { ...BUSY, faults: { routes: { [EXEC_PATCH]: { burst429: 5, retryAfterSeconds: 1 } } } });
      const first = done(await ctx.janitor());
      check(
        first.report.totals.notAttempted > 0 && first.report.totals.failed === 0,
        `not-attempted, not failed: ${JSON.stringify(first.report.totals)}`,
      );
      await ctx.settle();
      return ctx.result();
    },
  },
  {
    id: '5xx-burst-reads',
    area: '5xx bursts on reads and on mutations',
    title: 'Listings answer 503 three times, then recover',
    injects: 'failFirst: 3 on the resource-group, executions and deployments listings.',
    guarantees: ['Reads are retried with backoff; the run sees everything (complete) and acts.'],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), {
        ...BUSY,
        faults: {
          routes: {
            'GET /v2/admin/resourceGroups': { failFirst: 3 },
            'GET /v2/lm/executions': { failFirst: 3 },
            'GET /v2/lm/deployments': { failFirst: 3 },
          },
        },
      });
      const first = done(await ctx.janitor());
      check(first.report.complete, 'the run saw every group');
      await ctx.settle();
      return ctx.result();
    },
  },
  {
    id: '5xx-reads-exhausted',
    area: '5xx bursts on reads and on mutations',
    title: 'A listing fails on every attempt of one run',
    injects: 'failFirst: 5 on the executions listing (every attempt of the first run).',
    guarantees: [
      'The group is not acted on (a failed listing never acts); the run is incomplete (complete: false, a listing failure with the reason); the next run lists and acts.',
    ],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), { ...BUSY, faults: { routes: { 'GET /v2/lm/executions': { failFirst: 5 } } } });
      const first = done(await ctx.janitor());
      check(
        !first.report.complete && first.report.listingFailures.length === 1,
        `incomplete with one listing failure: ${JSON.stringify(first.report.listingFailures)}`,
      );
      check(mutationsLogged(ctx) === 0, 'nothing sent for a group that could not be listed');
      await ctx.settle();
      return ctx.result();
    },
  },
  {
    id: '5xx-burst-mutations',
    area: '5xx bursts on reads and on mutations',
    title: 'The bulk PATCH answers 503 (AI Core did not act)',
    injects: 'failFirst: 2 on bulk PATCH of executions and of deployments.',
    guarantees: [
      'A 5xx to a mutation is an unknown outcome: not re-sent blind; after the resubmit guard shows no effect, it is sent again once.',
      'Nothing is recorded as failed.',
    ],
    run: (ctx) => faultThenSettle(ctx, { routes: { [EXEC_PATCH]: { failFirst: 2 }, 'PATCH /v2/lm/deployments': { failFirst: 2 } } }),
  },
  {
    id: 'hang-read',
    area: 'connections that hang, reset, or are refused',
    title: 'Reads hang with no answer',
    injects: 'hangFirst: 2 on GET /v2/lm/meta and the executions listing; the client times out after 300 ms.',
    guarantees: ['A hung read is timed out and retried; the run completes.'],
    run: (ctx) => faultThenSettle(ctx, { routes: { 'GET /v2/lm/meta': { hangFirst: 2 }, 'GET /v2/lm/executions': { hangFirst: 2 } } }),
  },
  {
    id: 'hang-mutation',
    area: 'connections that hang, reset, or are refused',
    title: 'A bulk PATCH hangs (AI Core never got it)',
    injects: 'hangFirst: 1 on bulk PATCH of executions.',
    guarantees: ['The timed-out mutation is not re-sent blind: the listing decides, and only after the resubmit guard is it sent again.'],
    run: (ctx) => faultThenSettle(ctx, { routes: { [EXEC_PATCH]: { hangFirst: 1 } } }),
  },
  {
    id: 'reset-read',
    area: 'connections that hang, reset, or are refused',
    title: 'Read connections are reset without an answer',
    injects: 'dropFirst: 2 on the resource-group and executions listings.',
    guarantees: ['Reset reads are retried; the run completes.'],
    run: (ctx) =>
      faultThenSettle(ctx, { routes: { 'GET /v2/admin/resourceGroups': { dropFirst: 2 }, 'GET /v2/lm/executions': { dropFirst: 2 } } }),
  },
  {
    id: 'reset-mutation',
    area: 'connections that hang, reset, or are refused',
    title: 'A bulk PATCH connection is reset (AI Core did not act)',
    injects: 'dropFirst: 1 on bulk PATCH of executions.',
    guarantees: [
      'A reset after the request was written is an unknown outcome; settled from the listing, sent again only after the resubmit guard.',
    ],
    run: (ctx) => faultThenSettle(ctx, { routes: { [EXEC_PATCH]: { dropFirst: 1 } } }),
  },
  {
    id: 'refused-everything',
    area: 'connections that hang, reset, or are refused',
    title: 'AI Core refuses every connection for one run',
    injects: 'Every request of the first run goes to a loopback port nothing listens on (ECONNREFUSED).',
    guarantees: ['The run fails with a message and sends nothing; the next run acts normally.'],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), BUSY);
      const port = await closedPort();
      const tamper: Tamper = (url, init, next) => next(url.replace(/^http:\/\/127\.0\.0\.1:\d+/, `http://127.0.0.1:${port}`), init);
      const first = await ctx.janitor({ client: ctx.client({ tamper }) }).catch((error: unknown) => {
        ctx.output.push(String(error));
        return undefined;
      });
      if (first?.status === 'done')
        check(first.report.outcomes.length === 0 && !first.report.complete, 'nothing planned from an unreachable AI Core');
      check(ctx.observer.mutations.length === 0, 'nothing reached AI Core');
      await ctx.settle();
      return ctx.result();
    },
  },
  {
    id: 'refused-mutation',
    area: 'connections that hang, reset, or are refused',
    title: 'The first two bulk PATCH attempts are refused',
    injects: 'The first two PATCH attempts go to a loopback port nothing listens on (ECONNREFUSED: provably not written).',
    guarantees: ['A refused connection proves AI Core did not act: the mutation is retried at once and succeeds in the same run.'],
    run: async (ctx) => {
      const port = await closedPort();
      let refused = 0;
      const tamper: Tamper = (url, init, next) => {
        if (init.method === 'PATCH' && refused < 2) {
          refused += 1;
          return next(url.replace(/^http:\/\/127\.0\.0\.1:\d+/, `http://127.0.0.1:${port}`), init);
        }
        return next(url, init);
      };
      return faultThenSettle(ctx, {}, { tamper });
    },
  },
  ...lostAnswerRows,
  {
    id: 'token-endpoint-down',
    area: 'tokens',
    title: 'The token endpoint is down for the whole first run',
    injects: 'failFirst: 5 on POST /oauth/token (every attempt of the first run).',
    guarantees: [
      'No AI Core request is made without a token; the run fails with a message or leaves everything not-attempted; the next run acts.',
    ],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), { ...BUSY, faults: { routes: { 'POST /oauth/token': { failFirst: 5 } } } });
      const first = await ctx.janitor().catch((error: unknown) => {
        ctx.output.push(String(error));
        return undefined;
      });
      if (first?.status === 'done')
        check(
          first.report.outcomes.every((o) => o.state === 'not-attempted'),
          'nothing attempted without a token',
        );
      check(ctx.observer.mutations.length === 0, 'nothing sent');
      await ctx.settle();
      return ctx.result();
    },
  },
  {
    id: 'token-expires-mid-run',
    area: 'tokens',
    title: 'The token expires in the middle of the run',
    injects: 'tokenMaxUses: 4: the token AI Core issued stops working after four calls, between listing and apply.',
    guarantees: ['A 401 fetches a fresh token once and the request goes through; nothing is sent twice.'],
    run: (ctx) => faultThenSettle(ctx, { tokenMaxUses: 4 }),
  },
  {
    id: 'token-refused',
    area: 'tokens',
    title: 'AI Core refuses the token on every mutation, even a fresh one',
    injects: 'Every PATCH of the first run carries a forged bearer token (AI Core answers 401).',
    guarantees: ['A 401 with a fresh token is not-attempted (AI Core did not act), never failed; the next run sends each item once.'],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), BUSY);
      const tamper: Tamper = (url, init, next) =>
        next(url, init.method === 'PATCH' ? { ...init, headers: { ...init.headers, authorization: 'Bearer forged-token' } } : init);
      const first = done(await ctx.janitor({ client: ctx.client({ tamper }) }));
      check(
        first.report.totals.failed === 0 && first.report.totals.notAttempted > 0,
        `not-attempted: ${JSON.stringify(first.report.totals)}`,
      );
      await ctx.settle();
      return ctx.result();
    },
  },
  {
    id: 'bulk-item-failures',
    area: 'per-item failures inside bulk responses',
    title: 'Two items fail inside an otherwise accepted bulk 202',
    injects: 'bulkItemFailures.ids: one stop and one delete are refused inside the 202 (the rest accepted).',
    guarantees: ["Exactly those items end failed with AI Core's reason; the others are confirmed; accepted items are never re-sent."],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), { ...BUSY, faults: { bulkItemFailures: { ids: ['stop-0-000001', 'dele-0-000002'] } } });
      const first = done(await ctx.janitor());
      const failed = first.report.outcomes
        .filter((o) => o.state === 'failed')
        .map((o) => o.id)
        .sort();
      check(
        JSON.stringify(failed) === JSON.stringify(['dele-0-000002', 'stop-0-000001']),
        `exactly the refused items failed: ${failed.join(',')}`,
      );
      await ctx.settle();
      return ctx.result();
    },
  },
  {
    id: 'vanish-and-appear-before-apply',
    area: 'items that vanish or appear between listing and apply',
    title: 'Between listing and apply one planned item is deleted by someone else and a new RUNNING item appears',
    injects: 'Just before the first update leaves, AI Core loses dele-0-000000 and gains a RUNNING execution the run never listed.',
    guarantees: [
      'The vanished item ends confirmed ("already gone"), not failed.',
      'The new item is not touched by the run that did not list it.',
    ],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), BUSY);
      ctx.isTarget = (id) => /^(stop|dele)-/.test(id) || id.startsWith('appr-');
      const client = new RacingClient(ctx.stack.simulator.serviceKey, { transport: ctx.client().transport }, () => {
        const state = ctx.observer.state;
        check(state !== undefined, 'the simulator state is observed');
        state.remove('executions', 'g1', 'dele-0-000000');
        state.add('executions', 'g1', execution('appr-0001', 'RUNNING'));
      });
      const first = done(await ctx.janitor({ client }));
      check(!ctx.observer.touched().includes('appr-0001'), 'the appeared item was not touched by the run that never listed it');
      const gone = first.report.outcomes.find((o) => o.id === 'dele-0-000000');
      check(gone?.state === 'confirmed', `vanished item confirmed: ${JSON.stringify(gone)}`);
      await ctx.settle();
      return ctx.result();
    },
  },
  {
    id: 'pages-shift-under-deletion',
    area: 'pages that shift, repeat forever, or link to another host',
    title: 'Items vanish and appear between list pages',
    injects:
      'Pages of 3; after each page two listed items vanish and two appear at the start (listMutations, 4 times), shifting every $skip window.',
    guarantees: ['Only items the run listed are acted on, each at most once; appeared items wait for a run that lists them.'],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), { ...BUSY, faults: { listMutations: { disappear: 2, appear: 2, position: 'start', times: 4 } } });
      ctx.isTarget = (id) => /^(stop|dele)-/.test(id) || id.startsWith('appeared-');
      done(await ctx.janitor({ client: ctx.client({ config: { pageSize: 3 } }) }));
      await ctx.settle();
      return ctx.result();
    },
  },
  {
    id: 'pages-repeat-forever',
    area: 'pages that shift, repeat forever, or link to another host',
    title: 'The executions listing serves the same page forever',
    injects: 'Every executions page of the first run is answered with the first page again and a count that never ends.',
    guarantees: [
      'The listing gives up after maxPages with a reason; that group is not acted on; the run is incomplete; the next run acts.',
    ],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), BUSY);
      let firstPage: string | undefined;
      const tamper: Tamper = async (url, init, next) => {
        const response = await next(url, init);
        if (!/\/v2\/lm\/executions\?/.test(url) || init.method !== 'GET') return response;
        firstPage ??= await response.text();
        const page = JSON.parse(firstPage) as { resources: unknown[] };
        return replaced(response, JSON.stringify({ count: 1_000_000, resources: page.resources.slice(0, 2) }));
      };
      const first = done(await ctx.janitor({ client: ctx.client({ tamper, config: { pageSize: 2, maxPages: 20 } }) }));
      check(
        !first.report.complete && /did not end/.test(first.report.listingFailures[0]?.error ?? ''),
        `listing failure "did not end": ${JSON.stringify(first.report.listingFailures)}`,
      );
      check(mutationsLogged(ctx) === 0, 'nothing sent for the group whose listing never ended');
      await ctx.settle();
      return ctx.result();
    },
  },
  {
    id: 'pages-link-to-other-host',
    area: 'pages that shift, repeat forever, or link to another host',
    title: 'The resource-group listing links its next page to the cloud metadata address',
    injects: 'The first resource-group page carries Link: <http://169.254.169.254/v2/admin/resourceGroups?p=2>; rel="next".',
    guarantees: [
      'The link is refused and never requested (no request, no token leaves for another host); the run fails with a message or is incomplete.',
    ],
    run: async (ctx) => {
      await ctx.start(mixedFleet(), BUSY);
      const tamper: Tamper = async (url, init, next) => {
        const response = await next(url, init);
        if (!url.includes('/v2/admin/resourceGroups')) return response;
        return replaced(response, await response.text(), {
          headers: { link: '<http://169.254.169.254/v2/admin/resourceGroups?p=2>; rel="next"' },
        });
      };
      const first = await ctx.janitor({ client: ctx.client({ tamper }) }).catch((error: unknown) => {
        ctx.output.push(String(error));
        return undefined;
      });
      check(
        ctx.urls.every((u) => u.startsWith(ctx.stack.simulator.url)),
        `no request left for another host: ${ctx.urls.filter((u) => !u.startsWith(ctx.stack.simulator.url)).join(', ')}`,
      );
      if (first?.status === 'done')
        check(!first.report.complete || first.report.outcomes.length === 0, 'a run that could not list groups does not report success');
      await ctx.settle();
      return ctx.result();
    },
  },
  ...unreadableRows,
];

export { apiRows, RacingClient };
