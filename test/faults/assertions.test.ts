/**
 * The common assertions cannot pass vacuously: each one, shown a run with its guard switched off
 * (or a request nobody should send), reports the breakage.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AiCoreClient } from '../../lib/aicore/client.js';
import { Transport, type HttpRequest, type HttpResponse } from '../../lib/aicore/transport.js';
import type { AiCoreNetworkError } from '../../lib/aicore/errors.js';
import { withGuardsOff } from '../helpers/guard-switch.js';
import { COMMON_ASSERTIONS } from './assertions.js';
import { BUSY, MINUTE, mixedFleet, RowContext } from './context.js';

const check = (id: string) => {
  const assertion = COMMON_ASSERTIONS.find((a) => a.id === id);
  if (assertion === undefined) throw new Error(`no assertion ${id}`);
  return assertion.check;
};

/** Mutations retried like reads (the guard the transport has, switched off). */
class RetriesMutations extends Transport {
  protected override retryable(request: HttpRequest, outcome: HttpResponse | AiCoreNetworkError): boolean {
    return super.retryable({ ...request, method: 'GET' }, outcome);
  }
}

let ctx: RowContext;
afterEach(async () => {
  await ctx.dispose();
});

/** Sends one raw bulk PATCH, as a broken client would. */
async function rawPatch(body: unknown): Promise<void> {
  const key = ctx.stack.simulator.serviceKey;
  const token = (await (
    await fetch(`${key.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: key.clientid, client_secret: key.clientsecret }),
    })
  ).json()) as { access_token: string };
  await fetch(`${key.url}/v2/lm/executions`, {
    method: 'PATCH',
    headers: { authorization: `Bearer ${token.access_token}`, 'ai-resource-group': 'g1', 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify(body),
  });
}

describe('the common assertions report what they guard against', () => {
  it('never-sent-twice: a transport that retries a mutation whose answer was lost', async () => {
    ctx = new RowContext();
    await ctx.start(mixedFleet(), { ...BUSY, faults: { routes: { 'PATCH /v2/lm/executions': { loseAnswer: { first: 1, as: '504' } } } } });
    const transport = new RetriesMutations({ requestTimeoutMs: 300, baseDelayMs: 1 });
    await ctx.janitor({ client: new AiCoreClient(ctx.stack.simulator.serviceKey, { transport }) });
    expect(check('never-sent-twice')(await ctx.result()).length).toBeGreaterThan(0);
  });

  it('never-sent-twice: a ledger that forgets, a minute later', async () => {
    ctx = new RowContext();
    await ctx.start(mixedFleet(), BUSY);
    const store = withGuardsOff(ctx.store, { ledger: true });
    await ctx.janitor({ store });
    ctx.clock.advance(MINUTE);
    await ctx.janitor({ store });
    expect(check('never-sent-twice')(await ctx.result()).length).toBeGreaterThan(0);
  });

  it('no-forbidden-request and only-selected-items: 101 items, an id twice, a delete of a RUNNING and a protected item', async () => {
    ctx = new RowContext();
    await ctx.start(mixedFleet(), BUSY);
    const items = Array.from({ length: 99 }, (_, i) => ({ id: `dele-0-${String(i).padStart(6, '0')}`, targetStatus: 'DELETED' }));
    await rawPatch({
      executions: [
        ...items,
        { id: 'dele-0-000000', targetStatus: 'DELETED' },
        { id: 'stop-0-000000', targetStatus: 'DELETED' },
        { id: 'prot-run-0001', targetStatus: 'STOPPED' },
      ],
    });
    const result = await ctx.result();
    const violations = check('no-forbidden-request')(result).join('\n');
    expect(violations).toMatch(/102 items/);
    expect(violations).toMatch(/twice/);
    expect(violations).toMatch(/delete of executions stop-0-000000 while AI Core listed it RUNNING/);
    expect(check('only-selected-items')(result)).toEqual(['touched prot-run-0001, which the policy does not select']);
  });

  it('every-item-ends: a row that stops while items await confirmation', async () => {
    ctx = new RowContext();
    await ctx.start(mixedFleet(), BUSY);
    await ctx.janitor();
    expect(check('every-item-ends')(await ctx.result()).join('\n')).toMatch(/awaiting confirmation/);
  });

  it('no-secrets and clear-user-errors: a leaked token, a stack trace, a mistake that exits 1', async () => {
    ctx = new RowContext();
    await ctx.start(mixedFleet(), BUSY);
    await ctx.janitor();
    const result = await ctx.result();
    result.output.push(`debug: token ${result.observer.tokens[0] ?? 'none'}`, 'Error: boom\n    at somewhere (file.ts:1:1)');
    result.cli.push({ argv: ['plan'], code: 1, stdout: '', stderr: 'boom', mistake: true });
    expect(check('no-secrets')(result)).toHaveLength(1);
    expect(check('clear-user-errors')(result)).toHaveLength(3);
  });
});
