/**
 * The AI API v2 client: the only code that speaks HTTP to AI Core. Listing is complete and
 * tolerant; updates are guarded by lib/lifecycle.ts before anything is sent, and use bulk PATCH only
 * where `GET /v2/lm/meta` says the tenant supports it.
 */
import { isLegalTransition, TARGET_STATUS, type Action, type ResourceType } from '../lifecycle.js';
import { isResource, parseResource, type GroupFleet, type Resource, type UnparseableItem } from '../resources.js';
import { AiCoreError, AiCoreResponseError, IllegalTransitionError, type CallContext } from './errors.js';
import { mapLimited } from './limiter.js';
import { safeJson, TokenSource } from './token.js';
import { httpError, Transport, type HttpRequest, type HttpResponse } from './transport.js';
import { ApiError, BULK_RESPONSE, ListPage, Meta, ModificationResponse, ResourceGroupList, type BulkResultItem, type ServiceKey } from './wire.js';

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

const DEFAULT_CLIENT: ClientConfig = { pageSize: 1000, bulkChunkSize: 100, singleConcurrency: 4, maxPages: 1000, trustedCa: undefined };

interface Capabilities {
  bulkUpdates: Record<ResourceType, boolean>;
}

interface ResourceGroupInfo {
  id: string;
  labels: Record<string, string>;
}

/** One requested update: the listed status comes along so the guard can check the transition. */
interface UpdateRequest {
  id: string;
  status: string;
  action: Action;
}

/**
 * `notFound` marks an item AI Core no longer knows (HTTP 404 on a single call, the documented
 * unknown-id codes inside a bulk 202): for a DELETE that is the goal reached, not a failure.
 */
type UpdateResult =
  | { id: string; action: Action; ok: true; message: string }
  | { id: string; action: Action; ok: false; notFound: boolean; httpStatus: number | null; code: string | null; message: string };

/** Per-item "unknown id" codes in bulk responses (CONTRACT.md §2, observed on a real AI Core). */
const UNKNOWN_ID_CODES: Readonly<Record<ResourceType, string>> = { executions: '01010020', deployments: '01010016' };

class AiCoreClient {
  readonly transport: Transport;
  private readonly tokens: TokenSource;
  private readonly config: ClientConfig;
  private readonly apiBase: string;

  constructor(key: ServiceKey, options: { transport?: Transport; config?: Partial<ClientConfig> } = {}) {
    this.transport = options.transport ?? new Transport();
    this.config = { ...DEFAULT_CLIENT, ...options.config };
    this.tokens = new TokenSource(key, this.transport, this.config.trustedCa);
    if (this.config.bulkChunkSize < 1 || this.config.bulkChunkSize > 100) throw new RangeError('bulkChunkSize must be 1..100');
    // SAP's SDKs append /v2 when AI_API_URL has no path; so do we.
    const base = key.serviceurls.AI_API_URL.replace(/\/+$/, '');
    this.apiBase = base.endsWith('/v2') ? base : `${base}/v2`;
  }

  async capabilities(): Promise<Capabilities> {
    const response = await this.call('GET', '/lm/meta', { operation: 'read capabilities (GET /v2/lm/meta)' });
    const meta = parseJson(Meta, response, { operation: 'read capabilities' });
    const flags = meta.aiApi.capabilities?.bulkUpdates;
    return { bulkUpdates: { executions: flags?.executions ?? false, deployments: flags?.deployments ?? false } };
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
      path = nextPagePath(response.headers.get('link'), this.apiBase);
    }
    return groups.sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Lists both resource types of one group completely; a failure is recorded, not thrown. */
  async listGroup(group: ResourceGroupInfo): Promise<GroupFleet> {
    const fleet: GroupFleet = { group: group.id, labels: group.labels, resources: [], unparseable: [], listingError: null };
    try {
      for (const type of ['executions', 'deployments'] as const) {
        const { resources, unparseable } = await this.listType(group.id, type);
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
   * Submits updates for one group and type. Every transition is checked first; one illegal item
   * refuses the whole call, so nothing is sent on a wrong plan.
   */
  async update(group: string, type: ResourceType, requests: readonly UpdateRequest[], bulk: boolean): Promise<UpdateResult[]> {
    const unique = dedupe(requests);
    for (const r of unique) {
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
      if (list.resources.length < pageSize) break;
      if (list.count > list.resources.length && skip >= list.count) break;
    }
    return { resources, unparseable };
  }

  private async bulkUpdate(group: string, type: ResourceType, requests: UpdateRequest[]): Promise<UpdateResult[]> {
    const results: UpdateResult[] = [];
    for (let i = 0; i < requests.length; i += this.config.bulkChunkSize) {
      const chunk = requests.slice(i, i + this.config.bulkChunkSize);
      const context = { operation: `bulk update ${type}`, group };
      const body = JSON.stringify({ [type]: chunk.map((r) => ({ id: r.id, targetStatus: TARGET_STATUS[r.action] })) });
      const response = await this.call('PATCH', `/lm/${type}`, context, { group, body, contentType: 'application/merge-patch+json', checkStatus: false });
      const actionOf = new Map(chunk.map((r) => [r.id, r.action]));
      if (response.status < 200 || response.status >= 300) {
        const error = httpError(context, response);
        for (const r of chunk) results.push({ id: r.id, action: r.action, ok: false, notFound: false, httpStatus: error.status, code: error.code ?? null, message: error.message });
        continue;
      }
      const json = safeJson(response.text);
      const items = (type === 'executions' ? BULK_RESPONSE.executions.safeParse(json).data?.executions : BULK_RESPONSE.deployments.safeParse(json).data?.deployments) ?? [];
      const answered = new Set<string>();
      for (const item of items) {
        const result = toResult(item, actionOf, UNKNOWN_ID_CODES[type]);
        if (result === undefined) continue;
        answered.add(result.id);
        results.push(result);
      }
      // An item the server did not mention is not known to be scheduled: record it as failed.
      for (const r of chunk) {
        if (!answered.has(r.id)) results.push({ id: r.id, action: r.action, ok: false, notFound: false, httpStatus: response.status, code: null, message: 'not mentioned in the bulk response' });
      }
    }
    return results;
  }

  private singleUpdates(group: string, type: ResourceType, requests: UpdateRequest[]): Promise<UpdateResult[]> {
    return mapLimited(requests, this.config.singleConcurrency, async (r): Promise<UpdateResult> => {
      const context = { operation: `${r.action} ${type} ${r.id}`, group };
      const path = `/lm/${type}/${encodeURIComponent(r.id)}`;
      const response =
        r.action === 'stop'
          ? await this.call('PATCH', path, context, { group, body: JSON.stringify({ targetStatus: 'STOPPED' }), contentType: 'application/json', checkStatus: false })
          : await this.call('DELETE', path, context, { group, checkStatus: false });
      if (response.status >= 200 && response.status < 300) {
        const parsed = ModificationResponse.safeParse(safeJson(response.text));
        return { id: r.id, action: r.action, ok: true, message: (parsed.success ? parsed.data.message : null) ?? 'scheduled' };
      }
      const error = httpError(context, response);
      return { id: r.id, action: r.action, ok: false, notFound: error.status === 404, httpStatus: error.status, code: error.code ?? null, message: error.message };
    });
  }

  /** An authenticated call; a 401 drops the cached token and retries exactly once. */
  private async call(
    method: HttpRequest['method'],
    path: string,
    context: CallContext,
    options: { group?: string; body?: string; contentType?: string; prefer?: string; checkStatus?: boolean } = {},
  ): Promise<HttpResponse> {
    const url = path.startsWith('http') ? path : `${this.apiBase}${path}`;
    const send = async (): Promise<HttpResponse> => {
      const headers: Record<string, string> = { authorization: `Bearer ${await this.tokens.token()}`, accept: 'application/json' };
      if (options.group !== undefined) headers['ai-resource-group'] = options.group;
      if (options.contentType !== undefined) headers['content-type'] = options.contentType;
      if (options.prefer !== undefined) headers.prefer = options.prefer;
      return this.transport.send({ method, url, headers, ...(options.body === undefined ? {} : { body: options.body }), context });
    };
    let response = await send();
    if (response.status === 401) {
      this.tokens.invalidate();
      response = await send();
    }
    if (options.checkStatus !== false && (response.status < 200 || response.status >= 300)) throw httpError(context, response);
    return response;
  }
}

function parseJson<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, response: HttpResponse, context: CallContext): T {
  const parsed = schema.safeParse(safeJson(response.text));
  if (!parsed.success) throw new AiCoreResponseError(`${context.operation}: unexpected response shape`, context);
  return parsed.data;
}

function toResult(item: BulkResultItem, actionOf: ReadonlyMap<string, Action>, unknownIdCode: string): UpdateResult | undefined {
  const action = actionOf.get(item.id);
  if (action === undefined) return undefined;
  // Both variants are loose objects, so the failure variant is told apart by parsing `error`.
  const error = ApiError.safeParse(item.error);
  if (error.success) return { id: item.id, action, ok: false, notFound: error.data.code === unknownIdCode, httpStatus: null, code: error.data.code, message: error.data.message };
  return { id: item.id, action, ok: true, message: typeof item.message === 'string' ? item.message : 'scheduled' };
}

/** Each id once per submission; a contradictory duplicate (stop and delete) is a planning bug. */
function dedupe(requests: readonly UpdateRequest[]): UpdateRequest[] {
  const byId = new Map<string, UpdateRequest>();
  for (const r of requests) {
    const seen = byId.get(r.id);
    if (seen !== undefined && seen.action !== r.action) throw new RangeError(`id ${r.id} requested as both ${seen.action} and ${r.action}`);
    if (seen === undefined) byId.set(r.id, r);
  }
  return [...byId.values()];
}

/** The next page from an RFC 8288 `Link: <url>; rel="next"` header, as a full URL. */
function nextPagePath(link: string | null, apiBase: string): string | null {
  if (link === null) return null;
  const match = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(link);
  const target = match?.[1];
  if (target === undefined) return null;
  return new URL(target, `${apiBase}/`).toString();
}

export { AiCoreClient, DEFAULT_CLIENT, UNKNOWN_ID_CODES };
export type { ClientConfig, Capabilities, ResourceGroupInfo, UpdateRequest, UpdateResult };
