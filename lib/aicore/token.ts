/**
 * OAuth2 client-credentials tokens from `{url}/oauth/token`, cached until `expires_in` minus a
 * margin. `invalidate()` is how the client reacts to a 401: drop the token, fetch a new one once.
 */
import { AiCoreResponseError, CredentialsError } from './errors.js';
import { jsonOrUndefined } from '../util/json.js';
import type { HttpRequest, SendGate, Transport } from './transport.js';
import { TokenResponse, type ServiceKey } from './wire.js';

/** Refresh this long before the server's expiry, so a token never dies mid-request. */
const EXPIRY_MARGIN_MS = 60_000;

interface CachedToken {
  token: string;
  expiresAt: number;
}

/**
 * Tokens by token URL and client id, shareable by the clients of one container: each Step Functions
 * task builds its own client, and a warm container should not fetch a token for every task.
 *
 * @example
 * const tokens = new TokenCache(); // once per container
 * const client = new AiCoreClient(key, { tokens });
 */
class TokenCache {
  private readonly entries = new Map<string, CachedToken>();

  get(key: string, now: number): string | undefined {
    const entry = this.entries.get(key);
    return entry !== undefined && now < entry.expiresAt ? entry.token : undefined;
  }

  set(key: string, entry: CachedToken): void {
    this.entries.set(key, entry);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}

class TokenSource {
  private pending: Promise<string> | undefined;
  private resolvedKey: string | undefined;

  constructor(
    private readonly key: ServiceKey,
    private readonly transport: Transport,
    /** Extra CA for the token server's certificate (a private PKI, or tests). */
    private readonly trustedCa?: string,
    /** Shared with other clients of the same container; by default this source's own. */
    private readonly cache: TokenCache = new TokenCache(),
  ) {}

  /** The token endpoint and client id: the identity a token belongs to (resolved once; a bad key throws here). */
  private get cacheKey(): string {
    this.resolvedKey ??= `${this.tokenRequest().url} ${this.key.clientid}`;
    return this.resolvedKey;
  }

  /** A cached token, or a new one; `gate` runs before each attempt of the token request. */
  async token(gate?: SendGate): Promise<string> {
    const cached = this.cache.get(this.cacheKey, this.transport.config.now());
    if (cached !== undefined) return cached;
    // Concurrent callers share one token request instead of stampeding the auth server.
    this.pending ??= this.fetchToken(gate).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  invalidate(): void {
    this.cache.delete(this.cacheKey);
  }

  /** The token request for either variant of the key: a client secret, or X.509 over mutual TLS. */
  private tokenRequest(): Pick<HttpRequest, 'url' | 'body' | 'tls'> {
    const { clientid, clientsecret, url, certificate, key, certurl } = this.key;
    if (clientsecret !== undefined && url !== undefined) {
      const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientid, client_secret: clientsecret });
      return { url: `${url.replace(/\/+$/, '')}/oauth/token`, body: body.toString() };
    }
    if (certificate !== undefined && key !== undefined && certurl !== undefined) {
      const body = new URLSearchParams({ grant_type: 'client_credentials', client_id: clientid });
      return {
        url: `${certurl.replace(/\/+$/, '')}/oauth/token`,
        body: body.toString(),
        tls: { cert: certificate, key, ca: this.trustedCa },
      };
    }
    throw new CredentialsError('the service key has neither clientsecret + url nor certificate + key + certurl');
  }

  private async fetchToken(gate: SendGate | undefined): Promise<string> {
    const context = { operation: 'obtain OAuth token' };
    const response = await this.transport.sendOk({
      gate,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      ...this.tokenRequest(),
      context,
    });
    const parsed = TokenResponse.safeParse(jsonOrUndefined(response.text));
    if (!parsed.success) throw new AiCoreResponseError('token endpoint answered without access_token/expires_in', context);
    const lifetime = parsed.data.expires_in * 1000;
    this.cache.set(this.cacheKey, {
      token: parsed.data.access_token,
      expiresAt: this.transport.config.now() + Math.max(lifetime - EXPIRY_MARGIN_MS, lifetime / 2),
    });
    return parsed.data.access_token;
  }
}

export { TokenCache, TokenSource };
