/**
 * The AI API contract (OpenAPI 3.0) as ajv validators: infra/ai-api/contract.json, derived
 * (structure only) from SAP's official AI_CORE_API.yaml by scripts/derive-ai-api-contract.ts. The
 * simulator validates requests with it and the contract tests validate the simulator's answers and
 * the client's requests with it, so the client's own wire schemas (lib/aicore/wire.ts) are checked
 * against an independent source instead of against themselves.
 *
 * Ajv is configured for OpenAPI 3.0 instead of editing the contract: `format: path` (a file path,
 * nothing ajv can check) is accepted, the document's top-level keys are declared as keywords, and
 * `strictTypes` is off because the spec legally uses `required`/`properties` without
 * `type: object`. Everything else stays strict, so a typo in a schema name or a broken `$ref` fails
 * loudly. A missing or unreadable contract file throws: nothing validates against nothing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import * as z from 'zod';
import { errorMessage } from '../../../lib/util/errors.js';

/** Where the contract is committed, relative to the repository root. */
const CONTRACT_FILE = 'infra/ai-api/contract.json';
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
const ContractDocument = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ version: z.string() }),
  paths: z.record(z.string(), z.record(z.string(), z.unknown())),
  components: z.looseObject({
    schemas: z.record(z.string(), z.looseObject({ enum: z.array(z.unknown()).optional() })),
    parameters: z.record(z.string(), Parameter),
    responses: z.record(z.string(), z.looseObject({ content: z.record(z.string(), z.unknown()).optional() })),
  }),
});
type ContractDocument = z.infer<typeof ContractDocument>;

type Method = 'get' | 'patch' | 'delete' | 'post';

/** A parameter with the validator of its schema. */
interface DeclaredParameter {
  parameter: Parameter;
  validate: ValidateFunction;
}

interface ApiContract {
  doc: ContractDocument;
  /** A validator for `#/components/schemas/{name}`. */
  schema(name: string): ValidateFunction;
  /** The validator for an operation's declared response body; undefined when the operation or status is not declared. */
  response(path: string, method: Method, status: number, contentType?: string): ValidateFunction | undefined;
  /** The validator for an operation's request body in `contentType`; undefined when the operation takes none in it. */
  requestBody(path: string, method: Method, contentType: string): ValidateFunction | undefined;
  /** The parameters an operation takes (its own and its path's), by name, `$ref`s resolved. */
  parameters(path: string, method: Method): Map<string, Parameter>;
  /** As `parameters()`, each with a validator for its schema. */
  declaredParameters(path: string, method: Method): Map<string, DeclaredParameter>;
  /** The request media types an operation declares (e.g. `application/merge-patch+json`). */
  requestTypes(path: string, method: Method): string[];
  /** Ajv's errors as `path: message` lines; empty when valid. */
  errors(validate: ValidateFunction, value: unknown): string[];
}

/** The contract file could not be found or read: a broken checkout, never a reason to skip validation. */
class ContractUnavailableError extends Error {
  override name = 'ContractUnavailableError';
  constructor(
    readonly path: string,
    reason: string,
  ) {
    super(`the AI API contract ${path} ${reason}; restore it from git (it is committed) or re-derive it with npm run contract:derive`);
  }
}

/** JSON pointer escaping: `/lm/executions` → `~1lm~1executions`. */
function escapePointer(part: string): string {
  return part.replaceAll('~', '~0').replaceAll('/', '~1');
}

/**
 * The committed contract's path. This module runs from its source (infra/local/simulator/) and
 * bundled into the CLI (dist/): the repository root is the nearest directory above with a package.json.
 */
function contractPath(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new ContractUnavailableError(CONTRACT_FILE, 'has no repository root above this module');
    dir = parent;
  }
  return join(dir, CONTRACT_FILE);
}

/** One ajv error as `path: message`; an enum names its values, so a 400 says what would do. */
function describeError(error: ErrorObject): string {
  const allowed: unknown = error.params.allowedValues;
  const message =
    error.keyword === 'enum' && Array.isArray(allowed) ? `must be one of ${allowed.join(', ')}` : (error.message ?? error.keyword);
  return `${error.instancePath || '(root)'}: ${message}`;
}

function readContract(path: string): ContractDocument {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ContractUnavailableError(path, `cannot be read (${errorMessage(error)})`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ContractUnavailableError(path, `is not JSON (${errorMessage(error)})`);
  }
  const doc = ContractDocument.safeParse(raw);
  if (!doc.success) throw new ContractUnavailableError(path, `is not an OpenAPI document: ${z.prettifyError(doc.error)}`);
  return doc.data;
}

function loadContract(path: string = contractPath()): ApiContract {
  const doc = readContract(path);
  const ajv = new Ajv({ strict: true, strictTypes: false, allErrors: true });
  formats.default(ajv);
  ajv.addFormat('path', true);
  // The document's own top-level keys are not validation keywords.
  for (const keyword of Object.keys(doc)) {
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
    if (op === undefined) throw new Error(`the contract has no operation ${method.toUpperCase()} ${path}`);
    return Operation.parse(op);
  };
  /** Each parameter of an operation with the JSON pointer of its schema. */
  const located = (path: string, method: Method): Map<string, { parameter: Parameter; pointer: string }> => {
    const shared = z.array(ParameterRef).optional().parse(doc.paths[path]?.parameters) ?? [];
    const own = operation(path, method).parameters ?? [];
    const pathPointer = `/paths/${escapePointer(path)}`;
    const out = new Map<string, { parameter: Parameter; pointer: string }>();
    const entries = [
      ...shared.map((p, i) => ({ p, pointer: `${pathPointer}/parameters/${i}` })),
      ...own.map((p, i) => ({ p, pointer: `${pathPointer}/${method}/parameters/${i}` })),
    ];
    for (const { p, pointer } of entries) {
      const name = p.$ref?.replace('#/components/parameters/', '');
      const parameter = name === undefined ? Parameter.parse(p) : doc.components.parameters[name];
      if (parameter === undefined) throw new Error(`unresolved parameter ${p.$ref ?? ''}`);
      const base = name === undefined ? pointer : `/components/parameters/${escapePointer(name)}`;
      out.set(parameter.name, { parameter, pointer: `${base}/schema` });
    }
    return out;
  };
  return {
    doc,
    schema: (name) => {
      if (doc.components.schemas[name] === undefined) throw new Error(`the contract has no schema ${name}`);
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
    requestBody: (path, method, contentType) => {
      if (operation(path, method).requestBody?.content[contentType] === undefined) return undefined;
      return at(`/paths/${escapePointer(path)}/${method}/requestBody/content/${escapePointer(contentType)}/schema`);
    },
    parameters: (path, method) => new Map([...located(path, method)].map(([name, { parameter }]) => [name, parameter])),
    declaredParameters: (path, method) =>
      new Map([...located(path, method)].map(([name, { parameter, pointer }]) => [name, { parameter, validate: at(pointer) }])),
    requestTypes: (path, method) => Object.keys(operation(path, method).requestBody?.content ?? {}),
    errors: (validate, value) => (validate(value) ? [] : (validate.errors ?? []).map(describeError)),
  };
}

let cached: ApiContract | undefined;

/** The committed contract, read and compiled once per process (validators compile on first use). */
function apiContract(): ApiContract {
  cached ??= loadContract();
  return cached;
}

export { CONTRACT_FILE, ContractUnavailableError, apiContract, contractPath, loadContract };
export type { ApiContract, ContractDocument, DeclaredParameter, Method, Parameter };
