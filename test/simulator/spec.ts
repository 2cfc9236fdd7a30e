/**
 * The AI API contract for contract tests: the committed infra/ai-api/contract.json, derived
 * (structure only) from SAP's official AI_CORE_API.yaml, loaded by the simulator's own contract
 * module (infra/local/simulator/contract.ts) — the same validators the simulator checks requests
 * with, independent of the client's wire schemas. A missing contract fails the test, never skips it;
 * scripts/check-contract-drift.ts keeps the file equal to what the official spec derives to.
 */
import { apiContract as officialSpec } from '../../infra/local/simulator/contract.js';

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

export { officialSpec, withoutServerQuirks };
