/**
 * `/v2/lm/executions*` and `/v2/lm/deployments*`: listing, counting, reading and the stop/delete
 * updates. Requests are validated against the AI API contract (lm-requests.ts), not with the
 * client's own wire schemas, and eligibility comes from lib/lifecycle.ts.
 */
import { actionForTarget, type ResourceType } from '../../../lib/lifecycle.js';
import {
  ERROR_CODES,
  apiError,
  errorResponse,
  mediaType,
  parseJsonBody,
  type ErrorTarget,
  type SimRequest,
  type SimResponse,
} from './http.js';
import type { LmRequests } from './lm-requests.js';
import type { FleetState, ListFilter, TransitionResult, WireItem } from './state.js';

const NOUN = { executions: 'Execution', deployments: 'Deployment' } as const satisfies Record<ResourceType, string>;
const NOT_FOUND_CODE = { executions: ERROR_CODES.executionNotFound, deployments: ERROR_CODES.deploymentNotFound } as const;

/** The hooks fault injection needs inside these handlers. */
interface ItemFaults {
  /** Whether this item fails inside a bulk 202 (without being changed). */
  failsInBulk(type: ResourceType, id: string): boolean;
  /** Called after a list page is served: may add or remove items before the next page. */
  afterListPage(type: ResourceType, group: string, served: readonly WireItem[], hasMore: boolean): void;
}

interface LmContext {
  state: FleetState;
  faults: ItemFaults;
  requests: LmRequests;
}

/** The filters a query set; parameters the contract does not declare for the path (executionScheduleId on deployments) never get here. */
function filterOf(q: ListFilter): ListFilter {
  const { status, scenarioId, configurationId, executableIds, executionScheduleId } = q;
  return Object.fromEntries(
    Object.entries({ status, scenarioId, configurationId, executableIds, executionScheduleId }).filter(([, v]) => v !== undefined),
  );
}

/** A copy for the wire; `$select=status` keeps only id and status. */
function present(item: WireItem, selectStatus: boolean): Record<string, unknown> {
  return selectStatus ? { id: item.id, status: item.status } : structuredClone(item);
}

function list(ctx: LmContext, request: SimRequest, type: ResourceType, group: string): SimResponse {
  const q = ctx.requests.listQuery(type, request.query);
  if (!q.ok) return errorResponse(request, 400, ERROR_CODES.badRequest, q.message);
  const all = ctx.state.list(type, group, filterOf(q.value));
  const page = all.slice(q.value.$skip, q.value.$skip + q.value.$top);
  // count = all matching items, not the page size (the spec is ambiguous; $count agrees with it).
  const json = { count: all.length, resources: page.map((item) => present(item, q.value.$select === 'status')) };
  ctx.faults.afterListPage(type, group, page, q.value.$skip + page.length < all.length);
  return { status: 200, json };
}

function count(ctx: LmContext, request: SimRequest, type: ResourceType, group: string): SimResponse {
  const q = ctx.requests.countQuery(type, request.query);
  if (!q.ok) return errorResponse(request, 400, ERROR_CODES.badRequest, q.message);
  return { status: 200, text: String(ctx.state.list(type, group, filterOf(q.value)).length) };
}

function getOne(ctx: LmContext, request: SimRequest, type: ResourceType, group: string, id: string): SimResponse {
  const q = ctx.requests.itemQuery(type, request.query);
  if (!q.ok) return errorResponse(request, 400, ERROR_CODES.badRequest, q.message);
  const item = ctx.state.get(type, group, id);
  if (item === undefined) return notFound(request, type, id);
  if (q.value.$select === 'status') return { status: 200, json: present(item, true) };
  return { status: 200, json: { ...present(item, false), statusDetails: item.statusDetails ?? null } };
}

function notFound(request: ErrorTarget, type: ResourceType, id: string): SimResponse {
  return errorResponse(request, 404, NOT_FOUND_CODE[type], notFoundMessage(type, id));
}

function notFoundMessage(type: ResourceType, id: string): string {
  return `${NOUN[type]} ${id} not found`;
}

function ineligibleMessage(status: string, target: string): string {
  return `Invalid Request, Current status ${status} cannot be changed to ${target}.`;
}

/** Bulk `PATCH /v2/lm/{type}`: 400 for a bad request as a whole, else 202 with a result per item. */
function bulk(ctx: LmContext, request: SimRequest, type: ResourceType, group: string): SimResponse {
  if (mediaType(request) !== 'application/merge-patch+json') {
    return errorResponse(
      request,
      415,
      ERROR_CODES.unsupportedMediaType,
      `bulk updates must be sent as application/merge-patch+json, not '${mediaType(request) || 'none'}'`,
    );
  }
  const body = parseJsonBody(request.body);
  if (!body.ok) return errorResponse(request, 400, ERROR_CODES.badRequest, body.message);
  const items = ctx.requests.bulkItems(type, body.value);
  if (!items.ok) return errorResponse(request, 400, ERROR_CODES.badRequest, items.message);
  const results = items.value.map(({ id, targetStatus }) => {
    const itemRequest = { requestId: request.requestId, path: `${request.path}/${id}` };
    if (ctx.faults.failsInBulk(type, id))
      return { id, ...apiError(itemRequest, ERROR_CODES.internal, 'Internal error, modification not scheduled') };
    const outcome: TransitionResult = ctx.state.transition(type, group, id, actionForTarget(targetStatus));
    if (outcome.ok) return { id, message: `${NOUN[type]} modification scheduled` };
    if (outcome.reason === 'unknown') return { id, ...apiError(itemRequest, NOT_FOUND_CODE[type], notFoundMessage(type, id)) };
    return { id, ...apiError(itemRequest, ERROR_CODES.ineligibleStatus, ineligibleMessage(outcome.status, targetStatus)) };
  });
  return { status: 202, json: { [type]: results } };
}

/** Single `PATCH /v2/lm/{type}/{id}` with `{targetStatus: 'STOPPED'}`. */
function patchOne(ctx: LmContext, request: SimRequest, type: ResourceType, group: string, id: string): SimResponse {
  if (mediaType(request) !== 'application/json') {
    return errorResponse(
      request,
      415,
      ERROR_CODES.unsupportedMediaType,
      `modifications must be sent as application/json, not '${mediaType(request) || 'none'}'`,
    );
  }
  const body = parseJsonBody(request.body);
  if (!body.ok) return errorResponse(request, 400, ERROR_CODES.badRequest, body.message);
  const stop = ctx.requests.stopBody(type, body.value);
  if (!stop.ok) return errorResponse(request, 400, ERROR_CODES.badRequest, stop.message);
  return single(ctx, request, type, group, id, 'stop', { id, message: `${NOUN[type]} modification scheduled` });
}

/** `DELETE /v2/lm/{type}/{id}`; real answers carry `targetStatus: DELETED` beside id and message. */
function deleteOne(ctx: LmContext, request: SimRequest, type: ResourceType, group: string, id: string): SimResponse {
  return single(ctx, request, type, group, id, 'delete', { id, message: 'Deletion scheduled', targetStatus: 'DELETED' });
}

function single(
  ctx: LmContext,
  request: SimRequest,
  type: ResourceType,
  group: string,
  id: string,
  action: 'stop' | 'delete',
  ok: object,
): SimResponse {
  const outcome = ctx.state.transition(type, group, id, action);
  if (outcome.ok) return { status: 202, json: ok };
  if (outcome.reason === 'unknown') return notFound(request, type, id);
  return errorResponse(
    request,
    412,
    ERROR_CODES.ineligibleStatus,
    ineligibleMessage(outcome.status, action === 'stop' ? 'STOPPED' : 'DELETED'),
  );
}

export { list, count, getOne, bulk, patchOne, deleteOne };
export type { LmContext, ItemFaults };
