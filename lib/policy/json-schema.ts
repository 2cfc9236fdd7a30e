/**
 * The policy's JSON Schema, generated from the zod schema so the two can never drift: editors use it
 * for completion and validation (`$schema: ../schema/policy.schema.json` or a yaml-language-server
 * comment). The committed copy is schema/policy.schema.json (written by `npm run schema`); a test checks it is current.
 */
import * as z from 'zod';
import { Policy } from './schema.js';

/**
 * The JSON Schema (draft 2020-12) of a policy file, as written by hand (defaults optional).
 *
 * @example
 * const schema = policyJsonSchema();
 * schema.$defs; // { Condition: { anyOf: [...] } }, one entry per registered condition kind
 */
function policyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(Policy, { io: 'input' });
}

/** The committed file's exact text: two-space JSON with a trailing newline (scripts/write-json-schemas.ts writes it). */
function policyJsonSchemaText(): string {
  return `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
}

export { policyJsonSchema, policyJsonSchemaText };
