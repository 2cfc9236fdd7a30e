/**
 * The simulator's request and response shapes and the error body every failure uses:
 * `{error: {code, message, requestId, target}}` (AiApiError in the spec). Handlers return a
 * SimResponse; only server.ts touches node:http.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { errorMessage } from '../../../lib/util/errors.js';

interface SimRequest {
  method: string;
  /** Decoded path without the query, e.g. `/v2/lm/executions/$count`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  requestId: string;
  /** The AI-Resource-Group header, if sent. */
  group: string | null;
}

interface SimResponse {
  status: number;
  /** JSON body; `text` wins when both are set. */
  json?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

/**
 * Error codes. The first three are real (seen on AI Core, see CONTRACT.md); the others are made up
 * by the simulator in the same 8-digit style, because the real ones are not documented.
 */
const ERROR_CODES = {
  executionNotFound: '01010020',
  deploymentNotFound: '01010016',
  ineligibleStatus: '01010076',
  badRequest: '01000400',
  unauthorized: '01000401',
  forbidden: '01000403',
  notFound: '01000404',
  methodNotAllowed: '01000405',
  resourceGroupNotFound: '01000444',
  unsupportedMediaType: '01000415',
  tooManyRequests: '01000429',
  internal: '01000500',
  unavailable: '01000503',
} as const;

type ErrorTarget = Pick<SimRequest, 'requestId' | 'path'>;

/** The `{error: AiApiError}` wrapper; `target` is the invoked path, as on the real server. */
function apiError(
  request: ErrorTarget,
  code: string,
  message: string,
): { error: { code: string; message: string; requestId: string; target: string } } {
  return { error: { code, message, requestId: request.requestId, target: request.path } };
}

function errorResponse(request: ErrorTarget, status: number, code: string, message: string, headers?: Record<string, string>): SimResponse {
  return { status, json: apiError(request, code, message), ...(headers === undefined ? {} : { headers }) };
}

function header(request: Pick<SimRequest, 'headers'>, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** The media type without parameters, lower-cased: `application/json; charset=utf-8` → `application/json`. */
function mediaType(request: Pick<SimRequest, 'headers'>): string {
  return (header(request, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

function parseJsonBody(body: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(body) };
  } catch (error) {
    return { ok: false, message: `request body is not JSON: ${errorMessage(error)}` };
  }
}

export { ERROR_CODES, apiError, errorResponse, header, mediaType, parseJsonBody };
export type { SimRequest, SimResponse, ErrorTarget };
