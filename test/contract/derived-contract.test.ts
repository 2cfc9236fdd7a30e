/**
 * The committed AI API contract is exactly what scripts/derive-ai-api-contract.ts makes of SAP's
 * official spec, and it carries structure only. Where a copy of the official spec is at hand
 * (the team's ../shared/ai-api/AI_CORE_API.yaml, or $AI_CORE_API_SOURCE), it is re-derived and
 * compared byte for byte; everywhere, the committed file is checked to hold no prose.
 */
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { contractJson, CONTRACT_FILE, DEFAULT_SPEC } from '../../scripts/derive-ai-api-contract.js';

const committed = readFileSync(CONTRACT_FILE, 'utf8');
const source = process.env.AI_CORE_API_SOURCE ?? DEFAULT_SPEC;

/** Every string value in the document, with its JSON path. */
function strings(value: unknown, path = ''): Array<[string, string]> {
  if (typeof value === 'string') return [[path, value]];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => strings(child, `${path}/${key}`));
}

describe('the committed AI API contract', () => {
  it('is the official spec (v2.42.0) with its prose removed: no descriptions, summaries, examples or x- notes', () => {
    const contract = JSON.parse(committed) as { openapi: string; info: { version: string }; paths: Record<string, unknown> };
    expect(contract.openapi).toMatch(/^3\.0\./);
    expect(contract.info.version).toBe('2.42.0');
    expect(Object.keys(contract.paths)).toEqual(
      expect.arrayContaining(['/lm/executions', '/lm/deployments', '/lm/meta', '/admin/resourceGroups']),
    );
    // Sentences are prose; the only strings with spaces are this file's provenance and two patterns.
    const sentences = strings(contract).filter(([path, text]) => / \w+ /.test(text) && path !== '/info/derivedFrom');
    expect(sentences).toEqual([]);
    expect(committed).not.toMatch(/"(summary|example|examples|x-[\w-]+)":/);
  });

  it(
    existsSync(source)
      ? `equals what the derivation makes of ${source} today`
      : 'is the derivation’s output format (no official copy here to re-derive from)',
    () => {
      if (existsSync(source)) {
        expect(committed).toBe(contractJson(readFileSync(source, 'utf8')));
      } else {
        // Without the source, the file must at least be exactly as the script writes it.
        expect(committed).toBe(`${JSON.stringify(JSON.parse(committed), null, 1)}\n`);
      }
    },
  );
});
