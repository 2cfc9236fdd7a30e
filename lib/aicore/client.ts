/**
 * The AI API v2 client: the only code that speaks HTTP to AI Core. Listing is complete and
 * tolerant; updates are guarded by lib/lifecycle.ts (and the spec's id pattern) before anything is
 * sent, use bulk PATCH only where `GET /v2/lm/meta` says the tenant supports it, and never throw for
 * what happened on the wire: each item comes back `accepted`, `rejected`, `unknown` or `not-sent`.
 * Every URL the client follows stays on AI_API_URL's origin.
 */
import { isLegalTransition, RESOURCE_TYPES, TARGET_STATUS, type ResourceType } from '../lifecycle.js';
import { isResource, parseResource, type GroupFleet, type Resource, type UnparseableItem, type WarmNodes } from '../resources.js';
import {
  AiCoreError,
  AiCoreHttpError,
  AiCoreResponseError,
  ClientUsageError,
  IllegalTransitionError,
  InvalidIdError,
  RequestNotSentError,
  type CallContext,
} from './errors.js';
import { mapLimited } from '../util/concurrency.js';
import { errorMessage } from '../util/errors.js';
import { type TokenCache, TokenSource } from './token.js';
import { jsonOrUndefined } from '../util/json.js';
import { httpError, Transport, type HttpRequest, type HttpResponse, type SendGate } from './transport.js';
import {
  bulkResults,
  sentFromError,
  singleResult,
  UNKNOWN_ID_CODES,
  type Sent,
  type UpdateRequest,
  type UpdateResult,
} from './update-results.js';
import { AiId, Meta, ResourceGroupList, ResourceNodes, ListPage, type ServiceKey } from './wire.js';

interface ClientConfig {
  /** `$top` per list request. */
  pageSize: number;
  /** Items per bulk PATCH; the API allows at most 100. */
  bulkChunkSize: number;
  /** Concurrent single-item calls when bulk updates are not available. */
  singleConcurrency: number;
  /** Hard stop for a runaway listing (a server that never returns a short page). */
  maxPages: number;
  /** Extra CA (PEM) trusted for the X.509 token call: a private PKI, or tests. */
  trustedCa: string | undefined;
}

/** `$top` 10000 is the spec's default page size (its maximum is 100000). */
const DEFAULT_CLIENT: ClientConfig = { pageSize: 10_000, bulkChunkSize: 100, singleConcurrency: 4, maxPages: 1000, trustedCa: undefined };

interface Capabilities {
  bulkUpdates: Record<ResourceType, boolean>;
}

interface ResourceGroupInfo {
  id: string;
  labels: Record<string, string>;
}

interface ClientOptions {
  transport?: Transport;
  config?: Partial<ClientConfig>;
  /** Runs before every request attempt, token calls included; see {@link AiCoreClient.withGate}. */
  gate?: SendGate;
  /** Tokens shared with the container's other clients (by default this client's own). */
  tokens?: TokenCache;
}

class AiCoreClient {
  readonly transport: Transport;
  /** Most items per update() call the caller should pass (= `bulkChunkSize`, at most 100). */
  readonly chunkSize: number;
  private readonly tokens: TokenSource;
  private readonly config: ClientConfig;
  private readonly apiBase: string;
  /** AI_API_URL's origin: the only place requests carrying the token go (besides the token url). */
  private readonly apiOrigin: string;
  private readonly gate: SendGate | undefined;

  constructor(key: ServiceKey, options: ClientOptions = {}) {
    this.transport = options.transport ?? new Transport();
    this.config = { ...DEFAULT_CLIENT, ...options.config };
    if (this.config.bulkChunkSize < 1 || this.config.bulkChunkSize > 100)
      throw new ClientUsageError('bulkChunkSize must be 1..100', { operation: 'create the AI Core client' });
    this.chunkSize = this.config.bulkChunkSize;
    this.tokens = new TokenSource(key, this.transport, this.config.trustedCa, options.tokens);
    this.gate = options.gate;
    // SAP's SDKs append /v2 when AI_API_URL has no path; so do we.
    const base = key.serviceurls.AI_API_URL.replace(/\/+$/, '');
    this.apiBase = base.endsWith('/v2') ? base : `${base}/v2`;
    this.apiOrigin = new URL(this.apiBase).origin;
  }

  /**
   * A client sharing this one's transport, token cache and config that runs `gate` before every
   * request attempt (reads, mutations and token calls). If `gate` throws, that request is not sent:
   * reads fail with RequestNotSentError (reason `stopped`), updates come back `not-sent`.
   *
   * @example
   * const leased = client.withGate(() => lease.renew());
   * const results = await leased.update(group, 'executions', requests, true);
   */
  withGate(gate: SendGate): this {
    const outer = this.gate;
    const combined: SendGate =
      outer === undefined
        ? gate
        : async () => {
            await outer();
            await gate();
          };
    // A view over this client (its prototype is this very object), so that a subclass's behaviour,
    // the transport and the token cache all carry over; only the gate is its own.
    const gated: this = Object.create(this) as this;
    Object.defineProperty(gated, 'gate', { value: combined });
    return gated;
  }

  /** Requests this client's transport has sent so far, retries and token calls included. */
  get requestsSent(): number {
    return this.transport.calls;
  }

  async capabilities(): Promise<Capabilities> {
    const response = await this.call('GET', '/lm/meta', { operation: 'read capabilities (GET /v2/lm/meta)' });
    const meta = parseJson(Meta, response, { operation: 'read capabilities' });
    const flags = meta.aiApi.capabilities?.bulkUpdates;
    return { bulkUpdates: { executions: flags?.executions ?? false, deployments: flags?.deployments ?? false } };
  }

  /**
   * The tenant's warm nodes per resource plan. Never throws: a service key without the admin scope
   * (403) or any failed read is `unknown`, so a run never depends on it.
   */
  async warmNodes(): Promise<WarmNodes> {
    const context = { operation: 'read warm nodes (GET /v2/admin/resources/nodes)' };
    try {
      const nodes = parseJson(ResourceNodes, await this.call('GET', '/admin/resources/nodes', context), context);
      const plans = Object.entries(nodes.resourcePlans)
        .map(([resourcePlan, n]) => ({ resourcePlan, provisioned: n.provisioned, requested: n.requested }))
        .sort((a, b) => (a.resourcePlan < b.resourcePlan ? -1 : a.resourcePlan > b.resourcePlan ? 1 : 0));
      return { kind: 'known', plans };
    } catch (error) {
      if (error instanceof AiCoreHttpError && error.status === 403)
        return { kind: 'unknown', reason: 'not allowed to read warm nodes (HTTP 403: the service key lacks the admin scope)' };
      return { kind: 'unknown', reason: errorMessage(error) };
    }
  }

  /** Every PROVISIONED resource group with its labels, following `Link` continuation. */
  async resourceGroups(): Promise<ResourceGroupInfo[]> {
    const context = { operation: 'list resource groups' };
    const groups: ResourceGroupInfo[] = [];
    let path: string | null = '/admin/resourceGroups';
    for (let page = 0; path !== null; page += 1) {
      if (page >= this.config.maxPages) throw new AiCoreResponseError('resource-group listing did not end', context);
      const response: HttpResponse = await this.call('GET', path, context, { prefer: 'maxpagesize=100' });
      const list = parseJson(ResourceGroupList, response, context);
      for (const group of list.resources) {
        if (group.status !== 'PROVISIONED') continue;
        groups.push({ id: group.resourceGroupId, labels: Object.fromEntries((group.labels ?? []).map((l) => [l.key, l.value])) });
      }
      path = nextPagePath(response.headers.get('link'), this.apiBase, context);
    }
    return groups.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Lists both resource types of one group completely; a failure is recorded, not thrown. */
  async listGroup(group: ResourceGroupInfo): Promise<GroupFleet> {
    const fleet: GroupFleet = { group: group.id, labels: group.labels, resources: [], unparseable: [], listingError: null };
    try {
      // Both types at once: a group's listing costs one round trip per page, not two.
      const listed = await Promise.all(RESOURCE_TYPES.map((type) => this.listType(group.id, type)));
      for (const { resources, unparseable } of listed) {
        fleet.resources.push(...resources);
        fleet.unparseable.push(...unparseable);
      }
    } catch (error) {
      if (!(error instanceof AiCoreError)) throw error;
      return { ...fleet, resources: [], unparseable: [], listingError: error.message };
    }
    return fleet;
  }

  /**
   * Submits updates for one group and type; pass at most {@link chunkSize} items per call. Every
   * id and transition is checked first: one bad id (InvalidIdError) or illegal transition
   * (IllegalTransitionError) refuses the whole call, so nothing is sent on a wrong plan. Otherwise
   * it never throws for HTTP, network, deadline or gate problems: one result per distinct id.
   */
  async update(group: string, type: ResourceType, requests: readonly UpdateRequest[], bulk: boolean): Promise<UpdateResult[]> {
    const unique = dedupe(requests);
    for (const r of unique) {
      if (!AiId.safeParse(r.id).success) throw new InvalidIdError({ type, group, id: r.id, action: r.action });
      if (!isLegalTransition(type, r.status, r.action)) throw new IllegalTransitionError({ type, group, ...r });
    }
    if (unique.length === 0) return [];
    return bulk ? this.bulkUpdate(group, type, unique) : this.singleUpdates(group, type, unique);
  }

  private async listType(group: string, type: ResourceType): Promise<{ resources: Resource[]; unparseable: UnparseableItem[] }> {
    const context = { operation: `list ${type}`, group };
    const resources: Resource[] = [];
    const unparseable: UnparseableItem[] = [];
    const seen = new Set<string>();
    const { pageSize } = this.config;
    for (let skip = 0, page = 0; ; page += 1) {
      if (page >= this.config.maxPages) throw new AiCoreResponseError(`listing ${type} did not end after ${page} pages`, context);
      const response = await this.call('GET', `/lm/${type}?$top=${pageSize}&$skip=${skip}`, context, { group });
      const list = parseJson(ListPage, response, context);
      for (const raw of list.resources) {
        const parsed = parseResource(type, group, raw);
        // Items that appear between pages shift `$skip` windows: an id seen twice is kept once.
        if (isResource(parsed)) {
          if (!seen.has(parsed.item.id)) resources.push(parsed);
          seen.add(parsed.item.id);
        } else {
          unparseable.push(parsed);
        }
      }
      skip += list.resources.length;
      // A short or empty page ends the listing. A full page continues, unless `count` (when it is a
      // total rather than the page size; the spec is ambiguous) says everything has been seen.
      // `count` is ambiguous in the spec (page size or total). A full page continues unless `count`
      // is a total already reached; a short page ends the listing unless `count` is a total beyond
      // it (a server that caps pages below `$top`).
      const countIsTotal = list.count !== list.resources.length;
      if (list.resources.length === 0) break;
      if (list.resources.length === pageSize ? countIsTotal && skip >= list.count : !(countIsTotal && list.count > skip)) break;
    }
    return { resources, unparseable };
  }

  private async bulkUpdate(group: string, type: ResourceType, requests: UpdateRequest[]): Promise<UpdateResult[]> {
    const results: UpdateResult[] = [];
    let stopped: Sent | undefined;
    for (let i = 0; i < requests.length; i += this.config.bulkChunkSize) {
      const chunk = requests.slice(i, i + this.config.bulkChunkSize);
      const context = { operation: `bulk update ${type}`, group };
      const body = JSON.stringify({ [type]: chunk.map((r) => ({ id: r.id, targetStatus: TARGET_STATUS[r.action] })) });
      // Once the deadline or the gate stopped a chunk, the later chunks are not tried either.
      const sent =
        stopped ?? (await this.mutate('PATCH', `/lm/${type}`, context, { group, body, contentType: 'application/merge-patch+json' }));
      if (sent.kind === 'not-sent' && sent.stopped) stopped = sent;
      results.push(...bulkResults(type, chunk, sent, context));
    }
    return results;
  }

  private singleUpdates(group: string, type: ResourceType, requests: UpdateRequest[]): Promise<UpdateResult[]> {
    let stopped: Sent | undefined;
    return mapLimited(requests, this.config.singleConcurrency, async (r): Promise<UpdateResult> => {
      const context = { operation: `${r.action} ${type} ${r.id}`, group };
      const path = `/lm/${type}/${encodeURIComponent(r.id)}`;
      const sent =
        stopped ??
        (r.action === 'stop'
          ? await this.mutate('PATCH', path, context, {
              group,
              body: JSON.stringify({ targetStatus: 'STOPPED' }),
              contentType: 'application/json',
            })
          : await this.mutate('DELETE', path, context, { group }));
      if (sent.kind === 'not-sent' && sent.stopped) stopped = sent;
      return singleResult(r, sent, context);
    });
  }

  /**
   * One mutation, told apart by how it went: never throws for the wire. A 401 drops the cached
   * token and sends exactly once more (a 401 proves nothing was done); a token call that fails means
   * the mutation itself was not sent.
   */
  private async mutate(method: 'PATCH' | 'DELETE', path: string, context: CallContext, options: RequestOptions): Promise<Sent> {
    for (let attempt = 1; ; attempt += 1) {
      let token: string;
      try {
        token = await this.tokens.token(this.gate);
      } catch (error) {
        if (!(error instanceof AiCoreError)) throw error;
        return {
          kind: 'not-sent',
          message: `${context.operation} not sent: ${error.message}`,
          stopped: error instanceof RequestNotSentError,
        };
      }
      let response: HttpResponse;
      try {
        response = await this.transport.send(this.request(method, `${this.apiBase}${path}`, token, context, options));
      } catch (error) {
        return sentFromError(error);
      }
      if (response.status !== 401 || attempt >= 2) return { kind: 'answered', response };
      this.tokens.invalidate();
    }
  }

  /** An authenticated read; a 401 drops the cached token and retries exactly once. */
  private async call(method: 'GET', pathOrUrl: string, context: CallContext, options: RequestOptions = {}): Promise<HttpResponse> {
    const url = this.resolve(pathOrUrl, context);
    const send = async (): Promise<HttpResponse> =>
      this.transport.send(this.request(method, url, await this.tokens.token(this.gate), context, options));
    let response = await send();
    if (response.status === 401) {
      this.tokens.invalidate();
      response = await send();
    }
    if (response.status < 200 || response.status >= 300) throw httpError(context, response);
    return response;
  }

  /** A path below the API base, or a full URL that must be on AI_API_URL's origin. */
  private resolve(pathOrUrl: string, context: CallContext): string {
    if (!/^[a-z][a-z0-9+.-]*:/i.test(pathOrUrl)) return `${this.apiBase}${pathOrUrl}`;
    const origin = new URL(pathOrUrl).origin;
    if (origin !== this.apiOrigin)
      throw new AiCoreResponseError(`${context.operation}: refusing to follow ${origin}, which is not AI_API_URL's origin`, context);
    return pathOrUrl;
  }

  private request(method: HttpRequest['method'], url: string, token: string, context: CallContext, options: RequestOptions): HttpRequest {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (options.group !== undefined) headers['ai-resource-group'] = options.group;
    if (options.contentType !== undefined) headers['content-type'] = options.contentType;
    if (options.prefer !== undefined) headers.prefer = options.prefer;
    return { method, url, headers, ...(options.body === undefined ? {} : { body: options.body }), context, gate: this.gate };
  }
}

interface RequestOptions {
  group?: string;
  body?: string;
  contentType?: string;
  prefer?: string;
}

function parseJson<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  response: HttpResponse,
  context: CallContext,
): T {
  const parsed = schema.safeParse(jsonOrUndefined(response.text));
  if (!parsed.success) throw new AiCoreResponseError(`${context.operation}: unexpected response shape`, context);
  return parsed.data;
}

/** Each id once per submission; a contradictory duplicate (stop and delete) is a planning bug. */
function dedupe(requests: readonly UpdateRequest[]): UpdateRequest[] {
  const byId = new Map<string, UpdateRequest>();
  for (const r of requests) {
    const seen = byId.get(r.id);
    if (seen !== undefined && seen.action !== r.action)
      throw new ClientUsageError(`id ${r.id} requested as both ${seen.action} and ${r.action}`, { operation: 'update' });
    if (seen === undefined) byId.set(r.id, r);
  }
  return [...byId.values()];
}

/**
 * The next page from an RFC 8288 `Link: <url>; rel="next"` header, as a full URL. Paging stays
 * home: a link to any other origin than AI_API_URL's is a listing error, and is never requested.
 *
 * @example
 * nextPagePath('</v2/admin/resourceGroups?continueToken=x>; rel="next"', 'https://api.example/v2', context);
 */
function nextPagePath(link: string | null, apiBase: string, context: CallContext): string | null {
  if (link === null) return null;
  const match = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(link);
  const target = match?.[1];
  if (target === undefined) return null;
  let next: URL;
  try {
    next = new URL(target, `${apiBase}/`);
  } catch {
    throw new AiCoreResponseError(`${context.operation}: unreadable next link`, context);
  }
  const home = new URL(apiBase).origin;
  if (next.origin !== home)
    throw new AiCoreResponseError(`${context.operation}: next link leads to ${next.origin}, not AI_API_URL's origin ${home}`, context);
  return next.toString();
}

export { AiCoreClient, DEFAULT_CLIENT, UNKNOWN_ID_CODES, nextPagePath };
export type { ClientConfig, ClientOptions, Capabilities, ResourceGroupInfo, UpdateRequest, UpdateResult };
export type { UpdateOutcome } from './update-results.js';
