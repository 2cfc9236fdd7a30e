/**
 * HTTP with the manners a shared service deserves: a per-host concurrency limit, a timeout per
 * request, bounded retries of 429 / 5xx / network failures with exponential backoff and full
 * jitter, `Retry-After` honoured, and a run deadline that no retry may overrun. Other 4xx are never
 * retried: they will not get better.
 */
import { AiCoreHttpError, AiCoreNetworkError, type CallContext } from './errors.js';
import { ErrorBody } from './wire.js';
import { createHttpFetch, type ClientTls, type FetchResponse, type HttpFetch } from './http-fetch.js';
import { Limiter } from './limiter.js';
import { Pacer } from './pacer.js';

interface TransportConfig {
  /** Attempts per request, including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  requestTimeoutMs: number;
  /** Concurrent requests per host. */
  concurrency: number;
  /** Epoch ms after which no new attempt starts (in Lambda: remaining time minus a margin). */
  deadline: () => number;
  fetch: HttpFetch;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
}

const DEFAULT_TRANSPORT: TransportConfig = {
  maxAttempts: 5,
  baseDelayMs: 250,
  maxDelayMs: 30_000,
  requestTimeoutMs: 30_000,
  concurrency: 8,
  deadline: () => Number.POSITIVE_INFINITY,
  fetch: createHttpFetch(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
  now: Date.now,
};

interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Client certificate for mutual TLS (the X.509 token call). */
  tls?: ClientTls;
  context: CallContext;
}

interface HttpResponse {
  status: number;
  headers: FetchResponse['headers'];
  text: string;
}

const RETRYABLE = new Set([429, 500, 502, 503, 504]);

/** `Retry-After` as milliseconds from now: delta-seconds or an HTTP date. */
function retryAfterMs(value: string | null, now: number): number | undefined {
  if (value === null) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

class Transport {
  readonly config: TransportConfig;
  private readonly limiters = new Map<string, Limiter>();
  /** Per host: one 429 slows every request to that host, not just the one that earned it. */
  private readonly pacers = new Map<string, Pacer>();
  /** Requests actually sent, retries included: the run report's "API calls". */
  calls = 0;

  constructor(config: Partial<TransportConfig> = {}) {
    this.config = { ...DEFAULT_TRANSPORT, ...config };
  }

  /** Sends with retries; resolves with any final response (2xx or not) the caller must interpret. */
  async send(request: HttpRequest): Promise<HttpResponse> {
    const { maxAttempts } = this.config;
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.attempt(request);
      const retryable = outcome instanceof Error || RETRYABLE.has(outcome.status);
      if (!retryable || attempt >= maxAttempts) {
        if (outcome instanceof Error) throw outcome;
        return outcome;
      }
      const hinted = outcome instanceof Error ? undefined : retryAfterMs(outcome.headers.get('retry-after'), this.config.now());
      const backoff = this.config.random() * Math.min(this.config.maxDelayMs, this.config.baseDelayMs * 2 ** (attempt - 1));
      const delay = hinted ?? backoff;
      if (!(outcome instanceof Error) && outcome.status === 429) this.pacerFor(request.url).throttled(hinted ?? 0);
      if (this.config.now() + delay >= this.config.deadline()) {
        if (outcome instanceof Error) throw outcome;
        return outcome;
      }
      await this.config.sleep(delay);
    }
  }

  /** Sends and turns any non-2xx final answer into a typed error. */
  async sendOk(request: HttpRequest): Promise<HttpResponse> {
    const response = await this.send(request);
    if (response.status >= 200 && response.status < 300) return response;
    throw httpError(request.context, response);
  }

  private limiterFor(url: string): Limiter {
    const host = new URL(url).host;
    let limiter = this.limiters.get(host);
    if (limiter === undefined) {
      limiter = new Limiter(this.config.concurrency);
      this.limiters.set(host, limiter);
    }
    return limiter;
  }

  private pacerFor(url: string): Pacer {
    const host = new URL(url).host;
    let pacer = this.pacers.get(host);
    if (pacer === undefined) {
      pacer = new Pacer(this.config.now, this.config.sleep);
      this.pacers.set(host, pacer);
    }
    return pacer;
  }

  private attempt(request: HttpRequest): Promise<HttpResponse | AiCoreNetworkError> {
    const limiter = this.limiterFor(request.url);
    const pacer = this.pacerFor(request.url);
    return limiter.run(async () => {
      await pacer.turn();
      this.calls += 1;
      const signal = AbortSignal.timeout(this.config.requestTimeoutMs);
      try {
        const response = await this.config.fetch(request.url, {
          method: request.method,
          headers: request.headers,
          body: request.body ?? null,
          signal,
          tls: request.tls,
        });
        if (response.status === 429) {
          limiter.shrink();
        } else if (response.status < 400) {
          limiter.grow();
          pacer.succeeded();
        }
        return { status: response.status, headers: response.headers, text: await response.text() };
      } catch (error) {
        const reason = signal.aborted ? `no answer within ${this.config.requestTimeoutMs} ms` : describeNetworkFailure(error);
        return new AiCoreNetworkError(`${request.context.operation} failed: ${reason}`, request.context, { cause: error });
      }
    });
  }
}

function describeNetworkFailure(error: unknown): string {
  if (error instanceof Error && error.cause instanceof Error) return error.cause.message;
  return error instanceof Error ? error.message : 'network error';
}

function httpError(context: CallContext, response: HttpResponse): AiCoreHttpError {
  let body: unknown;
  try {
    body = JSON.parse(response.text);
  } catch {
    body = undefined;
  }
  const parsed = ErrorBody.safeParse(body);
  const error = parsed.success ? parsed.data.error : undefined;
  return new AiCoreHttpError({
    ...context,
    status: response.status,
    code: error?.code,
    requestId: error?.requestId ?? response.headers.get('x-request-id') ?? undefined,
    serverMessage: error?.message,
  });
}

export { Transport, DEFAULT_TRANSPORT, retryAfterMs, httpError };
export type { TransportConfig, HttpRequest, HttpResponse };
