/**
 * Globs compiled once per policy: picomatch turns each glob into a regular expression when the
 * policy is compiled, so evaluating a fleet only runs `RegExp#test` (`dot: true`, `*` does not
 * cross `/`). picomatch's own matcher function would build two result objects per call, and a
 * fleet makes hundreds of thousands of calls; its test is exactly "equal to the glob, or the
 * expression matches" for a non-empty text, which is what `test` below does. `windows: false`: the
 * values are AI Core ids and names, never paths, so a `\` is an ordinary character on every platform.
 */
import picomatch from 'picomatch';
import { InvalidGlobError } from './errors.js';
import type { PathKey } from './path.js';

/** One glob and its matcher; the glob is kept for reasons such as "protected by … prod-*". */
interface CompiledGlob {
  glob: string;
  test: (text: string) => boolean;
}

/**
 * @example
 * const globs = compileGlobs(['prod-*', 'ops']);
 * globs.some((g) => g.test('prod-chat')); // true
 */
function compileGlobs(globs: string | readonly string[], path: readonly PathKey[] = []): CompiledGlob[] {
  return (typeof globs === 'string' ? [globs] : globs).map((glob, i) => {
    let expression: RegExp;
    try {
      expression = picomatch.makeRe(glob, { dot: true, windows: false });
    } catch (error) {
      throw new InvalidGlobError(glob, typeof globs === 'string' ? path : [...path, i], { cause: error });
    }
    return { glob, test: (text: string) => text !== '' && (text === glob || expression.test(text)) };
  });
}

/** One matcher for a glob or list of globs: true when any of them matches. */
function globMatcher(globs: string | readonly string[], path: readonly PathKey[] = []): (text: string) => boolean {
  const compiled = compileGlobs(globs, path);
  const [only] = compiled;
  if (compiled.length === 1 && only !== undefined) return only.test;
  return (text) => compiled.some((g) => g.test(text));
}

/** `prod-*`, `[a, b]`: how reasons show a glob or a list. */
function showGlobs(globs: string | readonly string[]): string {
  return typeof globs === 'string' ? globs : `[${globs.join(', ')}]`;
}

export { compileGlobs, globMatcher, showGlobs };
export type { CompiledGlob };
