/**
 * Derives the AI API contract from SAP's official OpenAPI spec (AI_CORE_API.yaml, v2.42.0): its
 * structure only — paths, operations, parameters, schemas, enums, patterns — without SAP's prose
 * (descriptions, summaries, titles, examples, x-* notes). The result is committed as
 * infra/ai-api/contract.json: the simulator validates requests with it and the contract tests
 * validate against it in every clone. scripts/check-contract-drift.ts re-derives it in CI and
 * fails on any difference.
 *
 * Usage: npm run contract:derive [-- path/to/AI_CORE_API.yaml]
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { contractPath } from '../infra/local/simulator/contract.js';
import { runWhenExecuted } from './script-main.js';

/** Where the team keeps its copy of the official spec (it may not be committed: it carries SAP's prose). */
const DEFAULT_SPEC = '../shared/ai-api/AI_CORE_API.yaml';

/** Annotation keywords: prose or samples, never structure. */
const ANNOTATIONS = new Set([
  'description',
  'summary',
  'title',
  'example',
  'examples',
  'externalDocs',
  'termsOfService',
  'contact',
  'tags',
]);

/** Objects whose keys are names chosen by the spec's authors (a property called `description` is structure). */
const NAME_MAPS = new Set([
  'properties',
  'paths',
  'schemas',
  'parameters',
  'responses',
  'requestBodies',
  'headers',
  'securitySchemes',
  'content',
  'variables',
  'scopes',
  'mapping',
  'encoding',
  'links',
  'callbacks',
  'patternProperties',
]);

function strip(value: unknown, keysAreNames: boolean): unknown {
  if (Array.isArray(value)) return value.map((v) => strip(v, false));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (!keysAreNames && (ANNOTATIONS.has(key) || key.startsWith('x-'))) continue;
    // A parameters *list* (in an operation) holds parameter objects, not names.
    out[key] = strip(child, !keysAreNames && NAME_MAPS.has(key) && !Array.isArray(child));
  }
  return out;
}

function deriveContract(specText: string): Record<string, unknown> {
  const spec = parse(specText) as Record<string, unknown>;
  const derived = strip(spec, false) as Record<string, unknown>;
  const info = (spec.info ?? {}) as Record<string, unknown>;
  return {
    ...derived,
    info: {
      version: info.version,
      license: info.license,
      derivedFrom: 'SAP/ai-sdk-js packages/ai-api/src/spec/AI_CORE_API.yaml (structure only; see scripts/derive-ai-api-contract.ts)',
    },
  };
}

function contractJson(specText: string): string {
  return `${JSON.stringify(deriveContract(specText), null, 1)}\n`;
}

async function main(argv: string[]): Promise<number> {
  const specPath = argv[0] ?? DEFAULT_SPEC;
  const target = contractPath();
  writeFileSync(target, contractJson(readFileSync(specPath, 'utf8')));
  process.stdout.write(`wrote ${target} from ${specPath}\n`);
  return 0;
}

runWhenExecuted(import.meta.url, main);

export { contractJson, deriveContract, DEFAULT_SPEC };
