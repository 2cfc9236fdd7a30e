/**
 * HTTP with the manners a shared service deserves: a per-host concurrency limit, a timeout per
 * request, bounded retries with exponential backoff and full jitter, `Retry-After` honoured, and a
 * run deadline checked before every attempt. Other 4xx are never retried: they will not get better.
 *
 * Reads (GET, and the token POST) are retried on 429, 5xx and any network failure. Mutations
 * (PATCH, DELETE) are retried only where AI Core provably did not act: a 429, or a failure before
 * the request was written (see {@link classifyNetworkFailure}). A lost answer to a mutation (a
 * timeout, a reset, a 5xx) is handed back as it is, never re-sent blind.
 */
import { AiCoreHttpError, AiCoreNetworkError, RequestNotSentError, type CallContext } from './errors.js';
import { ErrorBody } from './wire.js';
import { createHttpFetch, type ClientTls, type FetchResponse, type HttpFetch } from './http-fetch.js';
import { Limiter } from './limiter.js';
import { Pacer } from './pacer.js';
import { errorMessage } from '../util/errors.js';
import { jsonOrUndefined } from '../util/json.js';
import { sleep } from '../util/time.js';

interface TransportConfig {
  /** Attempts per request, including the first. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  requestTimeoutMs: number;
  /** Concurrent requests per host. */
  concurrency: number;
  /** Slow start per host (on by default); off, a host gets `concurrency` at once from its first request. */
  slowStart: boolean;
  /**
   * Epoch ms from which no attempt starts (in Lambda: remaining time minus a margin). Checked
   * before every attempt; each attempt's timeout is clamped to the time left.
   */
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
  slowStart: true,
  deadline: () => Number.POSITIVE_INFINITY,
  fetch: createHttpFetch(),
  sleep,
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
  /**
   * Runs before every attempt, after the request's turn has come; if it throws, the request is not
   * sent ({@link RequestNotSentError} with reason `stopped`). The run coordinator renews its lease here.
   */
  gate?: SendGate | undefined;
}

/** A hook run before each attempt; throwing stops the request before it is sent. */
type SendGate = () => Promise<void>;

interface HttpResponse {
  status: number;
  headers: FetchResponse['headers'];
  text: string;
}

const RETRYABLE_READ = new Set([429, 500, 502, 503, 504]);

/**
 * Slow start per host (see Limiter): two requests in flight, which is what a token bucket running
 * dry can refuse before the first 429 comes back, until the host has answered more than a bucket
 * of 20 refilled at 20/s could have (tracked as a bucket of 24: 30 answers at 20 ms a round trip),
 * and for at most 40 answers with the limit in use (a host too slow to outpace such a bucket soon;
 * beyond about 50 ms a round trip the bucket may outlast that). A pause refills the tracked bucket
 * and gives the count back over a second; a quarter second with nothing sent puts a host past its
 * probation back into it.
 */
const SLOW_START = { initial: 2, probation: 40, ceiling: 20, idleMs: 250, refillMs: 1_000 } as const;

/** PATCH and DELETE change state: re-sending one whose answer was lost may act twice. */
function isMutation(method: HttpRequest['method']): boolean {
  return method === 'PATCH' || method === 'DELETE';
}

/**
 * Error codes (undici and Node) that prove the request never left: nothing was written to a
 * connection, because there was none (refused, DNS, unreachable, connect timeout) or because the
 * TLS handshake failed before any HTTP byte was sent.
 */
const NOT_WRITTEN_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'UND_ERR_CONNECT_TIMEOUT',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_HANDSHAKE_TIMEOUT',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'HOSTNAME_MISMATCH',
]);

/**
 * Socket errors that prove nothing was written only when they come from `connect()` itself: on a
 * reused keep-alive connection the same codes can follow a request that was already sent.
 */
const CONNECT_ONLY_CODES: ReadonlySet<string> = new Set(['EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN', 'EADDRNOTAVAIL']);

/** TLS alerts that only a handshake produces (before any HTTP byte): other ERR_SSL_* may come later. */
const HANDSHAKE_SSL_CODES: ReadonlySet<string> = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION',
  'ERR_SSL_UNSUPPORTED_PROTOCOL',
  'ERR_SSL_NO_PROTOCOLS_AVAILABLE',
]);

function syscallOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('syscall' in value)) return undefined;
  return typeof value.syscall === 'string' ? value.syscall : undefined;
}

function codeOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || !('code' in value)) return undefined;
  return typeof value.code === 'string' ? value.code : undefined;
}

/**
 * Whether a failed fetch provably never wrote the request. undici throws `TypeError('fetch failed')`
 * with the socket error as `cause` (sometimes an `AggregateError` of one error per address tried).
 * Conservative: a reset (`ECONNRESET`), "other side closed" (`UND_ERR_SOCKET`), an abort or timeout
 * after connecting, or anything unrecognised is `false`: the request may have been acted on.
 *
 * @example
 * classifyNetworkFailure(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) })); // true
 */
function classifyNetworkFailure(error: unknown): boolean {
  const seen = new Set<unknown>();
  const notWritten = (value: unknown): boolean => {
    if (seen.has(value)) return false;
    seen.add(value);
    const code = codeOf(value);
    if (code !== undefined && (NOT_WRITTEN_CODES.has(code) || HANDSHAKE_SSL_CODES.has(code))) return true;
    if (code !== undefined && CONNECT_ONLY_CODES.has(code)) return syscallOf(value) === 'connect';
    if (value instanceof AggregateError && value.errors.length > 0) return value.errors.every(notWritten);
    // Only the generic fetch wrapper (no code of its own) is looked through, to its cause.
    if (code === undefined && value instanceof Error && value.cause !== undefined) return notWritten(value.cause);
    return false;
  };
  return notWritten(error);
}

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
  private sent = 0;

  constructor(config: Partial<TransportConfig> = {}) {
    this.config = { ...DEFAULT_TRANSPORT, ...config };
  }

  /** Requests actually sent, retries included: the run report's "API calls". */
  get calls(): number {
    return this.sent;
  }

  /**
   * Sends with retries; resolves with any final response (2xx or not) the caller must interpret.
   * Throws {@link RequestNotSentError} when the deadline or the gate stopped an attempt, and
   * {@link AiCoreNetworkError} when the last attempt got no answer.
   */
  async send(request: HttpRequest): Promise<HttpResponse> {
    const { maxAttempts } = this.config;
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.attempt(request);
      if (!this.retryable(request, outcome) || attempt >= maxAttempts) {
        if (outcome instanceof AiCoreNetworkError) throw outcome;
        return outcome;
      }
      const hinted =
        outcome instanceof AiCoreNetworkError ? undefined : retryAfterMs(outcome.headers.get('retry-after'), this.config.now());
      const backoff = this.config.random() * Math.min(this.config.maxDelayMs, this.config.baseDelayMs * 2 ** (attempt - 1));
      const delay = hinted ?? backoff;
      // A wait that would end at or after the deadline is not taken: the last answer stands.
      if (this.config.now() + delay >= this.config.deadline()) {
        if (outcome instanceof AiCoreNetworkError) throw outcome;
        return outcome;
      }
      await this.config.sleep(delay);
    }
  }

  /**
   * Whether an attempt's outcome may be tried again. Reads: 429, 5xx, any network failure. Mutations:
   * only what proves AI Core did not act, a 429 or a failure before the request was written.
   * (Protected so a test can switch the guard off and show what it prevents.)
   */
  protected retryable(request: HttpRequest, outcome: HttpResponse | AiCoreNetworkError): boolean {
    const mutation = isMutation(request.method);
    if (outcome instanceof AiCoreNetworkError) return !mutation || outcome.notWritten;
    return mutation ? outcome.status === 429 : RETRYABLE_READ.has(outcome.status);
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
      limiter = new Limiter(this.config.concurrency, this.config.slowStart ? { ...SLOW_START, now: this.config.now } : undefined);
      this.limiters.set(host, limiter);
    }
    return limiter;
  }

  private pacerFor(url: string): Pacer {
    const host = new URL(url).host;
    let pacer = this.pacers.get(host);
    if (pacer === undefined) {
      pacer = new Pacer(this.config.now, this.config.sleep, SLOW_START.idleMs);
      this.pacers.set(host, pacer);
    }
    return pacer;
  }

  /** Throws {@link RequestNotSentError} when the deadline has come; otherwise returns the ms left. */
  private timeLeft(request: HttpRequest): number {
    const left = this.config.deadline() - this.config.now();
    if (left <= 0) {
      throw new RequestNotSentError('deadline', `${request.context.operation} not sent: the run deadline has passed`, request.context);
    }
    return left;
  }

  private async attempt(request: HttpRequest): Promise<HttpResponse | AiCoreNetworkError> {
    this.timeLeft(request);
    const limiter = this.limiterFor(request.url);
    const pacer = this.pacerFor(request.url);
    return limiter.run(async () => {
      if (!(await pacer.turn(this.config.deadline()))) {
        throw new RequestNotSentError(
          'deadline',
          `${request.context.operation} not sent: the server asked to wait past the run deadline`,
          request.context,
        );
      }
      if (request.gate !== undefined) {
        try {
          await request.gate();
        } catch (error) {
          throw new RequestNotSentError('stopped', `${request.context.operation} not sent: ${errorMessage(error)}`, request.context, {
            cause: error,
          });
        }
      }
      // Checked again right before sending: the turn and the gate take time.
      const timeoutMs = Math.max(1, Math.ceil(Math.min(this.config.requestTimeoutMs, this.timeLeft(request))));
      this.sent += 1;
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const response = await this.config.fetch(request.url, {
          method: request.method,
          headers: request.headers,
          body: request.body ?? null,
          signal,
          tls: request.tls,
        });
        if (response.status === 429) {
          // Before this slot is released: the next waiting request must already see the slowdown.
          limiter.shrink();
          pacer.throttled(retryAfterMs(response.headers.get('retry-after'), this.config.now()) ?? 0);
        } else if (response.status < 400) {
          limiter.grow();
          pacer.succeeded();
        }
        return { status: response.status, headers: response.headers, text: await response.text() };
      } catch (error) {
        const timedOut = signal.aborted;
        const reason = timedOut ? `no answer within ${timeoutMs} ms` : describeNetworkFailure(error);
        return new AiCoreNetworkError(`${request.context.operation} failed: ${reason}`, request.context, {
          cause: error,
          notWritten: !timedOut && classifyNetworkFailure(error),
        });
      }
    });
  }
}

function describeNetworkFailure(error: unknown): string {
  if (error instanceof Error && error.cause instanceof Error) {
    const code = codeOf(error.cause);
    return error.cause.message !== '' ? error.cause.message : (code ?? error.message);
  }
  return error instanceof Error ? error.message : 'network error';
}

function httpError(context: CallContext, response: HttpResponse): AiCoreHttpError {
  const parsed = ErrorBody.safeParse(jsonOrUndefined(response.text));
  const error = parsed.success ? parsed.data.error : undefined;
  return new AiCoreHttpError({
    ...context,
    status: response.status,
    code: error?.code,
    requestId: error?.requestId ?? response.headers.get('x-request-id') ?? undefined,
    serverMessage: error?.message,
  });
}

export { Transport, DEFAULT_TRANSPORT, retryAfterMs, httpError, classifyNetworkFailure, isMutation };
export type { TransportConfig, HttpRequest, HttpResponse, SendGate };
