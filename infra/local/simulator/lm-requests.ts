/**
 * What the `/v2/lm/{executions,deployments}` routes accept, checked against the AI API contract
 * (contract.ts) and never against the client's own wire schemas, so a mistake on either side shows.
 * On top of the contract come the documented rules it cannot express (CONTRACT.md §2: the body holds
 * the path's own list and nothing else, an id at most once) and the simulator's own limits, each
 * named in its 400 message.
 */
import * as z from 'zod';
import { TARGET_STATUS, type ResourceType, type TargetStatus } from '../../../lib/lifecycle.js';
import type { ApiContract, DeclaredParameter, Parameter } from './contract.js';
import type { ListFilter } from './state.js';

type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const BULK_MEDIA_TYPE = 'application/merge-patch+json';
const SINGLE_MEDIA_TYPE = 'application/json';

/** The filters both the list and the count take; the contract has checked their values. */
const Filters = z.object({
  status: z.string().optional(),
  scenarioId: z.string().optional(),
  configurationId: z.string().optional(),
  executableIds: z.array(z.string()).optional(),
  executionScheduleId: z.string().optional(),
});
/** `GET /lm/{type}/{id}` takes `$select=status` only. */
const ItemQuery = z.object({ $select: z.literal('status').optional() });
type ItemQuery = z.infer<typeof ItemQuery>;
/** The spec gives `$top` and `$skip` no lower bound; a negative page cannot be served. */
const ListQuery = Filters.extend({
  $top: z.number().int().nonnegative(),
  $skip: z.number().int().nonnegative().default(0),
  $select: z.literal('status').optional(),
});
type ListQuery = z.infer<typeof ListQuery>;

const TARGETS = Object.values(TARGET_STATUS) as [TargetStatus, ...TargetStatus[]];
/** A bulk item as the simulator applies it; anything more is refused (what AI Core does with more is undocumented). */
const BulkItem = z.strictObject({ id: z.string(), targetStatus: z.enum(TARGETS) });
type BulkItem = z.infer<typeof BulkItem>;
/** The simulator simulates a single stop only; a deployment's configuration change is not simulated. */
const SingleStop = z.strictObject({ targetStatus: z.literal(TARGET_STATUS.stop) });

/** A query string value as its parameter's schema types it (`style: form, explode: false` lists are comma-separated). */
function fromQueryString(query: URLSearchParams, parameter: Parameter): unknown {
  const raw = query.get(parameter.name) ?? '';
  if (parameter.schema.type === 'integer') return /^-?\d+$/.test(raw) ? Number(raw) : raw;
  if (parameter.schema.type === 'array') return parameter.explode === false ? raw.split(',') : query.getAll(parameter.name);
  return raw;
}

/** The spec's path template for one item: `/lm/executions/{executionId}`. */
function itemPath(type: ResourceType): string {
  return `/lm/${type}/{${type.slice(0, -1)}Id}`;
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The /lm request checks of one contract; parameter lookups are cached per operation. */
class LmRequests {
  private readonly declared = new Map<string, Map<string, DeclaredParameter>>();

  constructor(private readonly contract: ApiContract) {}

  /** `GET /lm/{type}` query: the contract's parameters, its defaults applied. */
  listQuery(type: ResourceType, query: URLSearchParams): Parsed<ListQuery> {
    const values = this.queryValues(`/lm/${type}`, query);
    if (!values.ok) return values;
    const parsed = ListQuery.safeParse(values.value);
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: `invalid query: ${describe(parsed.error)}` };
  }

  /** `GET /lm/{type}/$count` query: the filters only (the spec offers no paging there). */
  countQuery(type: ResourceType, query: URLSearchParams): Parsed<ListFilter> {
    const values = this.queryValues(`/lm/${type}/$count`, query);
    if (!values.ok) return values;
    const parsed = Filters.safeParse(values.value);
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: `invalid query: ${describe(parsed.error)}` };
  }

  /** `GET /lm/{type}/{id}` query. */
  itemQuery(type: ResourceType, query: URLSearchParams): Parsed<ItemQuery> {
    const values = this.queryValues(itemPath(type), query);
    if (!values.ok) return values;
    const parsed = ItemQuery.safeParse(values.value);
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: `invalid query: ${describe(parsed.error)}` };
  }

  /** Bulk `PATCH /lm/{type}` body: its items, or why the request as a whole is refused. */
  bulkItems(type: ResourceType, body: unknown): Parsed<BulkItem[]> {
    const problems = this.bodyProblems(`/lm/${type}`, BULK_MEDIA_TYPE, body);
    if (problems.length > 0) return { ok: false, message: `invalid bulk request: ${problems.join('; ')}` };
    // The spec marks no key required and allows others; the documented body holds the path's own list only.
    if (!isRecord(body) || Object.keys(body).join() !== type)
      return { ok: false, message: `invalid bulk request: the body must hold exactly the '${type}' list` };
    const items = z.array(BulkItem).safeParse(body[type]);
    if (!items.success) return { ok: false, message: `invalid bulk request: ${describe(items.error)}` };
    // uniqueItems compares whole items; the documented rule is one id at most once.
    if (new Set(items.data.map((item) => item.id)).size !== items.data.length)
      return { ok: false, message: 'invalid bulk request: an id may appear only once per request' };
    return { ok: true, value: items.data };
  }

  /** Single `PATCH /lm/{type}/{id}` body. */
  stopBody(type: ResourceType, body: unknown): Parsed<z.infer<typeof SingleStop>> {
    const problems = this.bodyProblems(itemPath(type), SINGLE_MEDIA_TYPE, body);
    if (problems.length > 0) return { ok: false, message: `invalid modification request: ${problems.join('; ')}` };
    const parsed = SingleStop.safeParse(body);
    return parsed.success
      ? { ok: true, value: parsed.data }
      : { ok: false, message: `invalid modification request (the simulator only stops): ${describe(parsed.error)}` };
  }

  private bodyProblems(path: string, mediaType: string, body: unknown): string[] {
    const validate = this.contract.requestBody(path, 'patch', mediaType);
    if (validate === undefined) return [`the contract takes no ${mediaType} body for PATCH ${path}`];
    return this.contract.errors(validate, body);
  }

  /** Each query parameter the operation declares, typed and checked against its schema; undeclared ones are ignored. */
  private queryValues(path: string, query: URLSearchParams): Parsed<Record<string, unknown>> {
    let declared = this.declared.get(path);
    if (declared === undefined) {
      declared = this.contract.declaredParameters(path, 'get');
      this.declared.set(path, declared);
    }
    const values: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const [name, { parameter, validate }] of declared) {
      if (parameter.in !== 'query') continue;
      if (!query.has(name)) {
        if (parameter.schema.default !== undefined) values[name] = parameter.schema.default;
        continue;
      }
      values[name] = fromQueryString(query, parameter);
      for (const problem of this.contract.errors(validate, values[name]))
        problems.push(problem.startsWith('(root)') ? `${name}${problem.slice('(root)'.length)}` : `${name}${problem}`);
    }
    return problems.length === 0 ? { ok: true, value: values } : { ok: false, message: `invalid query: ${problems.join('; ')}` };
  }
}

export { LmRequests };
export type { ListQuery, ItemQuery, BulkItem };
