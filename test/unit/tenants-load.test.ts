/** The tenants file's loader: every way a file can be wrong is a TenantsFileError naming the file, never a raw error. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findTenant, loadTenantsFile, parseTenants, TenantsError, TenantsFileError, UnknownTenantError } from '../../lib/tenants/index.js';

const dir = mkdtempSync(join(tmpdir(), 'janitor-tenants-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VALID = 'version: 1\ntenants:\n  - { name: acme, secretId: janitor/acme }\n  - { name: globex, secretId: janitor/globex }\n';

describe('loadTenantsFile', () => {
  it('reads and validates a file', async () => {
    const path = join(dir, 'tenants.yaml');
    writeFileSync(path, VALID);
    expect((await loadTenantsFile(path)).tenants.map((t) => t.name)).toEqual(['acme', 'globex']);
  });

  it('a missing file is "not found", with the path', async () => {
    const missing = join(dir, 'nope.yaml');
    const error = await loadTenantsFile(missing).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TenantsFileError);
    expect(error).toMatchObject({ source: missing, message: `tenants file ${missing} not found` });
  });

  it('a directory is unreadable, with the system code', async () => {
    await expect(loadTenantsFile(dir)).rejects.toThrow(/cannot read tenants file .* \(EISDIR\)/);
  });
});

describe('parseTenants', () => {
  it('text that is not YAML/JSON is a TenantsFileError with the parser message as its cause', () => {
    const error = (() => {
      try {
        return parseTenants('tenants: [unclosed', 'bad.yaml');
      } catch (e: unknown) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(TenantsFileError);
    expect(error).toBeInstanceOf(TenantsError);
    expect((error as TenantsFileError).message).toMatch(/^tenants file bad.yaml is not valid YAML\/JSON: /);
    expect((error as TenantsFileError).cause).toBeDefined();
  });

  it('a file that does not validate lists each issue by path', () => {
    try {
      parseTenants('version: 1\ntenants:\n  - { name: acme }\n', 'short.yaml');
      expect.unreachable('must throw');
    } catch (error: unknown) {
      expect(error).toBeInstanceOf(TenantsFileError);
      expect((error as TenantsFileError).issues).toContainEqual(expect.objectContaining({ path: 'tenants.0.secretId' }));
    }
  });
});

describe('findTenant', () => {
  const file = parseTenants(VALID, 'tenants.yaml');

  it('finds a tenant by name', () => {
    expect(findTenant(file, 'globex').secretId).toBe('janitor/globex');
  });

  it('an unknown name is an UnknownTenantError listing the known ones', () => {
    expect(() => findTenant(file, 'initech')).toThrow(UnknownTenantError);
    expect(() => findTenant(file, 'initech')).toThrow("no tenant 'initech' in the tenants file (tenants: acme, globex)");
  });
});
