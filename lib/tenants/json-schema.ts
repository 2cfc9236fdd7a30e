/**
 * The tenants file's JSON Schema, generated from the zod schema (as the policy's is); the committed
 * copy is schema/tenants.schema.json and a test checks it is current. Regenerate with
 *   npm run schema   (scripts/write-json-schemas.ts)
 */
import * as z from 'zod';
import { TenantsFile } from './schema.js';

function tenantsJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(TenantsFile, { io: 'input' });
}

/** The committed file's exact text: two-space JSON with a trailing newline. */
function tenantsJsonSchemaText(): string {
  return `${JSON.stringify(tenantsJsonSchema(), null, 2)}\n`;
}

export { tenantsJsonSchema, tenantsJsonSchemaText };
