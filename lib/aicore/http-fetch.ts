/**
 * The one place HTTP leaves the process. undici's fetch with an `EnvHttpProxyAgent` honours
 * `HTTPS_PROXY` / `HTTP_PROXY` / `NO_PROXY` (Node 20's global fetch ignores them), and a per-key
 * agent presents the client certificate of an X.509 service key for the mutual-TLS token call.
 * Redirects are never followed (`redirect: 'manual'`): a 3xx comes back as it is, so no request,
 * token or body leaves for a host the caller did not choose.
 */
import { Agent, EnvHttpProxyAgent, fetch as undiciFetch, type Dispatcher } from 'undici';

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

function createHttpFetch(): HttpFetch {
  let proxyAware: Dispatcher | undefined;
  const mtlsAgents = new Map<string, Dispatcher>();
  const dispatcherFor = (tls: ClientTls | undefined): Dispatcher => {
    if (tls === undefined) return (proxyAware ??= new EnvHttpProxyAgent());
    // The token endpoint for certificates is called directly (not through a proxy): the client
    // certificate must reach the auth server's TLS handshake itself.
    const id = `${tls.cert}\u0000${tls.key}`;
    let agent = mtlsAgents.get(id);
    if (agent === undefined) {
      agent = new Agent({ connect: { cert: tls.cert, key: tls.key, ...(tls.ca === undefined ? {} : { ca: tls.ca }) } });
      mtlsAgents.set(id, agent);
    }
    return agent;
  };
  return async (url, init) =>
    undiciFetch(url, {
      method: init.method,
      headers: init.headers,
      body: init.body,
      signal: init.signal,
      redirect: 'manual',
      dispatcher: dispatcherFor(init.tls),
    });
}

export { createHttpFetch };
export type { ClientTls, FetchInit, FetchResponse, HttpFetch };
