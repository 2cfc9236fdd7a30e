/**
 * `snapshot --out FILE`: a read-only copy of the fleet, in the shape the list endpoints return and
 * the simulator loads (`npm run simulator -- --fleet FILE`), so a policy can be rehearsed against
 * a copy of production before it is pointed at production.
 */
import { access, constants, stat, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AiCoreClient } from '../lib/aicore/client.js';
import { listFleet } from '../lib/run/list-fleet.js';
import type { Deployment, Execution, Fleet } from '../lib/resources.js';
import { EXIT, InputError, UsageError, type CliArgs } from './args.js';
import type { CliIo } from './io.js';
import { jsonDocument } from './json-output.js';
import { Progress } from './progress.js';
import { serviceKeyFor } from './service-key.js';
import { errorCode } from '../lib/util/errors.js';

/** The snapshot file's format version (the simulator reads it, and files without one). */
const SNAPSHOT_VERSION = 1;

interface Snapshot {
  version: typeof SNAPSHOT_VERSION;
  resourceGroups: Array<{ resourceGroupId: string; labels: Array<{ key: string; value: string }> }>;
  executions: Record<string, Execution[]>;
  deployments: Record<string, Deployment[]>;
}

function toSnapshot(fleet: Fleet): Snapshot {
  const snapshot: Snapshot = { version: SNAPSHOT_VERSION, resourceGroups: [], executions: {}, deployments: {} };
  for (const group of fleet) {
    snapshot.resourceGroups.push({
      resourceGroupId: group.group,
      labels: Object.entries(group.labels).map(([key, value]) => ({ key, value })),
    });
    snapshot.executions[group.group] = group.resources.flatMap((r) => (r.type === 'executions' ? [r.item] : []));
    snapshot.deployments[group.group] = group.resources.flatMap((r) => (r.type === 'deployments' ? [r.item] : []));
  }
  return snapshot;
}

async function snapshotCommand(args: CliArgs, io: CliIo): Promise<number> {
  if (args.out === undefined) throw new UsageError('snapshot needs --out FILE', 'snapshot');
  await checkWritable(args.out);
  const progress = Progress.for(io, args.json);
  const client = new AiCoreClient(await serviceKeyFor(args));
  const fleet = await listFleet(client, { groups: args.groups, onProgress: (m) => progress.message(m) });
  progress.clear();
  const failed = fleet.filter((g) => g.listingError !== null);
  const unparseable = fleet.reduce((n, g) => n + g.unparseable.length, 0);
  await writeFile(args.out, `${JSON.stringify(toSnapshot(fleet), null, 2)}\n`);
  const items = fleet.reduce((n, g) => n + g.resources.length, 0);
  io.out(
    args.json
      ? jsonDocument({
          wrote: args.out,
          items,
          groups: fleet.length,
          unparseable,
          listingFailures: failed.map((g) => ({ group: g.group, error: g.listingError ?? '' })),
        })
      : `wrote ${items} item(s) in ${fleet.length} resource group(s) to ${args.out}`,
  );
  if (unparseable > 0) io.err(`left out ${unparseable} item(s) that did not parse (see \`plan\` for the reasons)`);
  if (failed.length > 0) {
    io.err(`could not list: ${failed.map((g) => `${g.group} (${g.listingError ?? ''})`).join('; ')}`);
    return EXIT.failure;
  }
  return EXIT.ok;
}

/** Before listing anything: the file's directory must exist and be writable (exit 2, not a raw ENOENT later). */
async function checkWritable(file: string): Promise<void> {
  const dir = dirname(file);
  try {
    if (!(await stat(dir)).isDirectory()) throw new InputError(`cannot write ${file}: ${dir} is not a directory`);
    await access(dir, constants.W_OK);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = errorCode(error) ?? '';
    throw new InputError(
      code === 'ENOENT'
        ? `cannot write ${file}: directory ${dir} does not exist (create it first)`
        : `cannot write ${file}: directory ${dir} is not writable (${code})`,
    );
  }
  try {
    if ((await stat(file)).isDirectory()) throw new InputError(`cannot write ${file}: it is a directory`);
  } catch (error) {
    if (error instanceof InputError) throw error;
  }
}

export { snapshotCommand, toSnapshot };
export type { Snapshot };
