/**
 * Phase one's input: the resource groups to look at and everything in them. Groups are listed
 * concurrently, within the client's per-host connection limit.
 */
import type { AiCoreClient, ResourceGroupInfo } from '../aicore/client.js';
import { mapLimited } from '../util/concurrency.js';
import { RUN_DEFAULTS } from './defaults.js';
import { RunError } from './errors.js';
import type { Fleet } from '../resources.js';

/** A group was named (command line, stage config) that the tenant does not have: invalid input. */
class UnknownGroupError extends RunError {
  override name = 'UnknownGroupError';
  constructor(
    readonly unknown: readonly string[],
    /** The tenant's PROVISIONED groups. */
    readonly available: readonly string[],
  ) {
    const list = available.length === 0 ? 'it has none that is PROVISIONED' : `its PROVISIONED groups: ${available.join(', ')}`;
    super(`no resource group ${unknown.join(', ')} in this tenant (${list})`);
  }
}

async function selectGroups(client: AiCoreClient, wanted: readonly string[] | undefined): Promise<ResourceGroupInfo[]> {
  const all = await client.resourceGroups();
  if (wanted === undefined || wanted.length === 0) return all;
  // A named group the tenant does not have is a typo to report before anything is planned; a
  // group that exists but cannot be listed is a listing failure the report shows.
  const unknown = wanted.filter((id) => !all.some((g) => g.id === id));
  if (unknown.length > 0)
    throw new UnknownGroupError(
      unknown,
      all.map((g) => g.id),
    );
  return wanted.flatMap((id) => all.filter((g) => g.id === id));
}

async function listFleet(
  client: AiCoreClient,
  options: { groups?: readonly string[] | undefined; concurrency?: number; onProgress?: (message: string) => void } = {},
): Promise<Fleet> {
  const progress = options.onProgress ?? (() => undefined);
  const groups = await selectGroups(client, options.groups);
  progress(`listing ${groups.length} resource group(s)`);
  return mapLimited(groups, options.concurrency ?? RUN_DEFAULTS.listConcurrency, async (group) => {
    const listed = await client.listGroup(group);
    const failure = listed.listingError === null ? '' : ` (listing failed: ${listed.listingError})`;
    progress(`  ${group.id}: ${listed.resources.length} item(s)${failure}`);
    return listed;
  });
}

export { listFleet, selectGroups, UnknownGroupError };
