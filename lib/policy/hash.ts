/**
 * Canonical JSON and sha256, for the policy digest and the plan hash: the same data always gives
 * the same text (object keys sorted, no whitespace), whatever order it was built in.
 */
import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level; `undefined` members are left out, as JSON.stringify does.
 *
 * @example
 * canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] }); // '{"a":[{"c":3,"d":2}],"b":1}'
 */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      // Keys of one object are distinct: never equal.
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * The policy digest: sha256 of the canonical JSON of the parsed policy (defaults included), so two
 * files that mean the same policy share a digest. parsePolicy returns it; evaluate() puts it in the plan.
 */
function digestOf(policy: unknown): string {
  return sha256Hex(canonicalJson(policy));
}

export { canonicalJson, sha256Hex, digestOf };
