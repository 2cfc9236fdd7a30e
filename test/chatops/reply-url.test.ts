/**
 * The reply-URL policy (pure, no DNS): https only, Slack's hosts for Slack and the stage's
 * allowlist for the JSON webhook, loopback only with the local-stage flag, IP literals only when
 * public, and allowlist entries validated where they are configured.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkReplyAddress, checkReplyUrl, replyPolicyFromEnv, type ReplyPolicy } from '../../lib/chatops/reply-url.js';

const policy = (env: Record<string, string> = {}): ReplyPolicy => replyPolicyFromEnv(env);
const STRICT = policy();
const LOCAL = policy({ JANITOR_ALLOW_LOOPBACK_REPLIES: 'true' });
const CONFIGURED = policy({
  JANITOR_SLACK_REPLY_HOSTS: 'hooks.slack-gov.com',
  JANITOR_WEBHOOK_REPLY_HOSTS: 'ci.example.com, *.hooks.example.org, alt.example.net:8443',
});

const ok = (url: string, p: ReplyPolicy, kinds?: ReadonlyArray<'slack' | 'webhook'>) => checkReplyUrl(url, p, kinds).ok;
const reason = (url: string, p: ReplyPolicy, kinds?: ReadonlyArray<'slack' | 'webhook'>) => {
  const verdict = checkReplyUrl(url, p, kinds);
  return verdict.ok ? 'ok' : verdict.reason;
};

describe('checkReplyUrl', () => {
  describe('Slack replies', () => {
    it('allows https on hooks.slack.com (commands and actions) and nothing else by default', () => {
      expect(ok('https://hooks.slack.com/commands/T0/1/abc', STRICT, ['slack'])).toBe(true);
      expect(ok('https://hooks.slack.com/actions/T0/1/abc', STRICT, ['slack'])).toBe(true);
      expect(ok('https://HOOKS.Slack.com./commands/T0/1/abc', STRICT, ['slack'])).toBe(true);
      expect(reason('https://hooks.slack-gov.com/commands/T0/1/abc', STRICT, ['slack'])).toMatch(
        /hooks\.slack-gov\.com is not an allowed reply host \(allowed: hooks\.slack\.com; add GovSlack/,
      );
      expect(ok('https://evil.example/commands/T0/1/abc', STRICT, ['slack'])).toBe(false);
    });

    it('adds the hosts of JANITOR_SLACK_REPLY_HOSTS (GovSlack, Enterprise Grid)', () => {
      expect(ok('https://hooks.slack-gov.com/commands/T0/1/abc', CONFIGURED, ['slack'])).toBe(true);
      expect(ok('https://ci.example.com/reply', CONFIGURED, ['slack'])).toBe(false); // a webhook host is not a Slack host
    });

    it('refuses lookalikes: other ports, user info, suffixes and prefixes of the host', () => {
      for (const url of [
        'http://hooks.slack.com/commands/T0/1/abc',
        'https://hooks.slack.com:8443/commands/T0/1/abc',
        'https://user:pass@hooks.slack.com/commands/T0/1/abc',
        'https://hooks.slack.com.evil.example/commands',
        'https://evilhooks.slack.com/commands',
        'https://xhooks.slack.com/commands',
        'https://hooks.slack.com@evil.example/commands',
      ])
        expect(ok(url, STRICT, ['slack']), url).toBe(false);
      expect(ok('https://hooks.slack.com:443/commands/T0/1/abc', STRICT, ['slack'])).toBe(true); // 443 is the default port
    });
  });

  describe('JSON webhook replies', () => {
    it('allows nothing until the stage allowlists a host', () => {
      expect(reason('https://ci.example.com/reply', STRICT, ['webhook'])).toMatch(
        /not an allowed reply host \(allowed: none are configured; allow hosts with the webhookReplyHosts stage parameter\)/,
      );
      expect(ok('https://hooks.slack.com/commands/T0/1/abc', STRICT, ['webhook'])).toBe(false);
    });

    it('matches exact hosts, `*.` subdomains (not the apex) and explicit ports', () => {
      expect(ok('https://ci.example.com/janitor/reply?x=1', CONFIGURED, ['webhook'])).toBe(true);
      expect(ok('https://a.hooks.example.org/r', CONFIGURED, ['webhook'])).toBe(true);
      expect(ok('https://a.b.hooks.example.org/r', CONFIGURED, ['webhook'])).toBe(true);
      expect(ok('https://hooks.example.org/r', CONFIGURED, ['webhook'])).toBe(false);
      expect(ok('https://alt.example.net:8443/r', CONFIGURED, ['webhook'])).toBe(true);
      expect(ok('https://alt.example.net/r', CONFIGURED, ['webhook'])).toBe(false);
      expect(ok('https://ci.example.com:8443/r', CONFIGURED, ['webhook'])).toBe(false);
      expect(ok('http://ci.example.com/r', CONFIGURED, ['webhook'])).toBe(false);
    });
  });

  describe('loopback and other non-public hosts', () => {
    const LOOPBACK = [
      'http://127.0.0.1:9/response',
      'https://127.0.0.1/r',
      'http://127.1.2.3:80/r',
      'http://[::1]:9000/r',
      'http://localhost:3000/r',
      'http://[::ffff:127.0.0.1]/r',
      'http://2130706433/r',
      'http://0x7f.1/r',
    ];

    it('refuses loopback without the local-stage flag, saying which flag allows it', () => {
      for (const url of LOOPBACK)
        expect(reason(url, STRICT), url).toBe(
          'loopback reply URLs are allowed only on a local stage (JANITOR_ALLOW_LOOPBACK_REPLIES=true)',
        );
      // An allowlist entry does not make loopback acceptable either.
      expect(ok('https://127.0.0.1/r', policy({ JANITOR_WEBHOOK_REPLY_HOSTS: '127.0.0.1' }), ['webhook'])).toBe(false);
    });

    it('allows loopback, over http or https and for either front door, with the flag', () => {
      for (const url of LOOPBACK) {
        expect(checkReplyUrl(url, LOCAL, ['slack']), url).toMatchObject({ ok: true, loopback: true });
        expect(ok(url, LOCAL, ['webhook']), url).toBe(true);
      }
    });

    it('refuses private, link-local (the metadata address), CGNAT and unique-local literals, flag or not', () => {
      for (const p of [STRICT, LOCAL, policy({ JANITOR_WEBHOOK_REPLY_HOSTS: '10.0.0.1,169.254.169.254' })]) {
        for (const url of [
          'https://169.254.169.254/latest/meta-data/',
          'https://10.0.0.1/r',
          'https://100.64.0.1/r',
          'https://[fd00:ec2::254]/r',
          'https://[fe80::1]/r',
          'https://0.0.0.0/r',
          'https://[::ffff:169.254.169.254]/r',
          'https://224.0.0.1/r',
        ]) {
          expect(ok(url, p), url).toBe(false);
        }
      }
      expect(reason('https://169.254.169.254/latest/meta-data/', LOCAL)).toBe('169.254.169.254 is a link-local address');
      expect(reason('http://169.254.169.254/latest/meta-data/', STRICT)).toBe('http is not allowed (https only)');
    });

    it('property: no IP literal in a private or link-local range is ever accepted', () => {
      const octet = fc.integer({ min: 0, max: 255 });
      const privateIp = fc.oneof(
        fc.tuple(octet, octet, octet).map(([b, c, d]) => `10.${b}.${c}.${d}`),
        fc.tuple(fc.integer({ min: 16, max: 31 }), octet, octet).map(([b, c, d]) => `172.${b}.${c}.${d}`),
        fc.tuple(octet, octet).map(([c, d]) => `192.168.${c}.${d}`),
        fc.tuple(octet, octet).map(([c, d]) => `169.254.${c}.${d}`),
        fc.tuple(fc.integer({ min: 64, max: 127 }), octet, octet).map(([b, c, d]) => `100.${b}.${c}.${d}`),
      );
      fc.assert(
        fc.property(privateIp, fc.constantFrom('http', 'https'), fc.boolean(), (ip, scheme, mapped) => {
          const host = mapped ? `[::ffff:${ip}]` : ip;
          expect(ok(`${scheme}://${host}/r`, policy({ JANITOR_ALLOW_LOOPBACK_REPLIES: 'true', JANITOR_WEBHOOK_REPLY_HOSTS: ip }))).toBe(
            false,
          );
        }),
      );
    });
  });

  it('refuses other schemes and what is not a URL', () => {
    expect(reason('file:///etc/passwd', LOCAL)).toBe('file URLs are not allowed (https only)');
    expect(reason('ftp://hooks.slack.com/x', LOCAL)).toBe('ftp URLs are not allowed (https only)');
    expect(reason('not a url', LOCAL)).toBe('not a URL');
  });

  it('names only the host in its refusal, never the path (a response URL is a capability)', () => {
    const verdict = checkReplyUrl('https://evil.example/commands/T0/1/s3cr3t-token', STRICT, ['slack']);
    expect(verdict).toMatchObject({ ok: false, host: 'evil.example' });
    expect(JSON.stringify(verdict)).not.toContain('s3cr3t-token');
  });
});

describe('checkReplyAddress', () => {
  it('accepts public addresses over https, loopback only with the flag, and keeps http on loopback', () => {
    expect(checkReplyAddress('3.5.140.2', STRICT, 'https:')).toEqual({ ok: true });
    expect(checkReplyAddress('127.0.0.1', STRICT, 'https:').ok).toBe(false);
    expect(checkReplyAddress('127.0.0.1', LOCAL, 'http:')).toEqual({ ok: true });
    expect(checkReplyAddress('::ffff:127.0.0.1', LOCAL, 'http:')).toEqual({ ok: true });
    expect(checkReplyAddress('3.5.140.2', LOCAL, 'http:')).toEqual({
      ok: false,
      reason: 'an http reply URL resolves to 3.5.140.2, which is not loopback',
    });
    expect(checkReplyAddress('169.254.169.254', LOCAL, 'https:')).toEqual({
      ok: false,
      reason: 'resolves to 169.254.169.254, a link-local address',
    });
  });
});

describe('replyPolicyFromEnv', () => {
  it('always includes hooks.slack.com, and refuses malformed allowlist entries with the entry', () => {
    expect(STRICT.hosts.slack).toEqual([{ host: 'hooks.slack.com', wildcard: false, port: undefined }]);
    expect(STRICT.hosts.webhook).toEqual([]);
    expect(STRICT.allowLoopback).toBe(false);
    for (const bad of ['https://ci.example.com', 'ci.example.com/path', '*', '*.com', 'ex ample.com', 'host:99999', '*.10.0.0.1']) {
      expect(() => replyPolicyFromEnv({ JANITOR_WEBHOOK_REPLY_HOSTS: bad }), bad).toThrow(/invalid reply-URL allowlist/);
    }
    expect(() => replyPolicyFromEnv({ JANITOR_ALLOW_LOOPBACK_REPLIES: 'yes' })).toThrow(/JANITOR_ALLOW_LOOPBACK_REPLIES/);
  });
});
