/**
 * The simulator's fleet: resource groups and the executions and deployments in each, in AI Core's
 * wire shape. It is also the snapshot file format (JSON) that `loadSnapshot` reads and `fleet()`
 * returns, so a recorded fleet can be replayed in any test.
 */
import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import { Deployment, Execution } from '../../../lib/resources.js';
import { errorMessage } from '../../../lib/util/errors.js';

const GroupLabel = z.strictObject({ key: z.string().min(1), value: z.string() });

const SimulatorGroup = z.strictObject({
  resourceGroupId: z.string().min(1),
  labels: z.array(GroupLabel).optional(),
  /** `PROVISIONED` unless given (`PROVISIONING` and `ERROR` are the other documented values). */
  status: z.string().optional(),
});
type SimulatorGroup = z.infer<typeof SimulatorGroup>;

const SimulatorFleet = z
  .strictObject({
    /** Written by `aicore-janitor snapshot` (1); older snapshots have none. */
    version: z.literal(1).optional(),
    resourceGroups: z.array(SimulatorGroup),
    executions: z.record(z.string(), z.array(Execution)),
    deployments: z.record(z.string(), z.array(Deployment)),
    /** `GET /v2/admin/resources/nodes`: warm (hot spare) nodes per resource plan; default none. */
    warmNodes: z
      .record(z.string().min(1), z.strictObject({ provisioned: z.int().nonnegative(), requested: z.int().nonnegative() }))
      .optional(),
  })
  .superRefine((fleet, ctx) => {
    const groups = new Set<string>();
    fleet.resourceGroups.forEach((g, i) => {
      if (groups.has(g.resourceGroupId))
        ctx.addIssue({
          code: 'custom',
          path: ['resourceGroups', i, 'resourceGroupId'],
          message: `duplicate resource group '${g.resourceGroupId}'`,
        });
      groups.add(g.resourceGroupId);
    });
    for (const type of ['executions', 'deployments'] as const) {
      const byGroup: Record<string, ReadonlyArray<{ id: string }>> = fleet[type];
      for (const [group, items] of Object.entries(byGroup)) {
        if (!groups.has(group))
          ctx.addIssue({ code: 'custom', path: [type, group], message: `group '${group}' is not listed in resourceGroups` });
        const ids = new Set<string>();
        items.forEach((item, i) => {
          if (ids.has(item.id)) ctx.addIssue({ code: 'custom', path: [type, group, i, 'id'], message: `duplicate id '${item.id}'` });
          ids.add(item.id);
        });
      }
    }
  });
type SimulatorFleet = z.infer<typeof SimulatorFleet>;

class SnapshotError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'SnapshotError';
  }
}

/** One `default` group and nothing in it: what a fresh AI Core tenant looks like. */
function emptyFleet(): SimulatorFleet {
  return { resourceGroups: [{ resourceGroupId: 'default' }], executions: {}, deployments: {} };
}

/** Validates a fleet given in code; throws a SnapshotError listing every problem. */
function parseFleet(raw: unknown, source = 'fleet'): SimulatorFleet {
  const parsed = SimulatorFleet.safeParse(raw);
  if (!parsed.success) throw new SnapshotError(`${source} is not a valid simulator fleet:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/**
 * Reads a snapshot file (the JSON that `fleet()` returns) and validates it.
 *
 * @example
 * const sim = await startSimulator({ fleet: await loadSnapshot('infra/local/fixtures/big.json') });
 */
async function loadSnapshot(path: string): Promise<SimulatorFleet> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SnapshotError(`cannot read snapshot ${path}: ${errorMessage(error)}`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new SnapshotError(`snapshot ${path} is not JSON: ${errorMessage(error)}`, { cause: error });
  }
  return parseFleet(raw, `snapshot ${path}`);
}

export { SimulatorFleet, SimulatorGroup, SnapshotError, emptyFleet, parseFleet, loadSnapshot };
