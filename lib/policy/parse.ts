/**
 * Policy text (YAML or JSON) → a validated policy, or every problem at once with its path and line.
 * Pure: the caller reads the file; this only looks at the text.
 */
import { isMap, isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import { errorMessage } from '../util/errors.js';
import { crossFieldIssues, mapIssues, type RawIssue } from './diagnose.js';
import { formatPath, type PathKey } from './path.js';
import { digestOf } from './hash.js';
import { Policy } from './schema.js';

/** One problem in a policy file: where (`rules[0].match.all[1].olderThan`) and what. */
interface PolicyIssue {
  path: string;
  message: string;
  /** 1-based position in the source text, when it could be located. */
  line?: number;
  column?: number;
}

type ParsePolicyResult = { ok: true; policy: Policy; digest: string } | { ok: false; errors: PolicyIssue[] };

/**
 * Parses and validates a policy. YAML and JSON are both accepted (a `.json` file is read with the
 * JSON schema of YAML 1.2, so unquoted words are errors there). `digest` is the sha256 of the
 * canonical JSON of the parsed policy, defaults included: two files that mean the same policy have
 * the same digest.
 *
 * @example
 * const result = parsePolicy('version: 1\nrules: []\n', 'policy.yaml');
 * if (!result.ok) console.error(formatPolicyIssues(result.errors));
 */
function parsePolicy(text: string, fileName: string): ParsePolicyResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    uniqueKeys: true,
    version: '1.2',
    schema: fileName.toLowerCase().endsWith('.json') ? 'json' : 'core',
  });
  const isJson = fileName.toLowerCase().endsWith('.json');
  // YAML's JSON schema still accepts what JSON does not (a trailing comma, comments): ask JSON itself.
  const jsonError = isJson ? strictJsonError(text, lineCounter) : null;
  if (jsonError !== null) return { ok: false, errors: [jsonError] };
  if (doc.errors.length > 0) {
    const unclosed = unclosedBracket(text, lineCounter);
    const errors: PolicyIssue[] = doc.errors.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return { path: '(syntax)', message: error.message.replace(/\n[\s\S]*$/, ''), line, column: col };
    });
    // An unclosed `[` or `{` is reported where it opened, not where YAML gave up on it.
    return { ok: false, errors: unclosed === null ? errors : [unclosed, ...errors.filter((e) => !/flow/i.test(e.message))] };
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 50 });
  } catch (error) {
    return { ok: false, errors: [{ path: '(syntax)', message: errorMessage(error) }] };
  }

  if (raw === null || raw === undefined) {
    return {
      ok: false,
      errors: [
        {
          path: '(root)',
          message:
            'the policy file is empty: it needs at least `version: 1` and `rules: [...]` (`aicore-janitor init` writes a commented starting policy)',
        },
      ],
    };
  }
  const parsed = Policy.safeParse(raw);
  const found: RawIssue[] = [...(parsed.success ? [] : mapIssues(parsed.error.issues, [], Policy, raw)), ...crossFieldIssues(raw)];
  if (found.length > 0 || !parsed.success) {
    return { ok: false, errors: locate(dedupe(found), doc, lineCounter) };
  }
  return { ok: true, policy: parsed.data, digest: digestOf(parsed.data) };
}

/** A JSON syntax error with its line and column, or null when the text is JSON. */
function strictJsonError(text: string, lineCounter: LineCounter): PolicyIssue | null {
  try {
    JSON.parse(text);
    return null;
  } catch (error) {
    const message = errorMessage(error);
    const position = /position (\d+)/.exec(message);
    const trailing = /,\s*[\]}]/.exec(text);
    const offset = position === null ? (trailing?.index ?? null) : Number(position[1]);
    const hint = trailing === null ? '' : ' (JSON allows no comma before `]` or `}`)';
    const base: PolicyIssue = {
      path: '(syntax)',
      message: `not valid JSON: ${message.replace(/ in JSON at position \d+.*$/, '').replace(/\s*\(line \d+ column \d+\)$/, '')}${hint}`,
    };
    if (offset === null) return base;
    const { line, col } = lineCounter.linePos(trailing === null ? offset : trailing.index);
    return { ...base, line, column: col };
  }
}

/** The first `[` or `{` that is never closed (outside quotes and comments), or null. */
function unclosedBracket(text: string, lineCounter: LineCounter): PolicyIssue | null {
  const open: Array<{ char: string; offset: number }> = [];
  let quote: string | null = null;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charAt(i);
    if (quote !== null) {
      if (c === '\\' && quote === '"') i += 1;
      else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text.charAt(i - 1)))) while (i < text.length && text[i] !== '\n') i += 1;
    else if (c === '[' || c === '{') open.push({ char: c, offset: i });
    else if ((c === ']' || c === '}') && open.length > 0) open.pop();
  }
  const first = open[0];
  if (first === undefined) return null;
  const { line, col } = lineCounter.linePos(first.offset);
  const close = first.char === '[' ? ']' : '}';
  return { path: '(syntax)', message: `\`${first.char}\` opened here is never closed: add the matching \`${close}\``, line, column: col };
}

function dedupe(issues: RawIssue[]): RawIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${formatPath(issue.path)}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Adds line numbers (the node at the path, or its nearest existing parent) and orders by position. */
function locate(issues: RawIssue[], doc: Document, lineCounter: LineCounter): PolicyIssue[] {
  const located = issues.map((issue, index) => {
    const offset = offsetOf(doc, issue.path);
    const position = offset === null ? null : lineCounter.linePos(offset);
    const result: PolicyIssue = { path: formatPath(issue.path), message: issue.message };
    if (position !== null) {
      result.line = position.line;
      result.column = position.col;
    }
    return { result, offset: offset ?? Number.MAX_SAFE_INTEGER, index };
  });
  located.sort((a, b) => a.offset - b.offset || a.index - b.index);
  return located.map((l) => l.result);
}

function offsetOf(doc: Document, path: readonly PathKey[]): number | null {
  // Point at the key itself when the path ends in a mapping key (an unknown key's line is its own).
  const last = path[path.length - 1];
  const parent: unknown = path.length <= 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
  if (typeof last === 'string' && isMap(parent)) {
    const pair = parent.items.find((p) => isScalar(p.key) && p.key.value === last);
    if (pair !== undefined && isNode(pair.key) && pair.key.range) return pair.key.range[0];
  }
  for (let length = path.length; length >= 0; length -= 1) {
    const node: unknown = length === 0 ? doc.contents : doc.getIn(path.slice(0, length), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return null;
}

/**
 * The problems as text for the CLI's `validate`, one per entry, in the style of `z.prettifyError`.
 *
 * @example
 * const result = parsePolicy(text, path);
 * if (!result.ok) process.stderr.write(`${path} is invalid:\n${formatPolicyIssues(result.errors)}\n`);
 *
 * Output:
 * ```
 * ✖ unknown key `olderThen`; did you mean `olderThan`? …
 *   → at rules[0].match.all[1].olderThen (line 12, column 11)
 * ```
 */
function formatPolicyIssues(errors: readonly PolicyIssue[]): string {
  return errors
    .map((error) => {
      const where = error.line === undefined ? '' : ` (line ${error.line}${error.column === undefined ? '' : `, column ${error.column}`})`;
      return `✖ ${error.message}\n  → at ${error.path}${where}`;
    })
    .join('\n');
}

export { parsePolicy, formatPolicyIssues };
export type { PolicyIssue, ParsePolicyResult };
