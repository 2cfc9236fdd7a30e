/**
 * The one place HTTP leaves the process. Redirects are never followed: a 3xx comes back as it is,
 * so no request, token or body leaves for a host the caller did not choose.
 *
 * Three paths, chosen per request, none of them heavy for a function that does not use it:
 * - **direct** (the common case): Node's built-in `fetch` with `redirect: 'manual'`. It costs the
 *   bundle nothing (undici ships inside Node).
 * - **through a proxy** when `HTTPS_PROXY` / `HTTP_PROXY` (or their lower-case forms) name one and
 *   `NO_PROXY` does not exclude the host (Node 20's global fetch ignores these variables): Node's
 *   own `http`/`https` client over `https-proxy-agent`, which tunnels with CONNECT.
 * - **mutual TLS** (the token call of an X.509 service key): Node's `https` with an agent that
 *   presents the client certificate, always direct: the certificate must reach the auth server's
 *   TLS handshake itself, not a proxy's.
 *
 * Node's `http` never follows redirects, so `redirect: 'manual'` holds on every path. Failures are
 * thrown as `fetch` throws them, `TypeError('fetch failed')` with the socket error as `cause`, so
 * the transport's classification of "never written" is the same whichever path was taken.
 */
import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { HttpsProxyAgent } from 'https-proxy-agent';

/** A client certificate for mutual TLS (X.509 service keys), plus an optional private CA. */
interface ClientTls {
  cert: string;
  key: string;
  ca?: string | undefined;
}

interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body: string | null;
  signal: AbortSignal;
  tls?: ClientTls | undefined;
}

interface FetchResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

type HttpFetch = (url: string, init: FetchInit) => Promise<FetchResponse>;

/** The proxy settings of an environment, read once per {@link createHttpFetch}. */
interface ProxyEnv {
  http: string | undefined;
  https: string | undefined;
  noProxy: readonly string[];
}

function readProxyEnv(env: NodeJS.ProcessEnv): ProxyEnv {
  const pick = (...names: string[]): string | undefined => names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
  const http = pick('HTTP_PROXY', 'http_proxy');
  return {
    http,
    // As undici's EnvHttpProxyAgent: HTTPS requests fall back to HTTP_PROXY.
    https: pick('HTTPS_PROXY', 'https_proxy') ?? http,
    noProxy: (pick('NO_PROXY', 'no_proxy') ?? '')
      .split(/[\s,]+/)
      .map((entry) => entry.trim().toLowerCase())
      .filter((entry) => entry !== ''),
  };
}

/**
 * Whether `NO_PROXY` sends this URL direct: `*` matches every host; `example.com`, `.example.com`
 * and `*.example.com` match the host and its subdomains; an entry with `:port` matches that port only.
 *
 * @example
 * bypassesProxy(new URL('https://api.example.com'), ['.example.com']); // true
 */
function bypassesProxy(url: URL, noProxy: readonly string[]): boolean {
  const host = url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  const port = url.port !== '' ? url.port : url.protocol === 'https:' ? '443' : '80';
  return noProxy.some((entry) => {
    if (entry === '*') return true;
    const bracketed = /^\[(.*)\](?::(\d+))?$/.exec(entry);
    const [name, entryPort] =
      bracketed !== null
        ? [bracketed[1] ?? '', bracketed[2]]
        : entry.includes(':') && entry.split(':').length === 2
          ? (entry.split(':') as [string, string])
          : [entry, undefined];
    if (entryPort !== undefined && entryPort !== port) return false;
    const domain = name.replace(/^\*?\./, '');
    return host === domain || host.endsWith(`.${domain}`);
  });
}

function headerGetter(message: IncomingMessage): FetchResponse['headers'] {
  return {
    get(name: string): string | null {
      const value = message.headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

function readBody(message: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    message.on('data', (chunk: Buffer) => chunks.push(chunk));
    message.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    message.once('error', (error) => reject(new TypeError('fetch failed', { cause: error })));
    message.once('aborted', () =>
      reject(new TypeError('fetch failed', { cause: new Error('the connection closed before the body was read') })),
    );
  });
}

/** One request with Node's own client through `agent`; the body is read on demand, like fetch's. */
function nodeFetch(url: string, init: FetchInit, agent: HttpAgent): Promise<FetchResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const headers: Record<string, string> = { ...init.headers };
    if (init.body !== null) headers['content-length'] = String(Buffer.byteLength(init.body));
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(target, { method: init.method, headers, agent, signal: init.signal }, (message) => {
      resolve({ status: message.statusCode ?? 0, headers: headerGetter(message), text: () => readBody(message) });
    });
    request.once('error', (error) => reject(init.signal.aborted ? error : new TypeError('fetch failed', { cause: error })));
    request.end(init.body ?? undefined);
  });
}

/**
 * @example
 * const fetch = createHttpFetch(); // reads HTTP(S)_PROXY / NO_PROXY when first used
 * const response = await fetch('https://api.example.com/v2/lm/meta', { method: 'GET', headers: {}, body: null, signal: AbortSignal.timeout(30_000) });
 */
function createHttpFetch(env?: NodeJS.ProcessEnv): HttpFetch {
  let proxies: ProxyEnv | undefined;
  const proxyAgents = new Map<string, HttpAgent>();
  const mtlsAgents = new Map<string, HttpAgent>();

  const proxyAgentFor = (url: URL): HttpAgent | undefined => {
    proxies ??= readProxyEnv(env ?? process.env);
    const proxy = url.protocol === 'https:' ? proxies.https : proxies.http;
    if (proxy === undefined || bypassesProxy(url, proxies.noProxy)) return undefined;
    let agent = proxyAgents.get(proxy);
    if (agent === undefined) {
      agent = new HttpsProxyAgent(proxy, { keepAlive: true });
      proxyAgents.set(proxy, agent);
    }
    return agent;
  };

  const mtlsAgentFor = (tls: ClientTls): HttpAgent => {
    const id = `${tls.cert}\u0000${tls.key}\u0000${tls.ca ?? ''}`;
    let agent = mtlsAgents.get(id);
    if (agent === undefined) {
      agent = new HttpsAgent({ keepAlive: true, cert: tls.cert, key: tls.key, ...(tls.ca === undefined ? {} : { ca: tls.ca }) });
      mtlsAgents.set(id, agent);
    }
    return agent;
  };

  return async (url, init) => {
    if (init.tls !== undefined) return nodeFetch(url, init, mtlsAgentFor(init.tls));
    const viaProxy = proxyAgentFor(new URL(url));
    if (viaProxy !== undefined) return nodeFetch(url, init, viaProxy);
    return fetch(url, { method: init.method, headers: init.headers, body: init.body, signal: init.signal, redirect: 'manual' });
  };
}

export { createHttpFetch, bypassesProxy };
export type { ClientTls, FetchInit, FetchResponse, HttpFetch };
