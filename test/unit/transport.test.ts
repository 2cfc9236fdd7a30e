import { describe, expect, it } from 'vitest';
import { AiCoreNetworkError, RequestNotSentError } from '../../lib/aicore/errors.js';
import type { FetchInit, FetchResponse, HttpFetch } from '../../lib/aicore/http-fetch.js';
import { classifyNetworkFailure, retryAfterMs, Transport, type HttpRequest, type TransportConfig } from '../../lib/aicore/transport.js';

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-23T12:00:00Z');

  it('reads delta-seconds', () => {
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('0', now)).toBe(0);
  });

  it('reads an HTTP date, never negative', () => {
    expect(retryAfterMs('Mon, 23 Nov 2026 12:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('Mon, 23 Nov 2026 11:00:00 GMT', now)).toBe(0);
  });

  it('ignores absent or garbage values', () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });
});

/** What undici's fetch throws: `TypeError('fetch failed')` with the socket error as cause. */
function fetchFailed(code: string, message = code): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });
}

type Step = { status: number; headers?: Record<string, string>; text?: string } | Error | 'hang';

/** A scripted fetch: one step per call (the last step repeats), every call recorded. */
function fakeFetch(steps: Step[]) {
  const calls: Array<{ url: string; init: FetchInit }> = [];
  const fetch: HttpFetch = (url, init) => {
    calls.push({ url, init });
    const step = steps[Math.min(calls.length - 1, steps.length - 1)];
    if (step === undefined) return Promise.reject(new Error('no step'));
    if (step === 'hang') {
      return new Promise<FetchResponse>((_resolve, reject) => {
        init.signal.addEventListener('abort', () => reject(init.signal.reason));
      });
    }
    if (step instanceof Error) return Promise.reject(step);
    const headers = new Map(Object.entries(step.headers ?? {}));
    return Promise.resolve({
      status: step.status,
      headers: { get: (name: string) => headers.get(name.toLowerCase()) ?? null },
      text: () => Promise.resolve(step.text ?? ''),
    });
  };
  return { fetch, calls };
}

/** A transport on a fake clock: sleeps advance it and are recorded. */
function transportWith(steps: Step[], config: Partial<TransportConfig> = {}) {
  const { fetch, calls } = fakeFetch(steps);
  const clock = { t: 1_000_000 };
  const waits: number[] = [];
  const transport = new Transport({
    fetch,
    now: () => clock.t,
    sleep: (ms) => {
      waits.push(ms);
      clock.t += ms;
      return Promise.resolve();
    },
    random: () => 1,
    baseDelayMs: 100,
    ...config,
  });
  return { transport, calls, waits, clock };
}

const context = { operation: 'test call', group: 'g1' };
const patch: HttpRequest = { method: 'PATCH', url: 'https://api.example/v2/lm/executions', headers: {}, body: '{}', context };
const del: HttpRequest = { method: 'DELETE', url: 'https://api.example/v2/lm/executions/exe-0001', headers: {}, context };
const get: HttpRequest = { method: 'GET', url: 'https://api.example/v2/lm/executions', headers: {}, context };
const tokenPost: HttpRequest = {
  method: 'POST',
  url: 'https://auth.example/oauth/token',
  headers: {},
  body: 'grant_type=client_credentials',
  context,
};

describe('Transport: mutations are never re-sent blind', () => {
  it.each([500, 502, 503, 504, 408])('sends a PATCH once when it gets %i', async (status) => {
    const { transport, calls } = transportWith([{ status }, { status: 202 }]);
    const response = await transport.send(patch);
    expect(response.status).toBe(status);
    expect(calls).toHaveLength(1);
    expect(transport.calls).toBe(1);
  });

  it.each([
    ['ECONNRESET', fetchFailed('ECONNRESET', 'read ECONNRESET')],
    ['UND_ERR_SOCKET', fetchFailed('UND_ERR_SOCKET', 'other side closed')],
    ['an unknown code', fetchFailed('EWHATEVER')],
    ['an error without a code', new TypeError('fetch failed', { cause: new Error('terminated') })],
  ])('sends a DELETE once after %s, as an unknown outcome', async (_name, error) => {
    const { transport, calls } = transportWith([error, { status: 202 }]);
    const failure = await transport.send(del).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AiCoreNetworkError);
    expect(failure).toMatchObject({ notWritten: false });
    expect(calls).toHaveLength(1);
  });

  it('sends a PATCH once after a timeout, as an unknown outcome', async () => {
    const { transport, calls } = transportWith(['hang', { status: 202 }], { requestTimeoutMs: 50, now: Date.now });
    const failure = await transport.send(patch).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(AiCoreNetworkError);
    expect(failure).toMatchObject({ notWritten: false, message: expect.stringContaining('no answer within 50 ms') });
    expect(calls).toHaveLength(1);
  });

  it('retries a PATCH after a 429, waiting exactly its Retry-After', async () => {
    const { transport, calls, waits } = transportWith([
      { status: 429, headers: { 'retry-after': '2' } },
      { status: 202, text: '{}' },
    ]);
    expect((await transport.send(patch)).status).toBe(202);
    expect(calls).toHaveLength(2);
    expect(waits).toContain(2000);
  });

  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID'])(
    'retries a PATCH after %s: it was never written',
    async (code) => {
      const { transport, calls } = transportWith([fetchFailed(code), { status: 202 }]);
      expect((await transport.send(patch)).status).toBe(202);
      expect(calls).toHaveLength(2);
    },
  );

  it('reports "not written" when connection-refused outlasts the attempts', async () => {
    const { transport, calls } = transportWith([fetchFailed('ECONNREFUSED')], { maxAttempts: 3 });
    await expect(transport.send(del)).rejects.toMatchObject({ name: 'AiCoreNetworkError', notWritten: true });
    expect(calls).toHaveLength(3);
  });
});

describe('Transport: reads keep their retries', () => {
  it('retries a GET on 503, then succeeds', async () => {
    const { transport, calls } = transportWith([{ status: 503 }, { status: 200 }]);
    expect((await transport.send(get)).status).toBe(200);
    expect(calls).toHaveLength(2);
  });

  it('retries a GET after a reset and after a timeout', async () => {
    const reset = transportWith([fetchFailed('ECONNRESET'), { status: 200 }]);
    expect((await reset.transport.send(get)).status).toBe(200);
    const hung = transportWith(['hang', { status: 200 }], { requestTimeoutMs: 20, now: Date.now });
    expect((await hung.transport.send(get)).status).toBe(200);
    expect(hung.calls).toHaveLength(2);
  });

  it('retries the token POST on 5xx: it is safe to repeat', async () => {
    const { transport, calls } = transportWith([{ status: 502 }, { status: 200 }]);
    expect((await transport.send(tokenPost)).status).toBe(200);
    expect(calls).toHaveLength(2);
  });
});

describe('Transport: the deadline', () => {
  it('sends nothing when the deadline has passed', async () => {
    const { transport, calls, clock } = transportWith([{ status: 200 }]);
    const attempt = new Transport({ ...transport.config, deadline: () => clock.t });
    await expect(attempt.send(patch)).rejects.toMatchObject({ name: 'RequestNotSentError', reason: 'deadline' });
    await expect(attempt.send(get)).rejects.toBeInstanceOf(RequestNotSentError);
    expect(calls).toHaveLength(0);
    expect(attempt.calls).toBe(0);
  });

  it('checks the deadline before every attempt, not only between retries', async () => {
    // The wait after the 429 fits; the gate then uses the remaining time, so the retry is not sent.
    const clock = { t: 0 };
    const { fetch, calls } = fakeFetch([{ status: 429, headers: { 'retry-after': '1' } }, { status: 202 }]);
    const transport = new Transport({
      fetch,
      now: () => clock.t,
      sleep: (ms) => {
        clock.t += ms;
        return Promise.resolve();
      },
      deadline: () => 1_500,
    });
    let gates = 0;
    const gate = (): Promise<void> => {
      gates += 1;
      if (gates === 2) clock.t += 600;
      return Promise.resolve();
    };
    await expect(transport.send({ ...patch, gate })).rejects.toMatchObject({ name: 'RequestNotSentError', reason: 'deadline' });
    expect(calls).toHaveLength(1);
    expect(gates).toBe(2);
  });

  it('clamps each attempt’s timeout to the time left', async () => {
    const { transport, calls } = transportWith(['hang'], { requestTimeoutMs: 30_000, now: () => 0, deadline: () => 80 });
    const started = Date.now();
    await expect(transport.send(patch)).rejects.toThrow(/no answer within 80 ms/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(calls).toHaveLength(1);
  });

  it('does not wait a Retry-After that ends after the deadline: the mutation was not sent', async () => {
    const { transport, calls, waits, clock } = transportWith([{ status: 429, headers: { 'retry-after': '10' } }, { status: 202 }]);
    const limited = new Transport({ ...transport.config, deadline: () => clock.t + 5_000 });
    expect((await limited.send(patch)).status).toBe(429);
    expect(calls).toHaveLength(1);
    expect(waits).toEqual([]);
  });
});

describe('Transport: the send gate', () => {
  it('runs before every attempt', async () => {
    const { transport, calls } = transportWith([{ status: 503 }, { status: 503 }, { status: 200 }]);
    let gates = 0;
    const gate = (): Promise<void> => {
      gates += 1;
      return Promise.resolve();
    };
    expect((await transport.send({ ...get, gate })).status).toBe(200);
    expect(gates).toBe(3);
    expect(calls).toHaveLength(3);
  });

  it('sends nothing when the gate throws, and says why', async () => {
    const { transport, calls } = transportWith([{ status: 202 }]);
    const lost = new Error('lease lost to run-2');
    const failure = await transport.send({ ...patch, gate: () => Promise.reject(lost) }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(RequestNotSentError);
    expect(failure).toMatchObject({ reason: 'stopped', cause: lost, message: expect.stringContaining('lease lost to run-2') });
    expect(calls).toHaveLength(0);
    expect(transport.calls).toBe(0);
  });
});

describe('Transport: a Retry-After longer than the run has left', () => {
  it('is never slept through by the requests that follow: they are not sent, at once', async () => {
    const start = 1_000_000;
    const { transport, calls, waits } = transportWith([{ status: 429, headers: { 'retry-after': '3600' } }], {
      deadline: () => start + 10_000,
    });
    // The 429's own wait would pass the deadline, so its answer stands (AI Core did not act).
    expect((await transport.send(patch)).status).toBe(429);
    // The pacer now holds every request to that host for an hour: the next one is refused, not delayed.
    await expect(transport.send(patch)).rejects.toMatchObject({ name: 'RequestNotSentError', reason: 'deadline' });
    expect(waits.every((ms) => ms < 10_000)).toBe(true);
    expect(calls).toHaveLength(1);
  });
});

describe('classifyNetworkFailure', () => {
  it('looks through the fetch wrapper and an AggregateError of addresses', () => {
    expect(classifyNetworkFailure(fetchFailed('ECONNREFUSED'))).toBe(true);
    const both = new AggregateError([
      Object.assign(new Error('a'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('b'), { code: 'ENETUNREACH', syscall: 'connect' }),
    ]);
    expect(classifyNetworkFailure(new TypeError('fetch failed', { cause: both }))).toBe(true);
    expect(
      classifyNetworkFailure(
        new TypeError('fetch failed', { cause: Object.assign(new Error('ssl'), { code: 'ERR_SSL_WRONG_VERSION_NUMBER' }) }),
      ),
    ).toBe(true);
  });

  it('counts unreachable-network codes as "not written" only when connect() raised them', () => {
    for (const code of ['EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'EADDRNOTAVAIL']) {
      expect(
        classifyNetworkFailure(new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code, syscall: 'connect' }) })),
        code,
      ).toBe(true);
      // On a reused keep-alive socket the same code can follow a request already written.
      expect(
        classifyNetworkFailure(new TypeError('fetch failed', { cause: Object.assign(new Error(code), { code, syscall: 'write' }) })),
        code,
      ).toBe(false);
      expect(classifyNetworkFailure(fetchFailed(code)), code).toBe(false);
    }
    // A TLS error after the handshake (a corrupt record) may follow a written request.
    expect(classifyNetworkFailure(fetchFailed('ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC'))).toBe(false);
  });

  it('is conservative about everything else', () => {
    const mixed = new AggregateError([
      Object.assign(new Error('a'), { code: 'ECONNREFUSED' }),
      Object.assign(new Error('b'), { code: 'ECONNRESET' }),
    ]);
    expect(classifyNetworkFailure(new TypeError('fetch failed', { cause: mixed }))).toBe(false);
    expect(classifyNetworkFailure(fetchFailed('ECONNRESET'))).toBe(false);
    expect(classifyNetworkFailure(fetchFailed('UND_ERR_SOCKET'))).toBe(false);
    expect(classifyNetworkFailure(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toBe(false);
    expect(classifyNetworkFailure('boom')).toBe(false);
    // A wrapper with a code of its own is not looked through.
    expect(classifyNetworkFailure(Object.assign(new Error('x', { cause: fetchFailed('ECONNREFUSED') }), { code: 'UND_ERR_ABORTED' }))).toBe(
      false,
    );
  });
});
