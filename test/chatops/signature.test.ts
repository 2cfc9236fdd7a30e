import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  SIGNATURE_WINDOW_SECONDS,
  slackSignature,
  unixSeconds,
  verifySlackRequest,
  verifyWebhookRequest,
  webhookSignature,
} from '../../lib/chatops/signature.js';

const NOW = new Date('2026-11-23T12:00:00Z');
const ts = unixSeconds(NOW);
const bytes = (text: string) => new TextEncoder().encode(text);

describe('Slack request signatures (v0)', () => {
  it('matches Slack’s documented example', () => {
    // https://api.slack.com/authentication/verifying-requests-from-slack (the worked example)
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(slackSignature('8f742231b10e8888abcd99yyyzzz85a5', '1531420618', body)).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });

  it('verifies what it signed, for any body and secret', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), (secret, body) => {
        expect(
          verifySlackRequest({ secret, timestamp: ts, signature: slackSignature(secret, ts, body), body: bytes(body), now: NOW }),
        ).toEqual({ ok: true });
      }),
    );
  });

  it('refuses any changed body, any other secret', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), fc.string({ minLength: 1 }), (secret, body, extra) => {
        const signature = slackSignature(secret, ts, body);
        expect(verifySlackRequest({ secret, timestamp: ts, signature, body: bytes(body + extra), now: NOW }).ok).toBe(false);
        expect(verifySlackRequest({ secret: `${secret}${extra}`, timestamp: ts, signature, body: bytes(body), now: NOW }).ok).toBe(false);
      }),
    );
  });

  it('accepts timestamps within ±300 s and refuses the rest', () => {
    fc.assert(
      fc.property(fc.integer({ min: -3600, max: 3600 }), (skew) => {
        const t = String(Number(ts) + skew);
        const verdict = verifySlackRequest({
          secret: 's',
          timestamp: t,
          signature: slackSignature('s', t, 'b'),
          body: bytes('b'),
          now: NOW,
        });
        expect(verdict.ok).toBe(Math.abs(skew) <= SIGNATURE_WINDOW_SECONDS);
      }),
    );
  });

  it.each([
    ['no timestamp', undefined, 'v0=00'],
    ['a non-numeric timestamp', '12e9', 'v0=00'],
    ['no signature', ts, undefined],
    ['another scheme', ts, `v1=${'0'.repeat(64)}`],
  ])('refuses %s', (_name, timestamp, signature) => {
    expect(verifySlackRequest({ secret: 's', timestamp, signature, body: bytes('b'), now: NOW }).ok).toBe(false);
  });

  it('signs over the body’s bytes: a base64-decoded body verifies like the text', () => {
    const body = 'text=caf%C3%A9 ☕';
    const signature = slackSignature('s', ts, body);
    expect(
      verifySlackRequest({
        secret: 's',
        timestamp: ts,
        signature,
        body: Buffer.from(Buffer.from(body).toString('base64'), 'base64'),
        now: NOW,
      }).ok,
    ).toBe(true);
  });
});

describe('generic webhook signatures (sha256=)', () => {
  it('verifies `{timestamp}.{body}` and is not interchangeable with Slack’s', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string(), (secret, body) => {
        const signature = webhookSignature(secret, ts, body);
        expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
        expect(verifyWebhookRequest({ secret, timestamp: ts, signature, body: bytes(body), now: NOW }).ok).toBe(true);
        expect(verifySlackRequest({ secret, timestamp: ts, signature, body: bytes(body), now: NOW }).ok).toBe(false);
        expect(
          verifyWebhookRequest({ secret, timestamp: ts, signature: slackSignature(secret, ts, body), body: bytes(body), now: NOW }).ok,
        ).toBe(false);
      }),
    );
  });

  it('refuses a stale timestamp', () => {
    const old = String(Number(ts) - 301);
    expect(
      verifyWebhookRequest({ secret: 's', timestamp: old, signature: webhookSignature('s', old, '{}'), body: bytes('{}'), now: NOW }),
    ).toEqual({ ok: false, reason: expect.stringContaining('window') });
  });
});
