/** The policy pieces the run-level test harnesses share: one way to parse, one pair of rules. */
import { parsePolicy, type Policy } from '../../lib/policy/index.js';

/** Delete COMPLETED executions, stop RUNNING ones (YAML list items under `rules:`). */
const FINISHED_AND_STALE_RULES = `  - id: finished
    resource: executions
    match: { status: [COMPLETED] }
    action: delete
  - id: stale
    resource: executions
    match: { status: [RUNNING] }
    action: stop
`;

/** Parses a test policy; a policy a test wrote wrong fails loudly with every issue. */
function parseTestPolicy(text: string, source: string): Policy {
  const parsed = parsePolicy(text, source);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.policy;
}

export { FINISHED_AND_STALE_RULES, parseTestPolicy };
