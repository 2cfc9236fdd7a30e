/**
 * Posts a message to Slack's `response_url`, the generic webhook's callback URL or a Teams
 * Workflows webhook (the stage's configured URL, a secret): one JSON POST
 * with a timeout, to a URL and an address that have both been checked. A failure is logged and
 * reported as `false`, never thrown: throwing would make Lambda retry the worker, and a retry must
 * not run the janitor again for a message.
 *
 * Defence in depth behind the webhook's own check (lib/chatops/inbound.ts):
 * 1. the URL is checked against the reply policy again (lib/chatops/reply-url.ts);
 * 2. its host is resolved once, and every address must be public (or loopback on a local stage);
 * 3. the connection goes to exactly the checked address — node:http(s) with a `lookup` that
 *    answers with it, so there is no second DNS lookup to rebind — while TLS still verifies the
 *    certificate against the host name (SNI and Host are the URL's);
 * 4. redirects are not followed: a 3xx is a failed post.
 *
 * The full URL is a bearer capability (anyone holding it can post into the channel): log lines
 * name only its host.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import type { JobSource } from '../../lib/chatops/job.js';
import {
  checkReplyAddress,
  checkReplyUrl,
  replyKindOf,
  replyPolicyFromEnv,
  REPLY_KINDS,
  type ReplyPolicy,
} from '../../lib/chatops/reply-url.js';
import { log } from './log.js';
import { errorMessage } from '../../lib/util/errors.js';
import { FunctionError } from './errors.js';

/**
 * `payload` is the rendered message (Block Kit, an Adaptive Card envelope). `source`, when given,
 * narrows the check to that front door's hosts; else any allowed reply host.
 */
type PostMessage = (url: string, payload: object, source?: JobSource) => Promise<boolean>;

interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Host name → its addresses. Default: the system resolver (`dns.lookup`, all addresses). Tests inject one. */
type Resolve = (hostname: string) => Promise<readonly ResolvedAddress[]>;

interface PostOptions {
  timeoutMs: number;
  /** Default: from the environment (JANITOR_*_REPLY_HOSTS, JANITOR_ALLOW_LOOPBACK_REPLIES). */
  policy: ReplyPolicy;
  resolve: Resolve;
  /** Extra trusted CA certificates (PEM): a test seam for a loopback TLS receiver. */
  ca: string | undefined;
}

/** Slack answers `ok` or an error word; anything longer is cut. */
const ANSWER_LIMIT = 200;

const systemResolve: Resolve = async (hostname) => {
  const found = await dnsLookup(hostname, { all: true, verbatim: true });
  return found.map(({ address, family }) => ({ address, family: family === 6 ? 6 : 4 }));
};

/** A `lookup` that answers every query with the one address that was checked. */
function pinnedLookup(hostname: string, pinned: ResolvedAddress): LookupFunction {
  return (name, options, callback) => {
    if (name !== hostname) {
      callback(Object.assign(new Error(`unexpected lookup of ${name}`), { code: 'ENOTFOUND' }), '', 4);
      return;
    }
    if (options.all === true) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  };
}

class ReplyRefusedError extends FunctionError {
  override name = 'ReplyRefusedError';
}

/** The address to connect to: the literal itself, or the first of the host's addresses when all of them pass. */
async function checkedAddress(host: string, protocol: string, policy: ReplyPolicy, resolve: Resolve): Promise<ResolvedAddress> {
  const family = isIP(host);
  const candidates = family === 0 ? await resolve(host) : [{ address: host, family: family === 6 ? 6 : 4 } as const];
  if (candidates.length === 0) throw new ReplyRefusedError('the host resolved to no address');
  // Every answer must pass, not just the first: a resolver could hand out a private one next time.
  for (const candidate of candidates) {
    const verdict = checkReplyAddress(candidate.address, policy, protocol);
    if (!verdict.ok) throw new ReplyRefusedError(verdict.reason);
  }
  return candidates[0] as ResolvedAddress;
}

interface PostResult {
  status: number;
  answer: string;
}

function send(url: URL, host: string, address: ResolvedAddress, body: string, options: PostOptions): Promise<PostResult> {
  const secure = url.protocol === 'https:';
  // A timer cleared once the post settles: a timeout signal left armed would abort the finished
  // request later, and that late `error` event (no listener by then) would crash the process.
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error(`no answer within ${options.timeoutMs} ms`)), options.timeoutMs);
  const request = (secure ? https : http).request({
    method: 'POST',
    protocol: url.protocol,
    hostname: host,
    port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
    path: `${url.pathname}${url.search}`,
    headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    lookup: pinnedLookup(host, address),
    // No pooled socket: every post connects afresh, to the address checked for it.
    agent: false,
    signal: timeout.signal,
    ...(secure && isIP(host) === 0 ? { servername: host } : {}),
    ...(secure && options.ca !== undefined ? { ca: options.ca } : {}),
  });
  const settled = new Promise<PostResult>((resolve, reject) => {
    // `on`, not `once`: a socket can report a second error after the first; a settled promise ignores it.
    request.on('error', reject);
    request.once('response', (response) => {
      let answer = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        answer = (answer + chunk).slice(0, ANSWER_LIMIT);
      });
      response.on('error', reject);
      response.once('end', () => resolve({ status: response.statusCode ?? 0, answer }));
      // A timeout while the answer streams closes it without `end`: settle instead of hanging.
      response.once('close', () => reject(new Error('the connection closed before the answer was complete')));
    });
    request.end(body);
  });
  return settled.finally(() => clearTimeout(timer));
}

/**
 * @example
 * const post = responsePoster();
 * await post(job.responseUrl, runDigest(report, options), job.source);
 */
function responsePoster(overrides: Partial<PostOptions> = {}): PostMessage {
  const options: PostOptions = {
    timeoutMs: overrides.timeoutMs ?? 10_000,
    policy: overrides.policy ?? replyPolicyFromEnv(),
    resolve: overrides.resolve ?? systemResolve,
    ca: overrides.ca,
  };
  return async function postMessage(raw: string, payload: object, source?: JobSource): Promise<boolean> {
    const verdict = checkReplyUrl(raw, options.policy, source === undefined ? REPLY_KINDS : [replyKindOf(source)]);
    if (!verdict.ok) {
      log('warn', 'refused to post to the reply URL', { host: verdict.host, reason: verdict.reason });
      return false;
    }
    const { url, host } = verdict;
    try {
      const address = await checkedAddress(host, url.protocol, options.policy, options.resolve);
      const { status, answer } = await send(url, host, address, JSON.stringify(payload), options);
      if (status >= 300 && status < 400) {
        log('warn', 'the reply URL answered with a redirect; not followed', { host, status });
        return false;
      }
      if (status < 200 || status >= 300) {
        log('warn', 'the reply URL refused the message', { host, status, answer });
        return false;
      }
      return true;
    } catch (error) {
      const refused = error instanceof ReplyRefusedError;
      log('warn', refused ? 'refused to post to the reply URL' : 'could not post to the reply URL', {
        host,
        ...(refused ? { reason: error.message } : { error: errorMessage(error) }),
      });
      return false;
    }
  };
}

export { responsePoster, systemResolve };
export type { PostMessage, PostOptions, Resolve, ResolvedAddress };
