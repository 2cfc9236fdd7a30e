/**
 * What a stop or delete came to, item by item, told from what AI Core answered (or did not). The
 * four outcomes keep apart what the ledger must keep apart: `accepted` and `rejected` are AI Core's
 * own word; `unknown` means the request was (or may have been) sent and the answer is lost, so the
 * item is reconciled by re-listing, never re-sent blind; `not-sent` proves AI Core did not act.
 */
import type { Action, ResourceType } from '../lifecycle.js';
import { AiCoreError, AiCoreNetworkError, RequestNotSentError, type CallContext } from './errors.js';
import { jsonOrUndefined } from '../util/json.js';
import { httpError, type HttpResponse } from './transport.js';
import { ApiError, BULK_RESPONSE, ModificationResponse } from './wire.js';

/** One requested update: the listed status comes along so the guard can check the transition. */
interface UpdateRequest {
  id: string;
  status: string;
  action: Action;
}

/**
 * One result per requested item.
 * - `accepted`: a readable 2xx names the item as scheduled.
 * - `rejected`: AI Core said no (a per-item `error` in a bulk 2xx, or a 4xx other than 401/408/429).
 *   `notFound` marks an id AI Core does not know (404, or the documented unknown-id codes in bulk):
 *   for a delete that is the goal reached.
 * - `unknown`: sent or maybe sent, answer lost (timeout, reset, 5xx, 408, an unreadable 2xx, an
 *   item a readable bulk 2xx did not mention). Re-list and look; never re-send blind.
 * - `not-sent`: provably not acted on (deadline or gate, 429 or connection refused until attempts
 *   ran out, 401 after a token refresh, the token endpoint failing).
 */
type UpdateResult =
  | { id: string; action: Action; outcome: 'accepted'; message: string }
  | { id: string; action: Action; outcome: 'rejected'; notFound: boolean; httpStatus: number | null; code: string | null; message: string }
  | { id: string; action: Action; outcome: 'unknown'; message: string }
  | { id: string; action: Action; outcome: 'not-sent'; message: string };

type UpdateOutcome = UpdateResult['outcome'];

/** How one mutation request went on the wire, before its body is read. */
type Sent =
  | { kind: 'answered'; response: HttpResponse }
  | { kind: 'not-sent'; message: string; stopped: boolean }
  | { kind: 'unknown'; message: string };

/** Per-item "unknown id" codes in bulk responses (CONTRACT.md §2, observed on a real AI Core). */
const UNKNOWN_ID_CODES: Readonly<Record<ResourceType, string>> = { executions: '01010020', deployments: '01010016' };

const UNKNOWN_HINT = 'outcome unknown, re-list to see whether it took effect';

/** Maps what the transport threw for a mutation to how it went; rethrows what is not ours. */
function sentFromError(error: unknown): Sent {
  if (error instanceof RequestNotSentError) return { kind: 'not-sent', message: error.message, stopped: true };
  if (error instanceof AiCoreNetworkError) {
    return error.notWritten
      ? { kind: 'not-sent', message: `not sent: ${error.message}`, stopped: false }
      : { kind: 'unknown', message: `${error.message}; ${UNKNOWN_HINT}` };
  }
  if (error instanceof AiCoreError) return { kind: 'unknown', message: `${error.message}; ${UNKNOWN_HINT}` };
  throw error;
}

/** A final non-2xx answer to a mutation, read conservatively. */
function fromStatus(r: UpdateRequest, response: HttpResponse, context: CallContext, notFoundOn404: boolean): UpdateResult {
  const error = httpError(context, response);
  const { status } = response;
  // 429: turned away before acting; 401 after a fresh token: refused before acting.
  if (status === 429 || status === 401) return { id: r.id, action: r.action, outcome: 'not-sent', message: `not sent: ${error.message}` };
  if (status >= 400 && status < 500 && status !== 408) {
    return {
      id: r.id,
      action: r.action,
      outcome: 'rejected',
      notFound: notFoundOn404 && status === 404,
      httpStatus: status,
      code: error.code ?? null,
      message: error.message,
    };
  }
  return { id: r.id, action: r.action, outcome: 'unknown', message: `${error.message}; ${UNKNOWN_HINT}` };
}

function notAnswered(r: UpdateRequest, sent: Exclude<Sent, { kind: 'answered' }>): UpdateResult {
  return { id: r.id, action: r.action, outcome: sent.kind, message: sent.message };
}

/**
 * Results of one bulk PATCH chunk. A 2xx whose body is unreadable or of the wrong shape leaves
 * the whole chunk unknown; inside a readable one, an item the server did not mention is unknown.
 */
function bulkResults(type: ResourceType, chunk: readonly UpdateRequest[], sent: Sent, context: CallContext): UpdateResult[] {
  if (sent.kind !== 'answered') return chunk.map((r) => notAnswered(r, sent));
  const { response } = sent;
  if (response.status < 200 || response.status >= 300) return chunk.map((r) => fromStatus(r, response, context, false));
  const json = jsonOrUndefined(response.text);
  const items =
    type === 'executions'
      ? BULK_RESPONSE.executions.safeParse(json).data?.executions
      : BULK_RESPONSE.deployments.safeParse(json).data?.deployments;
  if (items === undefined) {
    const message = `${context.operation}: HTTP ${response.status} with an unreadable body; ${UNKNOWN_HINT}`;
    return chunk.map((r) => ({ id: r.id, action: r.action, outcome: 'unknown', message }));
  }
  const byId = new Map<string, UpdateResult>();
  const wanted = new Map(chunk.map((r) => [r.id, r]));
  for (const item of items) {
    const r = wanted.get(item.id);
    if (r === undefined || byId.has(item.id)) continue;
    byId.set(item.id, bulkItemResult(type, r, item));
  }
  return chunk.map(
    (r) =>
      byId.get(r.id) ?? {
        id: r.id,
        action: r.action,
        outcome: 'unknown',
        message: `not mentioned in the bulk response (HTTP ${response.status}); ${UNKNOWN_HINT}`,
      },
  );
}

function bulkItemResult(type: ResourceType, r: UpdateRequest, item: { id: string; error?: unknown; message?: unknown }): UpdateResult {
  if (item.error !== undefined) {
    // Both variants are loose objects, so the failure variant is told apart by parsing `error`.
    const error = ApiError.safeParse(item.error);
    if (!error.success)
      return { id: r.id, action: r.action, outcome: 'unknown', message: `unreadable per-item error in the bulk response; ${UNKNOWN_HINT}` };
    return {
      id: r.id,
      action: r.action,
      outcome: 'rejected',
      notFound: error.data.code === UNKNOWN_ID_CODES[type],
      httpStatus: null,
      code: error.data.code,
      message: error.data.message,
    };
  }
  if (typeof item.message === 'string') return { id: r.id, action: r.action, outcome: 'accepted', message: item.message };
  return {
    id: r.id,
    action: r.action,
    outcome: 'unknown',
    message: `bulk response names the item without a message or an error; ${UNKNOWN_HINT}`,
  };
}

/**
 * Result of one single PATCH or DELETE. A 2xx with an empty body is accepted (the status itself
 * arrived complete, and the JS SDK's mocks answer so); a 2xx whose non-empty body does not parse as
 * `{id, message}` for this id is unknown.
 */
function singleResult(r: UpdateRequest, sent: Sent, context: CallContext): UpdateResult {
  if (sent.kind !== 'answered') return notAnswered(r, sent);
  const { response } = sent;
  if (response.status < 200 || response.status >= 300) return fromStatus(r, response, context, true);
  if (response.text.trim() === '') return { id: r.id, action: r.action, outcome: 'accepted', message: 'scheduled' };
  const parsed = ModificationResponse.safeParse(jsonOrUndefined(response.text));
  if (!parsed.success || parsed.data.id !== r.id) {
    return {
      id: r.id,
      action: r.action,
      outcome: 'unknown',
      message: `${context.operation}: HTTP ${response.status} with an unreadable body; ${UNKNOWN_HINT}`,
    };
  }
  return { id: r.id, action: r.action, outcome: 'accepted', message: parsed.data.message ?? 'scheduled' };
}

export { bulkResults, singleResult, sentFromError, UNKNOWN_ID_CODES };
export type { UpdateRequest, UpdateResult, UpdateOutcome, Sent };
