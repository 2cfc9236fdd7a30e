/** Small fetch helpers for simulator tests: a token, and authenticated calls with a resource group. */
import type { RunningSimulator } from '../../infra/local/simulator/index.js';

async function tokenFor(sim: RunningSimulator): Promise<string> {
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    client_id: sim.serviceKey.clientid,
    client_secret: sim.serviceKey.clientsecret,
  });
  const response = await fetch(`${sim.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  const json = (await response.json()) as { access_token: string };
  return json.access_token;
}

interface CallOptions {
  method?: string;
  group?: string | null;
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  token?: string;
  signal?: AbortSignal;
}

/** An authenticated API call; `group` defaults to `default`, `null` omits the header. */
async function call(sim: RunningSimulator, path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = { authorization: `Bearer ${options.token ?? (await tokenFor(sim))}`, ...options.headers };
  const group = options.group === undefined ? 'default' : options.group;
  if (group !== null) headers['ai-resource-group'] = group;
  if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  return fetch(`${sim.url}${path}`, {
    method: options.method ?? 'GET',
    headers,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.body === undefined ? {} : { body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body) }),
  });
}

/** Calls and parses JSON, returning status and body. */
async function callJson<T = Record<string, unknown>>(
  sim: RunningSimulator,
  path: string,
  options: CallOptions = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await call(sim, path, options);
  return { status: response.status, body: (await response.json()) as T, headers: response.headers };
}

/** A controllable clock for lifecycle and expiry tests. */
function manualClock(start: number): { now: () => number; advance(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

export { tokenFor, call, callJson, manualClock };
