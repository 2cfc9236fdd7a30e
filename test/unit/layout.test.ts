import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The rooms' arrows (docs/ARCHITECTURE.md): lib/ knows none of its callers, nothing the functions
// ship depends on the local stack, and inside lib/ every arrow points down, never up or sideways
// where the document draws none.
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

/** The shared vocabulary every lib room may use. */
const VOCABULARY = ['lib/lifecycle.ts', 'lib/resources.ts', 'lib/util'] as const;

/**
 * The lib rooms and what each may import besides itself (docs/ARCHITECTURE.md, "Arrows"). A room
 * that is not here fails the test below: a new room gets its arrows here and in the document.
 */
const LIB_ARROWS: Record<string, readonly string[]> = {
  'lib/lifecycle.ts': [],
  'lib/resources.ts': ['lib/lifecycle.ts'],
  'lib/util': [],
  'lib/policy': VOCABULARY,
  'lib/aicore': VOCABULARY,
  'lib/tenants': VOCABULARY,
  'lib/store': [...VOCABULARY, 'lib/policy'],
  'lib/chatops': [...VOCABULARY, 'lib/policy', 'lib/store'],
  'lib/run': [...VOCABULARY, 'lib/policy', 'lib/aicore', 'lib/store', 'lib/tenants'],
};

const inRoom = (target: string, room: string) => target === room || target.startsWith(`${room}/`);

/** The lib room of a repository-relative path (imports name `.js`, the sources are `.ts`). */
function libRoomOf(path: string): string | undefined {
  const source = path.replace(/\.js$/, '.ts');
  return Object.keys(LIB_ARROWS).find((room) => inRoom(source, room));
}

describe('layout', () => {
  it('lib/ imports none of the front doors, the tools, the tests nor infra/', () => {
    expect(violations('lib', ['cli', 'functions', 'scripts', 'bench', 'test', 'infra'])).toEqual([]);
  });

  it('the functions import neither the CLI, the tools, the tests nor infra/', () => {
    expect(violations('functions', ['cli', 'scripts', 'bench', 'test', 'infra'])).toEqual([]);
  });

  it('the CLI imports neither the tools nor the tests', () => {
    expect(violations('cli', ['scripts', 'bench', 'test'])).toEqual([]);
  });

  it('the local stack (simulator, dynalite) imports no front door, tool or test', () => {
    expect(violations('infra', ['cli', 'functions', 'scripts', 'bench', 'test'])).toEqual([]);
  });

  it('the local stack borrows nothing from the client (lib/aicore): the simulator checks requests against the contract', () => {
    expect(violations('infra', ['lib/aicore'])).toEqual([]);
  });

  it('every file of lib/ is in a room with documented arrows', () => {
    expect(sourcesUnder('lib').filter((file) => libRoomOf(file) === undefined)).toEqual([]);
  });

  it('inside lib/, each room imports only the rooms its arrows allow', () => {
    const wrong = sourcesUnder('lib').flatMap((file) => {
      const room = libRoomOf(file) ?? '';
      const allowed = [room, ...(LIB_ARROWS[room] ?? [])];
      return importsOf(file)
        .filter((target) => target.startsWith('lib/'))
        .filter((target) => !allowed.some((ok) => inRoom(target.replace(/\.js$/, '.ts'), ok)))
        .map((target) => `${file} → ${target}`);
    });
    expect(wrong).toEqual([]);
  });

  it('the check sees imports at all (it would catch a violation)', () => {
    expect(importsOf('cli/demo.ts')).toContain('infra/local/stack.js');
    expect(libRoomOf('lib/run/run.js')).toBe('lib/run');
    expect(LIB_ARROWS['lib/policy']).not.toContain(libRoomOf('lib/store/base.js'));
  });
});
