/**
 * Reading a tenants file (YAML or JSON) is I/O at the edge: this is the one loader every front door
 * uses (the CLI's `--tenants FILE`, the state machine's handlers). Errors carry every issue, with
 * its path, before any service key is read or any API is called.
 */
import { readFile } from 'node:fs/promises';
import { parseTenantsText } from './text.js';
import * as z from 'zod';
import { TenantsFileError, UnknownTenantError } from './errors.js';
import { TenantsFile, type Tenant } from './schema.js';
import { errorMessage, errorCode, zodIssues } from '../util/errors.js';

/**
 * @example
 * const file = parseTenants('version: 1\ntenants:\n  - { name: acme, secretId: janitor/acme }\n', 'tenants.yaml');
 */
function parseTenants(text: string, source: string): TenantsFile {
  let raw: unknown;
  try {
    raw = parseTenantsText(text);
  } catch (error) {
    throw new TenantsFileError(`tenants file ${source} is not valid YAML/JSON: ${errorMessage(error)}`, source, [], { cause: error });
  }
  const parsed = TenantsFile.safeParse(raw);
  if (!parsed.success) {
    throw new TenantsFileError(
      `tenants file ${source} is invalid:\n${z.prettifyError(parsed.error)}`,
      source,
      zodIssues(parsed.error, '(file)'),
    );
  }
  return parsed.data;
}

async function loadTenantsFile(path: string): Promise<TenantsFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = errorCode(error) ?? 'unreadable';
    throw new TenantsFileError(
      code === 'ENOENT' ? `tenants file ${path} not found` : `cannot read tenants file ${path} (${code})`,
      path,
      [],
      {
        cause: error,
      },
    );
  }
  return parseTenants(text, path);
}

function findTenant(file: TenantsFile, name: string): Tenant {
  const tenant = file.tenants.find((t) => t.name === name);
  if (tenant === undefined)
    throw new UnknownTenantError(
      name,
      file.tenants.map((t) => t.name),
    );
  return tenant;
}

export { parseTenants, loadTenantsFile, findTenant, TenantsFileError, UnknownTenantError };
