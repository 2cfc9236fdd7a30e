/** What the bench sections share: a generated simulator fleet as the policy engine sees it, and a policy text parsed or thrown. */
import type { SimulatorFleet } from '../infra/local/simulator/index.js';
import { parsePolicy, type Policy } from '../lib/policy/index.js';
import { type Fleet, isResource, parseResource } from '../lib/resources.js';

function toFleet(sim: SimulatorFleet): Fleet {
  return sim.resourceGroups.map((g) => {
    const group = g.resourceGroupId;
    const raw = [
      ...(sim.executions[group] ?? []).map((item) => parseResource('executions', group, item)),
      ...(sim.deployments[group] ?? []).map((item) => parseResource('deployments', group, item)),
    ];
    return { group, labels: {}, resources: raw.filter(isResource), unparseable: [], listingError: null };
  });
}

/** The bench's own policy text as a Policy; a mistake in it is the bench's bug, so it throws. */
function benchPolicy(text: string): Policy {
  const parsed = parsePolicy(text, 'bench-policy.yaml');
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.policy;
}

export { benchPolicy, toFleet };
