/**
 * XSUAA's client-credentials flow, simulated: `POST /oauth/token` issues a well-formed JWT
 * (header.payload.signature, base64url; the signature is random bytes, nobody verifies it) and the
 * API accepts it until it expires, is used up (fault knob) or `expireTokens()` revokes all tokens.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { ERROR_CODES, errorResponse, header, mediaType, type SimRequest, type SimResponse } from './http.js';
import type { Clock } from './time.js';

interface IssuedToken {
  expiresAt: number;
  uses: number;
  epoch: number;
}

interface Credentials {
  clientid: string;
  clientsecret: string;
  /** Identity zone id, the `zid` claim. */
  zoneId: string;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

class TokenIssuer {
  private readonly issued = new Map<string, IssuedToken>();
  /** Bumped by `expireAll`; tokens from an older epoch are rejected. */
  private epoch = 0;

  constructor(
    private readonly credentials: Credentials,
    private readonly clock: Clock,
    private readonly ttlSeconds: number,
    /** Fault knob: a token is good for this many API calls, then answers 401. */
    private readonly maxUses: number | undefined,
  ) {}

  /** `POST /oauth/token`: form body or HTTP Basic, grant_type=client_credentials. */
  handleTokenRequest(request: SimRequest, issuerUrl: string): SimResponse {
    if (mediaType(request) !== 'application/x-www-form-urlencoded') {
      return errorResponse(request, 415, ERROR_CODES.unsupportedMediaType, 'token requests must be application/x-www-form-urlencoded');
    }
    const form = new URLSearchParams(request.body);
    if (form.get('grant_type') !== 'client_credentials') {
      return errorResponse(request, 400, ERROR_CODES.badRequest, 'unsupported grant_type: only client_credentials is supported');
    }
    const basic = /^Basic\s+(\S+)$/i.exec(header(request, 'authorization') ?? '')?.[1];
    const [basicId, basicSecret] = basic === undefined ? [] : Buffer.from(basic, 'base64').toString('utf8').split(':');
    const clientId = form.get('client_id') ?? basicId;
    const clientSecret = form.get('client_secret') ?? basicSecret;
    if (clientId !== this.credentials.clientid || clientSecret !== this.credentials.clientsecret) {
      return errorResponse(request, 401, ERROR_CODES.unauthorized, 'Bad credentials');
    }
    const jti = randomUUID().replaceAll('-', '');
    const token = this.jwt(clientId, jti, issuerUrl);
    this.issued.set(token, { expiresAt: this.clock() + this.ttlSeconds * 1000, uses: 0, epoch: this.epoch });
    return { status: 200, json: { access_token: token, token_type: 'bearer', expires_in: this.ttlSeconds, scope: 'uaa.resource', jti } };
  }

  /** Checks `Authorization: Bearer …` and counts the use; undefined means authorised. */
  authorise(request: SimRequest): SimResponse | undefined {
    const token = /^Bearer\s+(\S+)$/i.exec(header(request, 'authorization') ?? '')?.[1];
    const deny = (why: string): SimResponse =>
      errorResponse(request, 401, ERROR_CODES.unauthorized, why, { 'www-authenticate': 'Bearer error="invalid_token"' });
    if (token === undefined) return deny('missing bearer token');
    const issued = this.issued.get(token);
    if (issued === undefined) return deny('invalid token');
    if (issued.epoch !== this.epoch || this.clock() >= issued.expiresAt) return deny('token expired');
    if (this.maxUses !== undefined && issued.uses >= this.maxUses) return deny('token expired');
    issued.uses += 1;
    return undefined;
  }

  expireAll(): void {
    this.epoch += 1;
  }

  /** An XSUAA-like access token: the claims SAP's libraries read (`exp`, `iat`, `client_id`, `zid`). */
  private jwt(clientId: string, jti: string, issuerUrl: string): string {
    const iat = Math.floor(this.clock() / 1000);
    const head = { alg: 'RS256', jku: `${issuerUrl}/token_keys`, kid: 'default-jwt-key-simulator', typ: 'JWT' };
    const payload = {
      jti,
      ext_attr: { enhancer: 'XSUAA', subaccountid: this.credentials.zoneId, zdn: 'simulator' },
      sub: clientId,
      authorities: ['uaa.resource'],
      scope: ['uaa.resource'],
      client_id: clientId,
      cid: clientId,
      azp: clientId,
      grant_type: 'client_credentials',
      rev_sig: randomBytes(4).toString('hex'),
      iat,
      exp: iat + this.ttlSeconds,
      iss: `${issuerUrl}/oauth/token`,
      zid: this.credentials.zoneId,
      aud: ['uaa', clientId],
    };
    return `${base64url(head)}.${base64url(payload)}.${randomBytes(256).toString('base64url')}`;
  }
}

export { TokenIssuer };
export type { Credentials };
