/**
 * The committed AI API contract (infra/ai-api/contract.json) carries structure only, in exactly the
 * format scripts/derive-ai-api-contract.ts writes, and the simulator and these tests fail loudly
 * without it. That it equals what SAP's official spec derives to is checked by CI's drift script
 * (scripts/check-contract-drift.ts), not here: this file needs no copy of the official spec.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTRACT_FILE, ContractUnavailableError, contractPath, loadContract } from '../../infra/local/simulator/contract.js';

const committed = readFileSync(contractPath(), 'utf8');

/** Every string value in the document, with its JSON path. */
function strings(value: unknown, path = ''): Array<[string, string]> {
  if (typeof value === 'string') return [[path, value]];
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value).flatMap(([key, child]) => strings(child, `${path}/${key}`));
}

describe('the committed AI API contract', () => {
  it('lives outside test/, at infra/ai-api/contract.json, found from the simulator module', () => {
    expect(CONTRACT_FILE).toBe('infra/ai-api/contract.json');
    expect(relative(join(import.meta.dirname, '../..'), contractPath())).toBe(CONTRACT_FILE);
  });

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

  it('is exactly in the format the derivation writes (one-space JSON, a final newline)', () => {
    expect(committed).toBe(`${JSON.stringify(JSON.parse(committed), null, 1)}\n`);
  });
});

describe('without the contract, validation fails loudly instead of skipping', () => {
  const dir = mkdtempSync(join(tmpdir(), 'janitor-contract-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['a missing file', null, /cannot be read \(ENOENT/],
    ['a file that is not JSON', '{"openapi": "3.0.0",', /is not JSON/],
    ['JSON that is no OpenAPI document', '{"openapi": "3.0.0", "paths": {}}', /is not an OpenAPI document/],
  ])('%s throws ContractUnavailableError naming the file and how to restore it', (_name, text, reason) => {
    const path = join(dir, `${_name.replaceAll(' ', '-')}.json`);
    if (text !== null) writeFileSync(path, text);
    expect(() => loadContract(path)).toThrow(ContractUnavailableError);
    expect(() => loadContract(path)).toThrow(reason);
    expect(() => loadContract(path)).toThrow(`the AI API contract ${path}`);
    expect(() => loadContract(path)).toThrow('npm run contract:derive');
  });
});
