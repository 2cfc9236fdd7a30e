/**
 * Globs compiled once per policy: picomatch turns each glob into a matcher when the policy is
 * compiled, so evaluating a fleet only runs matchers (`dot: true`, `*` does not cross `/`).
 */
import picomatch from 'picomatch';

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
function compileGlobs(globs: string | readonly string[]): CompiledGlob[] {
  return (typeof globs === 'string' ? [globs] : globs).map((glob) => ({ glob, test: picomatch(glob, { dot: true }) }));
}

/** One matcher for a glob or list of globs: true when any of them matches. */
function globMatcher(globs: string | readonly string[]): (text: string) => boolean {
  const compiled = compileGlobs(globs);
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
