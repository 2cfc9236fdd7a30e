/**
 * Fault injection, deterministic for a seed: what a shared, rate-limited, occasionally failing
 * service does to a client. Route faults are keyed by normalised route (`GET /v2/lm/executions`)
 * or `*`; a route's own settings override `*` knob by knob. "First N" knobs count every request on
 * the concrete route, so `'*': {failFirst: 1}` fails the first request of each route once.
 */
import * as z from 'zod';
import type { ResourceType } from '../../../lib/lifecycle.js';
import { ERROR_CODES, errorResponse, type SimRequest, type SimResponse } from './http.js';
import { makeDeployment, makeExecution } from './items.js';
import { Prng } from './prng.js';
import { KNOWN_ROUTES } from './routes.js';
import type { ItemFaults } from './routes-lm.js';
import type { FleetState, WireItem } from './state.js';
import type { Clock } from './time.js';

const Count = z.number().int().nonnegative();
const Probability = z.number().min(0).max(1);

/** How an answer is lost after the request was applied (see `loseAnswer`). */
const ANSWER_LOSSES = ['504', 'timeout', 'reset', 'garbled'] as const;
type AnswerLoss = (typeof ANSWER_LOSSES)[number];

const RouteFaults = z.strictObject({
  /** Delay before answering: fixed ms, or uniform in [min, max]. */
  latencyMs: z.union([Count, z.strictObject({ min: Count, max: Count })]).optional(),
  /** Token bucket: `capacity` requests at once, refilled at `refillPerSecond`; empty → 429 + Retry-After. */
  rateLimit: z.strictObject({ capacity: z.number().int().positive(), refillPerSecond: z.number().positive() }).optional(),
  /** The first N requests get 429 with `Retry-After: retryAfterSeconds`. */
  burst429: Count.optional(),
  retryAfterSeconds: Count.optional(),
  /** Probability of a 5xx (`errorStatus`, default 500). */
  errorRate: Probability.optional(),
  errorStatus: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).optional(),
  /** The first N requests get 503. */
  failFirst: Count.optional(),
  /** Never answer (the socket stays open until the client gives up or stop()). */
  hangFirst: Count.optional(),
  hangRate: Probability.optional(),
  /** Destroy the socket without an answer. */
  dropFirst: Count.optional(),
  dropRate: Probability.optional(),
  /**
   * "The answer was lost after AI Core acted": the first N requests that reach the API (and/or a
   * share `rate` of them) are applied to the state, then answered with a loss: `504` (a gateway's
   * HTML error page), `timeout` (no answer; the socket stays open until the client gives up),
   * `reset` (the socket is destroyed) or `garbled` (202 with truncated JSON).
   */
  loseAnswer: z.strictObject({ first: Count.optional(), rate: Probability.optional(), as: z.enum(ANSWER_LOSSES) }).optional(),
});
type RouteFaults = z.infer<typeof RouteFaults>;

const FaultConfig = z.strictObject({
  routes: z
    .record(z.string(), RouteFaults)
    .refine((r) => Object.keys(r).every((k) => k === '*' || KNOWN_ROUTES.includes(k)), {
      message: `route keys must be '*' or one of: ${KNOWN_ROUTES.join(', ')}`,
    })
    .optional(),
  /** Each token is good for this many API calls, then 401 (the client must fetch a new one). */
  tokenMaxUses: z.number().int().positive().optional(),
  /** Items that fail inside a bulk 202 (and stay unchanged): listed ids and/or a probability. */
  bulkItemFailures: z.strictObject({ ids: z.array(z.string()).optional(), rate: Probability.optional() }).optional(),
  /**
   * Mutations between list pages: after a page that is not the last, `disappear` items of that page
   * vanish (shifting later items under `$skip`) and `appear` new RUNNING items are added, sorted at
   * the `start` (they shift everything) or the `end`. `times` bounds how often (default: always).
   */
  listMutations: z
    .strictObject({
      appear: Count.optional(),
      disappear: Count.optional(),
      position: z.enum(['start', 'end']).optional(),
      times: Count.optional(),
    })
    .optional(),
});
type FaultConfig = z.input<typeof FaultConfig>;

/** What to do with a request before the API sees it. */
type FaultDecision =
  | { kind: 'pass'; delayMs: number; lose?: AnswerLoss }
  | { kind: 'respond'; delayMs: number; response: SimResponse; fault: string }
  | { kind: 'hang'; fault: string }
  | { kind: 'drop'; fault: string };

class FaultEngine implements ItemFaults {
  private readonly config: z.output<typeof FaultConfig>;
  private readonly random: Prng;
  private readonly seen = new Map<string, number>();
  /** Per route: requests that reached the API (for `loseAnswer.first`). */
  private readonly passed = new Map<string, number>();
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private mutations = 0;
  private appeared = 0;

  constructor(
    config: FaultConfig | undefined,
    seed: number,
    private readonly clock: Clock,
    private readonly state: FleetState,
  ) {
    this.config = FaultConfig.parse(config ?? {});
    this.random = new Prng(seed);
  }

  get tokenMaxUses(): number | undefined {
    return this.config.tokenMaxUses;
  }

  /** Decides, in a fixed order, whether a fault answers this request instead of the API. */
  before(route: string, request: SimRequest): FaultDecision {
    const routes = this.config.routes ?? {};
    const f: RouteFaults = { ...routes['*'], ...routes[route] };
    const n = (this.seen.get(route) ?? 0) + 1;
    this.seen.set(route, n);
    if (n <= (f.dropFirst ?? 0) || this.random.chance(f.dropRate ?? 0)) return { kind: 'drop', fault: 'drop' };
    if (n <= (f.hangFirst ?? 0) || this.random.chance(f.hangRate ?? 0)) return { kind: 'hang', fault: 'hang' };
    const delayMs =
      f.latencyMs === undefined ? 0 : typeof f.latencyMs === 'number' ? f.latencyMs : this.random.int(f.latencyMs.min, f.latencyMs.max);
    const respond = (status: number, code: string, message: string, fault: string, headers?: Record<string, string>): FaultDecision => ({
      kind: 'respond',
      delayMs,
      fault,
      response: errorResponse(request, status, code, message, headers),
    });
    if (f.rateLimit !== undefined) {
      const wait = this.take(routes[route]?.rateLimit === undefined ? '*' : route, f.rateLimit);
      if (wait > 0) return respond(429, ERROR_CODES.tooManyRequests, 'Too many requests', 'rateLimit', { 'retry-after': String(wait) });
    }
    if (n <= (f.burst429 ?? 0)) {
      return respond(429, ERROR_CODES.tooManyRequests, 'Too many requests', 'burst429', {
        'retry-after': String(f.retryAfterSeconds ?? 1),
      });
    }
    if (n <= (f.failFirst ?? 0)) return respond(503, ERROR_CODES.unavailable, 'Service temporarily unavailable', 'failFirst');
    if (this.random.chance(f.errorRate ?? 0)) {
      const status = f.errorStatus ?? 500;
      return respond(status, status === 500 ? ERROR_CODES.internal : ERROR_CODES.unavailable, `Injected error ${status}`, 'errorRate');
    }
    const lose = f.loseAnswer;
    if (lose !== undefined) {
      const p = (this.passed.get(route) ?? 0) + 1;
      this.passed.set(route, p);
      if (p <= (lose.first ?? 0) || this.random.chance(lose.rate ?? 0)) return { kind: 'pass', delayMs, lose: lose.as };
    }
    return { kind: 'pass', delayMs };
  }

  failsInBulk(_type: ResourceType, id: string): boolean {
    const failures = this.config.bulkItemFailures;
    if (failures === undefined) return false;
    return (failures.ids ?? []).includes(id) || this.random.chance(failures.rate ?? 0);
  }

  afterListPage(type: ResourceType, group: string, served: readonly WireItem[], hasMore: boolean): void {
    const m = this.config.listMutations;
    if (m === undefined || !hasMore || this.mutations >= (m.times ?? Number.POSITIVE_INFINITY)) return;
    this.mutations += 1;
    for (const item of served.slice(0, m.disappear ?? 0)) this.state.remove(type, group, item.id);
    const now = this.clock();
    for (let i = 0; i < (m.appear ?? 0); i += 1) {
      this.appeared += 1;
      // 'start': a creation time before every listed item, so the new item shifts all pages.
      const createdAtMs = m.position === 'start' ? Date.UTC(2000, 0, 1) + this.appeared * 1000 : now;
      const seed = {
        id: `appeared-${type.slice(0, 4)}-${String(this.appeared).padStart(4, '0')}`,
        status: 'RUNNING',
        createdAtMs,
        scenarioId: 'appearing-scenario',
        executableId: 'appearing-executable',
        configurationId: 'appearing-configuration',
        configurationName: 'appeared between pages',
      };
      this.state.add(type, group, type === 'executions' ? makeExecution(seed) : makeDeployment(seed));
    }
  }

  /** Takes one token from the bucket; returns 0, or the whole seconds until one is available. */
  private take(key: string, limit: { capacity: number; refillPerSecond: number }): number {
    const now = this.clock();
    const bucket = this.buckets.get(key) ?? { tokens: limit.capacity, at: now };
    bucket.tokens = Math.min(limit.capacity, bucket.tokens + ((now - bucket.at) / 1000) * limit.refillPerSecond);
    bucket.at = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / limit.refillPerSecond));
  }
}

export { FaultConfig, RouteFaults, FaultEngine, ANSWER_LOSSES };
export type { FaultDecision, AnswerLoss };
