/**
 * X.509 service keys: the token comes from `{certurl}/oauth/token` over mutual TLS. A loopback
 * HTTPS server that demands a client certificate signed by its CA stands in for XSUAA.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenSource } from '../../lib/aicore/token.js';
import { Transport } from '../../lib/aicore/transport.js';
import { ServiceKey } from '../../lib/aicore/wire.js';

let dir: string;
let server: Server;
let certurl: string;
const pem = { ca: '', serverCert: '', serverKey: '', clientCert: '', clientKey: '' };
const seenClients: string[] = [];

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'janitor-mtls-'));
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '1', '-subj', '/CN=test-ca');
  for (const [name, subject, ext] of [
    ['server', '/CN=localhost', 'subjectAltName=IP:127.0.0.1'],
    ['client', '/CN=sb-janitor-client', 'extendedKeyUsage=clientAuth'],
  ] as const) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    writeFileSync(join(dir, `${name}.ext`), `${ext}\n`);
    openssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '1',
      '-extfile',
      `${name}.ext`,
    );
  }
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'rogue.key', '-out', 'rogue.pem', '-days', '1', '-subj', '/CN=rogue');
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  Object.assign(pem, {
    ca: read('ca.pem'),
    serverCert: read('server.pem'),
    serverKey: read('server.key'),
    clientCert: read('client.pem'),
    clientKey: read('client.key'),
  });

  server = createServer(
    { key: pem.serverKey, cert: pem.serverCert, ca: pem.ca, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      seenClients.push(String(peer.subject.CN));
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const ok =
          req.method === 'POST' &&
          req.url === '/oauth/token' &&
          form.get('grant_type') === 'client_credentials' &&
          form.get('client_id') === 'sb-janitor';
        res.writeHead(ok ? 200 : 400, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify(ok ? { access_token: 'eyJ.mtls.token', expires_in: 3600, token_type: 'bearer' } : { error: 'invalid_request' }),
        );
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  certurl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function x509Key(cert: string, key: string) {
  return ServiceKey.parse({
    clientid: 'sb-janitor',
    certificate: cert,
    key,
    certurl,
    serviceurls: { AI_API_URL: 'https://api.example.invalid' },
  });
}

describe('X.509 service key', () => {
  it('obtains a token over mutual TLS, presenting the key’s certificate', async () => {
    const tokens = new TokenSource(x509Key(pem.clientCert, pem.clientKey), new Transport({ maxAttempts: 1 }), pem.ca);
    expect(await tokens.token()).toBe('eyJ.mtls.token');
    expect(seenClients).toContain('sb-janitor-client');
  });

  it('fails, without retrying forever, when the server rejects the certificate', async () => {
    const rogue = x509Key(readFileSync(join(dir, 'rogue.pem'), 'utf8'), readFileSync(join(dir, 'rogue.key'), 'utf8'));
    const tokens = new TokenSource(rogue, new Transport({ maxAttempts: 2, baseDelayMs: 1 }), pem.ca);
    await expect(tokens.token()).rejects.toThrow(/obtain OAuth token/);
  });
});
