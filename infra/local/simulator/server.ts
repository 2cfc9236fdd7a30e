/**
 * The loopback AI Core simulator: node:http on 127.0.0.1, a free port by default. Each request is
 * logged, passed through fault injection, authorised, checked for its resource group and then
 * dispatched. Sockets are tracked so stop() is immediate even with hung connections.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { listenOnLoopback } from '../loopback.js';
import { FaultEngine, type AnswerLoss, type FaultConfig } from './faults.js';
import { emptyFleet, parseFleet, type SimulatorFleet } from './fleet.js';
import { ERROR_CODES, errorResponse, header, type SimRequest, type SimResponse } from './http.js';
import { RequestLog, type RequestLogEntry } from './request-log.js';
import { TokenIssuer } from './auth.js';
import { meta, resourceGroups, resourceNodes } from './routes-admin.js';
import { bulk, count, deleteOne, getOne, list, patchOne, type LmContext } from './routes-lm.js';
import { LmRequests } from './lm-requests.js';
import { apiContract } from './contract.js';
import { resolveRoute, type Routed } from './routes.js';
import { FleetState } from './state.js';
import { DAY_MS, type Clock } from './time.js';

interface SimulatorOptions {
  /** Default 0: a free port. The host is always 127.0.0.1. */
  port?: number;
  /** Default: one empty `default` group. */
  fleet?: SimulatorFleet;
  /** `GET /v2/lm/meta` → aiApi.capabilities.bulkUpdates; default both true. */
  bulkUpdates?: { executions: boolean; deployments: boolean };
  /** Clock for timestamps, token expiry, rate limits and lifecycle delays; default Date.now. */
  now?: Clock;
  /** STOPPING → STOPPED this long after the stop; 0 (default): STOPPED from the next request on. */
  stopDelayMs?: number;
  /** A deleted item (targetStatus DELETED) disappears this long after the delete; default 0. */
  deleteDelayMs?: number;
  /**
   * How long AI Core takes to act on an accepted (202) stop or delete: until then the item looks
   * untouched (no targetStatus). Default 0: the next request shows it.
   */
  acceptDelayMs?: number;
  tokenTtlSeconds?: number;
  faults?: FaultConfig;
  /** Seed of the PRNG behind probabilistic faults; default 1. */
  seed?: number;
  /** `GET /v2/admin/resources/nodes` answers 403, as for a service key without the admin scope. */
  warmNodesForbidden?: boolean;
}

/** A type alias, not an interface, so it is assignable to the loose ServiceKey schema type. */
type ServiceKeyJson = {
  clientid: string;
  clientsecret: string;
  url: string;
  identityzone: string;
  identityzoneid: string;
  appname: string;
  serviceurls: { AI_API_URL: string };
};

interface RunningSimulator {
  /** `http://127.0.0.1:PORT`: both AI_API_URL and the token url. */
  url: string;
  /** A service key pointing at this simulator (what AICORE_SERVICE_KEY holds). */
  serviceKey: ServiceKeyJson;
  requests: RequestLog;
  /** Current state as a deep copy, in snapshot shape. */
  fleet(): SimulatorFleet;
  /** Revokes every issued token: the next API call with one gets 401. */
  expireTokens(): void;
  /** Closes the server and every socket, hung ones included. */
  stop(): Promise<void>;
}

const MAX_BODY_BYTES = 1_048_576;
const CLIENT_ID = 'sb-aicore-simulator!b1|aicore!b540';
const TENANT_ID = '5c5a7d2e-0f4b-4c1e-9a53-000000000001';

function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function logBody(body: string): unknown {
  if (body === '') return undefined;
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/**
 * Starts a simulator.
 *
 * @example
 * const sim = await startSimulator({ fleet: demoFleet(new Date()) });
 * process.env.AICORE_SERVICE_KEY = JSON.stringify(sim.serviceKey);
 * // … run the client …
 * await sim.stop();
 */
async function startSimulator(options: SimulatorOptions = {}): Promise<RunningSimulator> {
  const clock = options.now ?? Date.now;
  const fleet = parseFleet(options.fleet ?? emptyFleet());
  const state = new FleetState(fleet, clock, {
    stopMs: options.stopDelayMs ?? 0,
    deleteMs: options.deleteDelayMs ?? 0,
    acceptMs: options.acceptDelayMs ?? 0,
  });
  const faults = new FaultEngine(options.faults, options.seed ?? 1, clock, state);
  const clientsecret = randomUUID();
  const tokens = new TokenIssuer(
    { clientid: CLIENT_ID, clientsecret, zoneId: TENANT_ID },
    clock,
    options.tokenTtlSeconds ?? 3600,
    faults.tokenMaxUses,
  );
  const bulkUpdates = options.bulkUpdates ?? { executions: true, deployments: true };
  const requests = new RequestLog();
  const createdAtMs = clock() - 90 * DAY_MS;
  // The contract is read before the server listens: without it the simulator refuses to start.
  const lm: LmContext = { state, faults, requests: new LmRequests(apiContract()) };
  const stopping = new AbortController();
  let url = '';

  function dispatch(routed: Routed, request: SimRequest): SimResponse {
    const { match } = routed;
    if (match.name === 'notFound') return errorResponse(request, 404, ERROR_CODES.notFound, `no route ${request.method} ${request.path}`);
    if (match.name === 'methodNotAllowed') {
      return errorResponse(request, 405, ERROR_CODES.methodNotAllowed, `${request.method} is not allowed here`, {
        allow: match.allowed.join(', '),
      });
    }
    if (match.name === 'token') return tokens.handleTokenRequest(request, url);
    if (match.name === 'head') return { status: 200 };
    // The real service wants a token everywhere below /v2, meta and admin included.
    const denied = tokens.authorise(request);
    if (denied !== undefined) return denied;
    state.advance();
    if (match.name === 'meta') return meta(bulkUpdates);
    if (match.name === 'resourceGroups') return resourceGroups(request, { groups: state.groupList(), tenantId: TENANT_ID, createdAtMs });
    if (match.name === 'resourceNodes') return resourceNodes(request, fleet.warmNodes, options.warmNodesForbidden === true);
    const group = request.group;
    if (group === null || group === '') return errorResponse(request, 400, ERROR_CODES.badRequest, 'missing header AI-Resource-Group');
    if (!state.hasGroup(group)) return errorResponse(request, 404, ERROR_CODES.resourceGroupNotFound, `Resource group ${group} not found`);
    switch (match.name) {
      case 'list':
        return list(lm, request, match.type, group);
      case 'count':
        return count(lm, request, match.type, group);
      case 'bulk':
        return bulk(lm, request, match.type, group);
      case 'get':
        return getOne(lm, request, match.type, group, match.id);
      case 'patch':
        return patchOne(lm, request, match.type, group, match.id);
      case 'delete':
        return deleteOne(lm, request, match.type, group, match.id);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const rawUrl = req.url ?? '/';
    const parsedUrl = new URL(rawUrl, 'http://127.0.0.1');
    let path: string;
    try {
      path = decodeURIComponent(parsedUrl.pathname);
    } catch {
      path = parsedUrl.pathname;
    }
    const method = req.method ?? 'GET';
    const routed = resolveRoute(method, path);
    const body = await readBody(req);
    const request: SimRequest = {
      method,
      path,
      query: parsedUrl.searchParams,
      headers: req.headers,
      body: body ?? '',
      requestId,
      group: header({ headers: req.headers }, 'ai-resource-group') ?? null,
    };
    const entry = {
      method,
      route: routed.route,
      url: rawUrl,
      group: request.group,
      requestId,
      ...(body === undefined || body === '' ? {} : { body: logBody(body) }),
    };

    const decision = faults.before(routed.route, request);
    if (decision.kind === 'drop' || decision.kind === 'hang') {
      requests.record({ ...entry, status: 0, fault: decision.fault });
      if (decision.kind === 'drop') req.socket.destroy();
      return;
    }
    if (decision.delayMs > 0) {
      try {
        await sleep(decision.delayMs, undefined, { signal: stopping.signal });
      } catch {
        return;
      }
    }
    const response =
      body === undefined
        ? errorResponse(request, 413, ERROR_CODES.badRequest, 'request body too large')
        : decision.kind === 'respond'
          ? decision.response
          : dispatch(routed, request);
    if (decision.kind === 'pass' && decision.lose !== undefined && body !== undefined) {
      // The request has been applied above; only its answer is lost.
      loseAnswer(decision.lose, response, entry, req, res);
      return;
    }
    requests.record({ ...entry, status: response.status, ...(decision.kind === 'respond' ? { fault: decision.fault } : {}) });
    write(res, response, requestId);
  }

  function loseAnswer(
    loss: AnswerLoss,
    applied: SimResponse,
    entry: Omit<RequestLogEntry, 'status'>,
    req: IncomingMessage,
    res: ServerResponse,
  ): void {
    const fault = `loseAnswer:${loss}`;
    if (loss === 'timeout' || loss === 'reset') {
      requests.record({ ...entry, status: 0, fault });
      if (loss === 'reset') req.socket.destroy();
      return;
    }
    if (loss === '504') {
      requests.record({ ...entry, status: 504, fault });
      const html = '<html><head><title>504 Gateway Time-out</title></head><body><h1>504 Gateway Time-out</h1></body></html>';
      res.writeHead(504, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(html) }).end(html);
      return;
    }
    const json = JSON.stringify(applied.json ?? { message: 'scheduled' });
    const garbled = json.slice(0, Math.max(1, Math.floor(json.length / 2)));
    requests.record({ ...entry, status: 202, fault });
    res
      .writeHead(202, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(garbled), 'x-request-id': entry.requestId })
      .end(garbled);
  }

  function write(res: ServerResponse, response: SimResponse, requestId: string): void {
    const payload = response.text ?? (response.json === undefined ? '' : JSON.stringify(response.json));
    res.writeHead(response.status, {
      'content-type': response.text === undefined ? 'application/json' : 'text/plain; charset=utf-8',
      'content-length': Buffer.byteLength(payload),
      'x-request-id': requestId,
      ...response.headers,
    });
    res.end(payload);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) return void res.destroy();
      // Same wrapper as every other error: AiApiError's requestId and target are strings, never null.
      const payload = JSON.stringify({
        error: { code: ERROR_CODES.internal, message: `simulator bug: ${String(error)}`, requestId: randomUUID(), target: req.url ?? '/' },
      });
      res.writeHead(500, { 'content-type': 'application/json' }).end(payload);
    });
  });
  const listening = await listenOnLoopback(server, options.port);
  url = listening.url;

  return {
    url,
    serviceKey: {
      clientid: CLIENT_ID,
      clientsecret,
      url,
      identityzone: 'simulator',
      identityzoneid: TENANT_ID,
      appname: 'aicore-simulator!b540',
      serviceurls: { AI_API_URL: url },
    },
    requests,
    fleet: () => {
      state.advance();
      return state.snapshot();
    },
    expireTokens: () => tokens.expireAll(),
    stop: () => {
      stopping.abort();
      return listening.close();
    },
  };
}

export { startSimulator };
export type { SimulatorOptions, RunningSimulator, ServiceKeyJson };
