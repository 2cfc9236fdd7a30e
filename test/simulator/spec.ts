/**
 * The AI API contract (OpenAPI 3.0) as ajv validators, for contract tests: by default the committed
 * infra/ai-api/contract.json, derived (structure only) from SAP's official
 * AI_CORE_API.yaml by scripts/derive-ai-api-contract.ts; `$AI_CORE_API_SPEC` (relative to the
 * repository root) points the tests at another copy, e.g. the official YAML itself.
 *
 * Ajv is configured for OpenAPI 3.0 instead of editing the spec: the spec's annotation keywords
 * (`example`, `x-*`) are declared, `format: path` (a file path, nothing ajv can check) is accepted,
 * `nullable` is ajv's own OpenAPI keyword, and `strictTypes` is off because the spec legally uses
 * `required`/`properties` without `type: object`. Everything else stays strict, so a typo in a
 * schema name or a broken `$ref` fails loudly.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import { parse } from 'yaml';
import * as z from 'zod';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SPEC_PATH = resolve(REPO_ROOT, process.env.AI_CORE_API_SPEC ?? 'infra/ai-api/contract.json');
const DOC_ID = 'ai-core-api';

const Parameter = z.looseObject({ name: z.string(), in: z.string(), schema: z.record(z.string(), z.unknown()) });
type Parameter = z.infer<typeof Parameter>;
/** A parameter or a `$ref` to one; resolved by `parameters()`. */
const ParameterRef = z.looseObject({ $ref: z.string().optional() });

const Operation = z.looseObject({
  parameters: z.array(ParameterRef).optional(),
  requestBody: z.looseObject({ content: z.record(z.string(), z.unknown()) }).optional(),
  responses: z.record(z.string(), z.looseObject({ $ref: z.string().optional(), content: z.record(z.string(), z.unknown()).optional() })),
});
const SpecDocument = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ version: z.string() }),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  components: z.looseObject({
    schemas: z.record(z.string(), z.looseObject({ enum: z.array(z.unknown()).optional() })),
    parameters: z.record(z.string(), Parameter),
    responses: z.record(z.string(), z.looseObject({ content: z.record(z.string(), z.unknown()).optional() })),
  }),
});
type SpecDocument = z.infer<typeof SpecDocument>;

type Method = 'get' | 'patch' | 'delete' | 'post';

interface OfficialSpec {
  doc: SpecDocument;
  /** A validator for `#/components/schemas/{name}`. */
  schema(name: string): ValidateFunction;
  /** The validator for an operation's declared response body; undefined when the operation or status is not declared. */
  response(path: string, method: Method, status: number, contentType?: string): ValidateFunction | undefined;
  /** The parameters an operation takes (its own and its path's), by name, `$ref`s resolved. */
  parameters(path: string, method: Method): Map<string, Parameter>;
  /** The request media types an operation declares (e.g. `application/merge-patch+json`). */
  requestTypes(path: string, method: Method): string[];
  /** Ajv's errors as `path: message` lines; empty when valid. */
  errors(validate: ValidateFunction, value: unknown): string[];
}

/** JSON pointer escaping: `/lm/executions` → `~1lm~1executions`. */
function escapePointer(part: string): string {
  return part.replaceAll('~', '~0').replaceAll('/', '~1');
}

function loadOfficialSpec(path: string = SPEC_PATH): OfficialSpec {
  const raw: unknown = parse(readFileSync(path, 'utf8'));
  const doc = SpecDocument.parse(raw);
  const ajv = new Ajv({ strict: true, strictTypes: false, allErrors: true });
  formats.default(ajv);
  ajv.addFormat('path', true);
  // The document's own top-level keys and the spec's annotations are not validation keywords.
  for (const keyword of [...Object.keys(doc), 'example', 'x-examples', 'x-visible']) {
    if (ajv.getKeyword(keyword) === false) ajv.addKeyword(keyword);
  }
  ajv.addSchema(doc, DOC_ID);
  const compiled = new Map<string, ValidateFunction>();
  const at = (pointer: string): ValidateFunction => {
    let validate = compiled.get(pointer);
    if (validate === undefined) {
      validate = ajv.compile({ $ref: `${DOC_ID}#${pointer}` });
      compiled.set(pointer, validate);
    }
    return validate;
  };
  const operation = (path: string, method: Method) => {
    const op = doc.paths[path]?.[method];
    if (op === undefined) throw new Error(`the spec has no operation ${method.toUpperCase()} ${path}`);
    return Operation.parse(op);
  };
  return {
    doc,
    schema: (name) => {
      if (doc.components.schemas[name] === undefined) throw new Error(`the spec has no schema ${name}`);
      return at(`/components/schemas/${escapePointer(name)}`);
    },
    response: (path, method, status, contentType = 'application/json') => {
      if (doc.paths[path]?.[method] === undefined) return undefined;
      const declared = operation(path, method).responses[String(status)];
      if (declared === undefined) return undefined;
      const base =
        declared.$ref === undefined ? `/paths/${escapePointer(path)}/${method}/responses/${status}` : declared.$ref.replace(/^#/, '');
      return at(`${base}/content/${escapePointer(contentType)}/schema`);
    },
    parameters: (path, method) => {
      const shared = z.array(ParameterRef).optional().parse(doc.paths[path]?.parameters) ?? [];
      const out = new Map<string, Parameter>();
      for (const p of [...shared, ...(operation(path, method).parameters ?? [])]) {
        const resolved =
          p.$ref === undefined ? Parameter.parse(p) : doc.components.parameters[p.$ref.replace('#/components/parameters/', '')];
        if (resolved === undefined) throw new Error(`unresolved parameter ${p.$ref ?? ''}`);
        out.set(resolved.name, resolved);
      }
      return out;
    },
    requestTypes: (path, method) => Object.keys(operation(path, method).requestBody?.content ?? {}),
    errors: (validate, value) =>
      validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'}: ${e.message ?? e.keyword}`),
  };
}

let cached: OfficialSpec | undefined;

/** The spec at SPEC_PATH, loaded and compiled once per test file. */
function officialSpec(): OfficialSpec {
  cached ??= loadOfficialSpec();
  return cached;
}

/**
 * The two ways real AI Core answers differ from its own OpenAPI 3.0 spec, and which the simulator
 * copies on purpose (CONTRACT.md §1, §8): optional fields are sent as explicit `null` (SAP's Java SDK
 * fixtures: `"executableId": null, "statusMessage": null, …`) although only `ttl` is `nullable`, and a
 * deployment that does not serve yet has `"deploymentUrl": ""` (SAP's docs) although the spec says
 * `format: url`. Both mean "absent", so before validating a response this removes them, and only
 * them: a null in a *required* field then still fails as missing.
 */
function withoutServerQuirks(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutServerQuirks);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field === null || (key === 'deploymentUrl' && field === '')) continue;
    out[key] = withoutServerQuirks(field);
  }
  return out;
}

export { SPEC_PATH, loadOfficialSpec, officialSpec, withoutServerQuirks };
export type { OfficialSpec, SpecDocument, Parameter };
