/**
 * Regenerates schema/policy.schema.json from the zod schema:
 *   npx tsx lib/policy/write-json-schema.ts
 * (This file is the only one in lib/policy that does I/O; nothing imports it.)
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { policyJsonSchemaText } from './json-schema.js';

const target = fileURLToPath(new URL('../../schema/policy.schema.json', import.meta.url));
writeFileSync(target, policyJsonSchemaText());
process.stdout.write(`wrote ${target}\n`);
