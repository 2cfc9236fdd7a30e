import { describe, expect, it } from 'vitest';
import { nextPagePath } from '../../lib/aicore/client.js';
import { AiCoreNetworkError, AiCoreResponseError, RequestNotSentError } from '../../lib/aicore/errors.js';
import type { HttpResponse } from '../../lib/aicore/transport.js';
import { bulkResults, sentFromError, singleResult, type Sent, type UpdateRequest } from '../../lib/aicore/update-results.js';

const context = { operation: 'bulk update executions', group: 'g1' };
const a: UpdateRequest = { id: 'exe-aaaa', status: 'RUNNING', action: 'stop' };
const b: UpdateRequest = { id: 'exe-bbbb', status: 'COMPLETED', action: 'delete' };

function answered(status: number, text: string): Sent {
  const response: HttpResponse = { status, headers: { get: () => null }, text };
  return { kind: 'answered', response };
}

describe('bulkResults', () => {
  it('reads per-item successes and errors; an unmentioned item is unknown', () => {
    const body = JSON.stringify({
      executions: [
        { id: 'exe-aaaa', message: 'Execution modification scheduled' },
        { id: 'exe-zzzz', message: 'not ours' },
      ],
    });
    expect(bulkResults('executions', [a, b], answered(202, body), context).map((r) => r.outcome)).toEqual(['accepted', 'unknown']);
    const failed = JSON.stringify({
      executions: [{ id: 'exe-bbbb', error: { code: '01010020', message: 'Execution exe-bbbb not found' } }],
    });
    expect(bulkResults('executions', [b], answered(202, failed), context)).toEqual([
      {
        id: 'exe-bbbb',
        action: 'delete',
        outcome: 'rejected',
        notFound: true,
        httpStatus: null,
        code: '01010020',
        message: 'Execution exe-bbbb not found',
      },
    ]);
  });

  it.each([
    ['HTML', '<html>oops</html>'],
    ['truncated JSON', '{"executions":[{"id":"exe-aa'],
    ['the wrong wrapper key', JSON.stringify({ deployments: [{ id: 'exe-aaaa', message: 'x' }] })],
    ['an empty body', ''],
  ])('leaves the whole chunk unknown on a 2xx with %s', (_name, text) => {
    expect(bulkResults('executions', [a, b], answered(202, text), context).map((r) => r.outcome)).toEqual(['unknown', 'unknown']);
  });

  it('treats an item without message or readable error as unknown', () => {
    const body = JSON.stringify({ executions: [{ id: 'exe-aaaa' }, { id: 'exe-bbbb', error: 'no' }] });
    expect(bulkResults('executions', [a, b], answered(202, body), context).map((r) => r.outcome)).toEqual(['unknown', 'unknown']);
  });

  it.each([
    [400, 'rejected'],
    [403, 'rejected'],
    [404, 'rejected'],
    [409, 'rejected'],
    [412, 'rejected'],
    [401, 'not-sent'],
    [429, 'not-sent'],
    [408, 'unknown'],
    [500, 'unknown'],
    [504, 'unknown'],
    [307, 'unknown'],
  ])('maps a final HTTP %i to %s for every item', (status, outcome) => {
    expect(bulkResults('executions', [a, b], answered(status, '{}'), context).map((r) => r.outcome)).toEqual([outcome, outcome]);
  });
});

describe('singleResult', () => {
  const single = { operation: 'stop executions exe-aaaa', group: 'g1' };

  it('accepts a 2xx naming the item, or an empty 2xx', () => {
    expect(
      singleResult(a, answered(202, JSON.stringify({ id: 'exe-aaaa', message: 'Execution modification scheduled' })), single),
    ).toMatchObject({ outcome: 'accepted', message: 'Execution modification scheduled' });
    expect(singleResult(a, answered(200, ''), single)).toMatchObject({ outcome: 'accepted' });
  });

  it('is unknown on a 2xx that does not parse or names another id', () => {
    expect(singleResult(a, answered(202, '{"id":"exe-a'), single).outcome).toBe('unknown');
    expect(singleResult(a, answered(202, JSON.stringify({ id: 'exe-other', message: 'x' })), single).outcome).toBe('unknown');
  });

  it('marks a 404 as not found', () => {
    expect(singleResult(b, answered(404, JSON.stringify({ error: { code: '01010020', message: 'gone' } })), single)).toMatchObject({
      outcome: 'rejected',
      notFound: true,
      httpStatus: 404,
      code: '01010020',
    });
  });
});

describe('sentFromError', () => {
  it('tells not-sent from unknown', () => {
    const ctx = { operation: 'x' };
    expect(sentFromError(new RequestNotSentError('deadline', 'not sent', ctx))).toMatchObject({ kind: 'not-sent', stopped: true });
    expect(sentFromError(new AiCoreNetworkError('refused', ctx, { notWritten: true }))).toMatchObject({ kind: 'not-sent', stopped: false });
    expect(sentFromError(new AiCoreNetworkError('reset', ctx, { notWritten: false }))).toMatchObject({ kind: 'unknown' });
    expect(() => sentFromError(new TypeError('a bug'))).toThrow('a bug');
  });
});

describe('nextPagePath', () => {
  const base = 'https://api.ai.example.com/v2';
  const ctx = { operation: 'list resource groups' };

  it('resolves a relative or same-origin next link', () => {
    expect(nextPagePath('</v2/admin/resourceGroups?continueToken=x>; rel="next"', base, ctx)).toBe(
      'https://api.ai.example.com/v2/admin/resourceGroups?continueToken=x',
    );
    expect(nextPagePath('<https://api.ai.example.com/v2/admin/resourceGroups?p=2>; rel=next', base, ctx)).toContain('p=2');
    expect(nextPagePath(null, base, ctx)).toBeNull();
    expect(nextPagePath('</x>; rel="prev"', base, ctx)).toBeNull();
  });

  it.each([
    'https://evil.example/v2/admin/resourceGroups',
    'http://api.ai.example.com/v2/x',
    'https://api.ai.example.com:8443/v2/x',
    '//evil.example/v2/x',
  ])('refuses a next link to %s', (target) => {
    expect(() => nextPagePath(`<${target}>; rel="next"`, base, ctx)).toThrow(AiCoreResponseError);
  });
});
