/**
 * The pinned-connection poster against receivers on loopback, with an injected resolver (no test
 * here sends a DNS query or any traffic off loopback): the request goes to the address that was
 * checked, TLS still verifies the host name, refused addresses are never connected to, redirects
 * are not followed, and no log line carries the URL's path.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { responsePoster, type Resolve, type ResolvedAddress } from '../../functions/adapters/response-url.js';
import { toBlockKit } from '../../lib/chatops/slack-render.js';
import { helpMessage } from '../../lib/chatops/messages.js';
import { replyPolicyFromEnv } from '../../lib/chatops/reply-url.js';

const message = toBlockKit(helpMessage());
const LOCAL = replyPolicyFromEnv({ JANITOR_ALLOW_LOOPBACK_REPLIES: 'true' });
const STRICT = replyPolicyFromEnv({});
/** The part of a response URL that is a secret capability: it must never reach a log line. */
const CAPABILITY = 'T0LOCAL/1234/s3cr3tCapabilityToken';

interface Seen {
  host: string | undefined;
  path: string | undefined;
  localAddress: string | undefined;
  servername: string | false | undefined;
  body: string;
}

interface Receiver {
  port: number;
  seen: Seen[];
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

async function listen(server: Server, address: string, seen: Seen[]): Promise<Receiver> {
  await new Promise<void>((resolve) => server.listen(0, address, resolve));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        (server as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

function recording(seen: Seen[], answer: Handler): Handler {
  return (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const socket = req.socket as TLSSocket & { servername?: string | false };
      seen.push({
        host: req.headers.host,
        path: req.url,
        localAddress: req.socket.localAddress,
        servername: socket.servername,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      answer(req, res);
    });
  };
}

const okAnswer: Handler = (_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');

function httpReceiver(address = '127.0.0.1', answer: Handler = okAnswer): Promise<Receiver> {
  const seen: Seen[] = [];
  return listen(createHttpServer(recording(seen, answer)), address, seen);
}

/** A resolver that answers from a table and records every name it was asked for. */
function fakeResolver(table: Record<string, readonly ResolvedAddress[]>): { resolve: Resolve; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    resolve: (name) => {
      asked.push(name);
      const found = table[name];
      return found === undefined
        ? Promise.reject(Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' }))
        : Promise.resolve(found);
    },
  };
}

/** What the poster logs (level, message, fields), recorded instead of written. */
const logged = vi.hoisted((): unknown[] => []);
vi.mock('../../functions/adapters/log.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../functions/adapters/log.js')>();
  return {
    ...actual,
    log: (level: string, text: string, fields: Record<string, unknown> = {}) => void logged.push({ level, message: text, ...fields }),
  };
});

/** Every log entry written while `run` runs, as JSON text. */
async function captureLogs(run: () => Promise<void>): Promise<string> {
  logged.length = 0;
  await run();
  return JSON.stringify(logged);
}

const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});
async function track(receiver: Promise<Receiver>): Promise<Receiver> {
  const r = await receiver;
  receivers.push(r);
  return r;
}

describe('responsePoster: the connection goes to the checked address', () => {
  it('resolves the host once and connects to exactly that address (a receiver on 127.0.0.2 only)', async () => {
    const receiver = await track(httpReceiver('127.0.0.2'));
    const { resolve, asked } = fakeResolver({ localhost: [{ address: '127.0.0.2', family: 4 }] });
    const post = responsePoster({ policy: LOCAL, resolve });
    expect(await post(`http://localhost:${receiver.port}/${CAPABILITY}`, message)).toBe(true);
    expect(asked).toEqual(['localhost']);
    expect(receiver.seen).toEqual([
      {
        host: `localhost:${receiver.port}`,
        path: `/${CAPABILITY}`,
        localAddress: '127.0.0.2',
        servername: undefined,
        body: JSON.stringify(message),
      },
    ]);
  });

  it('asks no resolver for an IP-literal host', async () => {
    const receiver = await track(httpReceiver());
    const { resolve, asked } = fakeResolver({});
    expect(await responsePoster({ policy: LOCAL, resolve })(`http://127.0.0.1:${receiver.port}/r`, message)).toBe(true);
    expect(asked).toEqual([]);
    expect(receiver.seen).toHaveLength(1);
  });

  it.each([
    ['a private address', [{ address: '10.0.0.7', family: 4 }]],
    ['the metadata address', [{ address: '169.254.169.254', family: 4 }]],
    ['an IPv4-mapped link-local address', [{ address: '::ffff:169.254.169.254', family: 6 }]],
    ['a unique-local IPv6 address', [{ address: 'fd00:ec2::254', family: 6 }]],
    [
      'a public and a private address (every answer must pass)',
      [
        { address: '3.5.140.2', family: 4 },
        { address: '192.168.1.1', family: 4 },
      ],
    ],
    ['no address at all', []],
  ] as const)('refuses a host that resolves to %s, and connects to nothing', async (_name, addresses) => {
    const { resolve } = fakeResolver({ 'hooks.slack.com': addresses });
    const logs = await captureLogs(async () => {
      expect(await responsePoster({ policy: LOCAL, resolve })(`https://hooks.slack.com/commands/${CAPABILITY}`, message)).toBe(false);
    });
    expect(logs).toContain('refused to post to the reply URL');
    expect(logs).toContain('hooks.slack.com');
    expect(logs).not.toContain(CAPABILITY);
  });

  it('refuses loopback without the local-stage flag, also when a Slack host resolves to it', async () => {
    const receiver = await track(httpReceiver());
    const { resolve } = fakeResolver({ 'hooks.slack.com': [{ address: '127.0.0.1', family: 4 }] });
    const post = responsePoster({ policy: STRICT, resolve });
    expect(await post(`http://127.0.0.1:${receiver.port}/r`, message)).toBe(false);
    expect(await post(`https://hooks.slack.com:${receiver.port}/r`, message)).toBe(false);
    expect(receiver.seen).toEqual([]);
  });

  it('checks the URL again before posting: hosts outside the allowlist and the wrong front door are refused', async () => {
    const { resolve, asked } = fakeResolver({ 'evil.example': [{ address: '3.5.140.2', family: 4 }] });
    const post = responsePoster({ policy: LOCAL, resolve });
    expect(await post('https://evil.example/r', message)).toBe(false);
    expect(await post(`https://hooks.slack.com/commands/${CAPABILITY}`, message, 'webhook')).toBe(false);
    expect(await post('file:///etc/passwd', message)).toBe(false);
    expect(asked).toEqual([]);
  });
});

describe('responsePoster: answers', () => {
  it('does not follow a redirect: a 3xx is a failed post, logged with the host and status only', async () => {
    const target = await track(httpReceiver());
    const redirecting = await track(
      httpReceiver('127.0.0.1', (_req, res) => res.writeHead(302, { location: `http://127.0.0.1:${target.port}/elsewhere` }).end()),
    );
    const logs = await captureLogs(async () => {
      expect(await responsePoster({ policy: LOCAL })(`http://127.0.0.1:${redirecting.port}/${CAPABILITY}`, message)).toBe(false);
    });
    expect(redirecting.seen).toHaveLength(1);
    expect(target.seen).toEqual([]);
    expect(logs).toContain('redirect; not followed');
    expect(logs).toContain('"status":302');
    expect(logs).toContain('"host":"127.0.0.1"');
    expect(logs).not.toContain(CAPABILITY);
  });

  it('gives up on an answer that never ends (timeout), without hanging', async () => {
    const receiver = await track(
      httpReceiver('127.0.0.1', (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('o');
      }),
    );
    const started = Date.now();
    expect(await responsePoster({ policy: LOCAL, timeoutMs: 150 })(`http://127.0.0.1:${receiver.port}/r`, message)).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('logs a refusal (4xx) with the host and Slack’s answer, never the URL', async () => {
    const receiver = await track(httpReceiver('127.0.0.1', (_req, res) => res.writeHead(404).end('expired_url')));
    const logs = await captureLogs(async () => {
      expect(await responsePoster({ policy: LOCAL })(`http://127.0.0.1:${receiver.port}/${CAPABILITY}`, message)).toBe(false);
    });
    expect(logs).toContain('expired_url');
    expect(logs).not.toContain(CAPABILITY);
  });
});

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!hasOpenssl())('responsePoster over TLS to a pinned address', () => {
  let dir: string;
  let cert: string;
  let key: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'janitor-tls-'));
    // A throwaway self-signed certificate for hooks.slack.com, trusted only by the poster under test.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=hooks.slack.com',
        '-addext',
        'subjectAltName=DNS:hooks.slack.com',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    key = readFileSync(join(dir, 'key.pem'), 'utf8');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function tlsReceiver(): Promise<Receiver> {
    const seen: Seen[] = [];
    return track(listen(createHttpsServer({ cert, key }, recording(seen, okAnswer)), '127.0.0.1', seen));
  }

  it('connects to the checked address while SNI, Host and the certificate check use the host name', async () => {
    const receiver = await tlsReceiver();
    const { resolve, asked } = fakeResolver({ 'hooks.slack.com': [{ address: '127.0.0.1', family: 4 }] });
    const policy = replyPolicyFromEnv({
      JANITOR_ALLOW_LOOPBACK_REPLIES: 'true',
      JANITOR_SLACK_REPLY_HOSTS: `hooks.slack.com:${receiver.port}`,
    });
    const post = responsePoster({ policy, resolve, ca: cert });
    expect(await post(`https://hooks.slack.com:${receiver.port}/commands/${CAPABILITY}`, message, 'slack-command')).toBe(true);
    expect(asked).toEqual(['hooks.slack.com']);
    expect(receiver.seen).toMatchObject([
      {
        host: `hooks.slack.com:${receiver.port}`,
        path: `/commands/${CAPABILITY}`,
        localAddress: '127.0.0.1',
        servername: 'hooks.slack.com',
      },
    ]);
  });

  it('fails (and says why) when the certificate does not match the host name', async () => {
    const receiver = await tlsReceiver();
    const { resolve } = fakeResolver({ 'ci.example.com': [{ address: '127.0.0.1', family: 4 }] });
    const policy = replyPolicyFromEnv({
      JANITOR_ALLOW_LOOPBACK_REPLIES: 'true',
      JANITOR_WEBHOOK_REPLY_HOSTS: `ci.example.com:${receiver.port}`,
    });
    const logs = await captureLogs(async () => {
      expect(
        await responsePoster({ policy, resolve, ca: cert })(`https://ci.example.com:${receiver.port}/${CAPABILITY}`, message, 'webhook'),
      ).toBe(false);
    });
    expect(receiver.seen).toEqual([]);
    expect(logs).toContain('could not post to the reply URL');
    expect(logs).not.toContain(CAPABILITY);
  });
});
