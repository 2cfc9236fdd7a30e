/**
 * Which reply URLs the janitor may POST to. A response URL arrives inside a request (Slack's
 * `response_url`, the JSON webhook's `responseUrl`), so it is untrusted input that decides where
 * a run's digest goes; it is checked twice — at ingress (the webhook refuses the request and
 * dispatches nothing) and again right before posting (functions/adapters/response-url.ts, which
 * also checks the addresses the host resolves to and connects to exactly the checked one).
 *
 * The rules:
 * - `https:` only, on an allowlisted host and its default port (443) unless the entry names a port;
 *   no user:password part;
 * - Slack replies: `hooks.slack.com`, plus `JANITOR_SLACK_REPLY_HOSTS` (GovSlack, Enterprise Grid);
 * - JSON-webhook replies: only `JANITOR_WEBHOOK_REPLY_HOSTS` (empty = the webhook may not name one);
 * - Teams digests: the Workflows webhook hosts `*.logic.azure.com` and
 *   `*.environment.api.powerplatform.com`, plus `JANITOR_TEAMS_REPLY_HOSTS` (sovereign clouds). The
 *   retired Office 365 connector hosts (`*.webhook.office.com`) are refused with a pointer to Workflows;
 * - loopback (`127.0.0.0/8`, `::1`, `localhost`, over http or https) only when
 *   `JANITOR_ALLOW_LOOPBACK_REPLIES=true` — the local stage's flag; without it loopback is refused
 *   like any other non-public address;
 * - an IP-literal host must be public (see address.ts), whatever the allowlist says.
 *
 * A new platform adds a kind here with its own host list.
 * Pure: no DNS. The full URL is a bearer capability — refusals name only the host.
 */
import { isIP } from 'node:net';
import * as z from 'zod';
import { envFlag } from '../util/env.js';
import { zodIssues } from '../util/errors.js';
import { ReplyAllowlistError } from './errors.js';
import { classifyAddress, type AddressClass } from './address.js';
import type { JobSource } from './job.js';

/** Slack's own host for `response_url` (slash commands and interactions alike). */
const SLACK_REPLY_HOST = 'hooks.slack.com';

/** Teams Workflows webhooks ("Post to a channel when a webhook request is received"). */
const TEAMS_WORKFLOW_HOSTS = ['logic.azure.com', 'environment.api.powerplatform.com'] as const;
/** Office 365 connectors (incoming webhooks) were retired: their URLs no longer deliver. */
const RETIRED_TEAMS_HOST = 'webhook.office.com';

const REPLY_KINDS = ['slack', 'webhook', 'teams'] as const;
type ReplyKind = (typeof REPLY_KINDS)[number];

/** `hooks.slack-gov.com`, `*.example.com` (subdomains only, not the apex), optionally `:port`. */
interface HostPattern {
  /** Lower-case host name without a leading `*.`. */
  host: string;
  wildcard: boolean;
  /** The port the entry allows; undefined = the default port only. */
  port: string | undefined;
}

interface ReplyPolicy {
  hosts: Readonly<Record<ReplyKind, readonly HostPattern[]>>;
  /** The local stage's flag: loopback reply URLs (a receiver on this machine) are allowed. */
  allowLoopback: boolean;
}

type ReplyVerdict = { ok: true; url: URL; host: string; loopback: boolean } | { ok: false; host: string | undefined; reason: string };

const HOST_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

function parseHostPattern(entry: string): HostPattern | string {
  const text = entry.trim().toLowerCase().replace(/\.$/, '');
  const match = /^(\*\.)?([^:/]+)(?::(\d{1,5}))?$/.exec(text);
  if (match === null)
    return `"${entry}" is not a host name (expected e.g. hooks.slack-gov.com, *.example.com or host:8443; no scheme or path)`;
  const [, star, host = '', port] = match;
  const literal = isIP(host) !== 0;
  if (!literal && !host.split('.').every((label) => HOST_LABEL.test(label))) return `"${entry}" is not a valid host name`;
  if (star !== undefined && (literal || host.split('.').length < 2))
    return `"${entry}": a wildcard needs a domain of at least two labels (*.example.com)`;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65_535)) return `"${entry}": port out of range`;
  return { host, wildcard: star !== undefined, port: port === '443' ? undefined : port };
}

/** A comma-separated list of host patterns; empty and unset mean none. */
const HostList = z
  .string()
  .default('')
  .transform((value, ctx): HostPattern[] => {
    const patterns: HostPattern[] = [];
    for (const entry of value.split(',').filter((e) => e.trim() !== '')) {
      const parsed = parseHostPattern(entry);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
      else patterns.push(parsed);
    }
    return patterns;
  });

/** The environment variables of this policy: part of the webhook's and the worker's environment. */
const ReplyEnv = z.object({
  /** Extra Slack reply hosts besides hooks.slack.com, e.g. `hooks.slack-gov.com` (GovSlack). */
  JANITOR_SLACK_REPLY_HOSTS: HostList,
  /** Hosts the JSON webhook's `responseUrl` may name (https only); empty = none. */
  JANITOR_WEBHOOK_REPLY_HOSTS: HostList,
  /** Extra Teams Workflows hosts besides *.logic.azure.com and *.environment.api.powerplatform.com (sovereign clouds). */
  JANITOR_TEAMS_REPLY_HOSTS: HostList,
  /** Local stage only: allow loopback reply URLs (http or https). */
  JANITOR_ALLOW_LOOPBACK_REPLIES: envFlag,
});
type ReplyEnv = z.infer<typeof ReplyEnv>;

function replyPolicyOf(env: ReplyEnv): ReplyPolicy {
  const slackHost: HostPattern = { host: SLACK_REPLY_HOST, wildcard: false, port: undefined };
  const teamsHosts = TEAMS_WORKFLOW_HOSTS.map((host): HostPattern => ({ host, wildcard: true, port: undefined }));
  return {
    hosts: {
      slack: [slackHost, ...env.JANITOR_SLACK_REPLY_HOSTS],
      webhook: env.JANITOR_WEBHOOK_REPLY_HOSTS,
      teams: [...teamsHosts, ...env.JANITOR_TEAMS_REPLY_HOSTS],
    },
    allowLoopback: env.JANITOR_ALLOW_LOOPBACK_REPLIES,
  };
}

/**
 * @example
 * const policy = replyPolicyFromEnv(); // throws with the offending entry when an allowlist is malformed
 */
function replyPolicyFromEnv(env: NodeJS.ProcessEnv = process.env): ReplyPolicy {
  const parsed = ReplyEnv.safeParse(env);
  if (!parsed.success)
    throw new ReplyAllowlistError(
      `invalid reply-URL allowlist:\n${z.prettifyError(parsed.error)}`,
      zodIssues(parsed.error, '').map(({ path, message }) => ({ variable: path, message })),
    );
  return replyPolicyOf(parsed.data);
}

function replyKindOf(source: JobSource): ReplyKind {
  if (source === 'teams') return 'teams';
  return source === 'webhook' ? 'webhook' : 'slack';
}

function matches(pattern: HostPattern, host: string, port: string): boolean {
  if (pattern.port !== port && !(pattern.port === undefined && port === '')) return false;
  return pattern.wildcard ? host.endsWith(`.${pattern.host}`) : host === pattern.host;
}

/** `[::1]` → `::1`; a trailing dot dropped (`hooks.slack.com.` is the same host). */
function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '').replace(/\.$/, '');
}

function isLoopbackName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

const LOOPBACK_REFUSED = 'loopback reply URLs are allowed only on a local stage (JANITOR_ALLOW_LOOPBACK_REPLIES=true)';

function describeClass(kind: AddressClass): string {
  return kind === 'invalid' ? 'not a valid address' : `a ${kind} address`;
}

function allowedHostsText(policy: ReplyPolicy, kinds: readonly ReplyKind[]): string {
  const names = kinds
    .flatMap((k) => policy.hosts[k])
    .map((p) => `${p.wildcard ? '*.' : ''}${p.host}${p.port === undefined ? '' : `:${p.port}`}`);
  return names.length === 0 ? 'none are configured' : names.join(', ');
}

function hint(kinds: readonly ReplyKind[]): string {
  if (kinds.length !== 1) return 'JANITOR_SLACK_REPLY_HOSTS / JANITOR_WEBHOOK_REPLY_HOSTS / JANITOR_TEAMS_REPLY_HOSTS';
  if (kinds[0] === 'teams')
    return 'use the URL of a Teams Workflows webhook; sovereign-cloud hosts go in the teamsReplyHosts stage parameter';
  return kinds[0] === 'slack'
    ? 'add GovSlack or Enterprise Grid hosts with the slackReplyHosts stage parameter'
    : 'allow hosts with the webhookReplyHosts stage parameter';
}

/**
 * Checks a reply URL against the policy for one kind of front door, or for any of them (`kinds`
 * omitted: the worker's last check, which does not know where the job came from).
 *
 * @example
 * checkReplyUrl('https://hooks.slack.com/commands/T0/1/x', policy, ['slack']); // { ok: true, host: 'hooks.slack.com', … }
 * checkReplyUrl('http://169.254.169.254/latest', policy, ['webhook']);        // { ok: false, reason: 'http is not allowed …' }
 */
function checkReplyUrl(raw: string, policy: ReplyPolicy, kinds: readonly ReplyKind[] = REPLY_KINDS): ReplyVerdict {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, host: undefined, reason: 'not a URL' };
  }
  const host = bareHost(url);
  const refuse = (reason: string): ReplyVerdict => ({ ok: false, host, reason });
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return refuse(`${url.protocol.replace(/:$/, '')} URLs are not allowed (https only)`);
  if (url.username !== '' || url.password !== '') return refuse('a reply URL may not carry a user name or password');
  const literal = isIP(host) !== 0;
  const addressClass = literal ? classifyAddress(host) : undefined;
  if (addressClass === 'loopback' || (!literal && isLoopbackName(host))) {
    return policy.allowLoopback ? { ok: true, url, host, loopback: true } : refuse(LOOPBACK_REFUSED);
  }
  if (url.protocol !== 'https:') return refuse('http is not allowed (https only)');
  if (addressClass !== undefined && addressClass !== 'public') return refuse(`${host} is ${describeClass(addressClass)}`);
  if (kinds.includes('teams') && (host === RETIRED_TEAMS_HOST || host.endsWith(`.${RETIRED_TEAMS_HOST}`))) {
    return refuse(
      `${host} is an Office 365 connector (incoming webhook) host; connectors were retired: create a Workflows webhook instead`,
    );
  }
  if (!kinds.some((kind) => policy.hosts[kind].some((pattern) => matches(pattern, host, url.port)))) {
    return refuse(
      `${host}${url.port === '' ? '' : `:${url.port}`} is not an allowed reply host (allowed: ${allowedHostsText(policy, kinds)}; ${hint(kinds)})`,
    );
  }
  return { ok: true, url, host, loopback: false };
}

/**
 * Checks one address a reply host resolved to: public, or loopback under the local-stage flag. A
 * plain-http URL (only ever allowed for loopback) must stay on loopback.
 *
 * @example
 * checkReplyAddress('10.0.0.7', policy, 'https:'); // { ok: false, reason: '10.0.0.7 is a private address' }
 */
function checkReplyAddress(address: string, policy: ReplyPolicy, protocol: string): { ok: true } | { ok: false; reason: string } {
  const kind = classifyAddress(address);
  if (kind === 'loopback') return policy.allowLoopback ? { ok: true } : { ok: false, reason: LOOPBACK_REFUSED };
  if (kind !== 'public') return { ok: false, reason: `resolves to ${address}, ${describeClass(kind)}` };
  if (protocol !== 'https:') return { ok: false, reason: `an http reply URL resolves to ${address}, which is not loopback` };
  return { ok: true };
}

export {
  checkReplyUrl,
  checkReplyAddress,
  replyPolicyFromEnv,
  replyPolicyOf,
  replyKindOf,
  ReplyEnv,
  SLACK_REPLY_HOST,
  TEAMS_WORKFLOW_HOSTS,
  REPLY_KINDS,
};
export type { ReplyPolicy, ReplyVerdict, ReplyKind, HostPattern };
