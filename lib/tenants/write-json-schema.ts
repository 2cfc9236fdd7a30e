/**
 * Regenerates schema/tenants.schema.json from the zod schema:
 *   npx tsx lib/tenants/write-json-schema.ts
 * (Nothing imports this file.)
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tenantsJsonSchemaText } from './json-schema.js';

const target = fileURLToPath(new URL('../../schema/tenants.schema.json', import.meta.url));
writeFileSync(target, tenantsJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
