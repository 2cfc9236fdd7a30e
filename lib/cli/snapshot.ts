/**
 * `snapshot --out FILE`: a read-only copy of the fleet, in the shape the list endpoints return and
 * the simulator loads (`npm run simulator -- --fleet FILE`), so a policy can be rehearsed against
 * a copy of production before it is pointed at production.
 */
import { writeFile } from 'node:fs/promises';
import { AiCoreClient } from '../aicore/client.js';
import { listFleet } from '../run/list-fleet.js';
import type { Deployment, Execution, Fleet } from '../resources.js';
import { EXIT, UsageError, type CliArgs } from './args.js';
import type { CliIo } from './io.js';
import { serviceKeyFor } from './service-key.js';

interface Snapshot {
  resourceGroups: Array<{ resourceGroupId: string; labels: Array<{ key: string; value: string }> }>;
  executions: Record<string, Execution[]>;
  deployments: Record<string, Deployment[]>;
}

function toSnapshot(fleet: Fleet): Snapshot {
  const snapshot: Snapshot = { resourceGroups: [], executions: {}, deployments: {} };
  for (const group of fleet) {
    snapshot.resourceGroups.push({ resourceGroupId: group.group, labels: Object.entries(group.labels).map(([key, value]) => ({ key, value })) });
    snapshot.executions[group.group] = group.resources.flatMap((r) => (r.type === 'executions' ? [r.item] : []));
    snapshot.deployments[group.group] = group.resources.flatMap((r) => (r.type === 'deployments' ? [r.item] : []));
  }
  return snapshot;
}

async function snapshotCommand(args: CliArgs, io: CliIo): Promise<number> {
  if (args.out === undefined) throw new UsageError('snapshot needs --out FILE');
  const client = new AiCoreClient(await serviceKeyFor(args));
  const fleet = await listFleet(client, { groups: args.groups, onProgress: (m) => io.err(m) });
  const failed = fleet.filter((g) => g.listingError !== null);
  const unparseable = fleet.reduce((n, g) => n + g.unparseable.length, 0);
  await writeFile(args.out, `${JSON.stringify(toSnapshot(fleet), null, 2)}\n`);
  const items = fleet.reduce((n, g) => n + g.resources.length, 0);
  io.out(`wrote ${items} item(s) in ${fleet.length} resource group(s) to ${args.out}`);
  if (unparseable > 0) io.err(`left out ${unparseable} item(s) that did not parse (see \`plan\` for the reasons)`);
  if (failed.length > 0) {
    io.err(`could not list: ${failed.map((g) => `${g.group} (${g.listingError ?? ''})`).join('; ')}`);
    return EXIT.failure;
  }
  return EXIT.ok;
}

export { snapshotCommand, toSnapshot };
export type { Snapshot };
