/**
 * Regenerates the committed JSON Schemas from their zod schemas (the builders in lib/ stay pure;
 * the writing is done here):
 *   npm run schema          (or: npx tsx scripts/write-json-schemas.ts)
 * writes schema/policy.schema.json and schema/tenants.schema.json. Tests check both are current.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { policyJsonSchemaText } from '../lib/policy/json-schema.js';
import { tenantsJsonSchemaText } from '../lib/tenants/json-schema.js';

const SCHEMAS = [
  ['policy.schema.json', policyJsonSchemaText],
  ['tenants.schema.json', tenantsJsonSchemaText],
] as const;

for (const [file, text] of SCHEMAS) {
  const target = fileURLToPath(new URL(`../schema/${file}`, import.meta.url));
  writeFileSync(target, text());
  process.stdout.write(`wrote ${target}\n`);
}
