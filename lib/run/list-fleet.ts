/**
 * Phase one's input: the resource groups to look at and everything in them. Groups are listed
 * concurrently, within the client's per-host connection limit.
 */
import type { AiCoreClient, ResourceGroupInfo } from '../aicore/client.js';
import { mapLimited } from '../aicore/limiter.js';
import type { Fleet } from '../resources.js';

async function selectGroups(client: AiCoreClient, wanted: readonly string[] | undefined): Promise<ResourceGroupInfo[]> {
  const all = await client.resourceGroups();
  if (wanted === undefined || wanted.length === 0) return all;
  // A named group the tenant does not have is still planned, as a listing failure the report shows.
  return wanted.map((id) => all.find((g) => g.id === id) ?? { id, labels: {} });
}

async function listFleet(
  client: AiCoreClient,
  options: { groups?: readonly string[] | undefined; concurrency?: number; onProgress?: (message: string) => void } = {},
): Promise<Fleet> {
  const progress = options.onProgress ?? (() => undefined);
  const groups = await selectGroups(client, options.groups);
  progress(`listing ${groups.length} resource group(s)`);
  return mapLimited(groups, options.concurrency ?? 4, async (group) => {
    const listed = await client.listGroup(group);
    const failure = listed.listingError === null ? '' : ` (listing failed: ${listed.listingError})`;
    progress(`  ${group.id}: ${listed.resources.length} item(s)${failure}`);
    return listed;
  });
}

export { listFleet, selectGroups };
