/** A generated simulator fleet as the policy engine sees it, for the bench's evaluate() sections. */
import type { SimulatorFleet } from '../infra/local/simulator/index.js';
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

export { toFleet };
