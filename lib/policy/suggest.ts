/**
 * "Did you mean …?" for policy authors: the nearest allowed word by edit distance, so that a typo
 * such as `olderThen` is answered with the key the author meant rather than a bare "unrecognized".
 */

/** Levenshtein distance (insert, delete, substitute; each costs 1). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/**
 * The allowed word nearest to `word`, or null when none is close enough to be a plausible typo
 * (a case-insensitive equal, or at most a third of the word's length in edits, minimum 2).
 *
 * @example
 * didYouMean('olderThen', ['olderThan', 'status']); // "olderThan"
 * didYouMean('banana', ['olderThan', 'status']); // null
 */
function didYouMean(word: string, allowed: readonly string[]): string | null {
  const lower = word.toLowerCase();
  const caseOnly = allowed.find((candidate) => candidate.toLowerCase() === lower);
  if (caseOnly !== undefined) return caseOnly;
  const budget = Math.max(2, Math.floor(word.length / 3));
  let best: { word: string; distance: number } | null = null;
  for (const candidate of allowed) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance <= budget && (best === null || distance < best.distance)) best = { word: candidate, distance };
  }
  return best?.word ?? null;
}

export { editDistance, didYouMean };
