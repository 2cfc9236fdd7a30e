/**
 * Paths into a policy document, as errors and diagnostics show them: `rules[0].match.all[1].olderThan`.
 */

type PathKey = string | number;

/**
 * `rules[0].match.all[1].olderThan`; keys that are not plain identifiers are quoted:
 * `protect.resourceGroupLabels["ext.ai.sap.com/env"]`.
 *
 * @example
 * formatPath(['rules', 0, 'match']); // "rules[0].match"
 */
function formatPath(path: readonly PathKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((key, i) => {
      if (typeof key === 'number') return `[${key}]`;
      if (/^[A-Za-z_$][\w$]*$/.test(key)) return i === 0 ? key : `.${key}`;
      return `[${JSON.stringify(key)}]`;
    })
    .join('');
}

export { formatPath };
export type { PathKey };
