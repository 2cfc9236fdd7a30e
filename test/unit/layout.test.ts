import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The rooms' arrows (docs/ARCHITECTURE.md): lib/ knows none of its callers, and nothing the
// functions ship depends on the local stack.
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

function sourcesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** Repository-relative targets of every relative import/export in one source file. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)].map((match) => match[1] ?? '');
  return specifiers.map((specifier) => relative(ROOT, resolve(ROOT, dirname(file), specifier)));
}

function violations(dir: string, forbidden: readonly string[]): string[] {
  return sourcesUnder(dir).flatMap((file) =>
    importsOf(file)
      .filter((target) => forbidden.some((prefix) => target === prefix || target.startsWith(`${prefix}/`)))
      .map((target) => `${file} → ${target}`),
  );
}

describe('layout', () => {
  it('lib/ imports none of the front doors nor the local stack', () => {
    expect(violations('lib', ['cli', 'functions', 'scripts', 'bench', 'test', 'infra/local'])).toEqual([]);
  });

  it('the functions import neither the CLI nor the local stack', () => {
    expect(violations('functions', ['cli', 'scripts', 'bench', 'test', 'infra/local'])).toEqual([]);
  });

  it('the check sees imports at all (it would catch a violation)', () => {
    expect(importsOf('cli/demo.ts')).toContain('infra/local/stack.js');
  });
});
