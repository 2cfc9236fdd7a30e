/**
 * The HTTP API (API Gateway v2 payload format 2.0) edge: the event fields the webhook reads,
 * validated with zod, and the result shape it returns. serverless-offline produces the same shape.
 */
import * as z from 'zod';

const HttpEvent = z.looseObject({
  rawPath: z.string(),
  headers: z.record(z.string(), z.string().optional()).default({}),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().default(false),
});
type HttpEvent = z.infer<typeof HttpEvent>;

interface HttpResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** Header names are case-insensitive; API Gateway lower-cases them, other proxies may not. */
function lowerCaseHeaders(headers: HttpEvent['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

/** The body exactly as the client sent it: signatures are computed over these bytes. */
function rawBody(event: HttpEvent): Buffer {
  return Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
}

/** A JSON answer; `null` becomes an empty body (Slack's expected answer to a button click). */
function jsonResult(statusCode: number, body: unknown): HttpResult {
  if (body === null) return { statusCode, headers: {}, body: '' };
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** Deliberately says nothing about why: a forger learns nothing from it. */
const UNAUTHORIZED: HttpResult = { statusCode: 401, headers: { 'content-type': 'text/plain' }, body: 'unauthorized' };

export { HttpEvent, lowerCaseHeaders, rawBody, jsonResult, UNAUTHORIZED };
export type { HttpResult };
