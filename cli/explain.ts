/**
 * `explain ID`: lists the fleet (read-only) and shows every rule's verdict for one execution or
 * deployment, with protection, minimum age and eligibility — the answer to "why (not) this one?".
 */
import { AiCoreClient } from '../lib/aicore/client.js';
import { tenantNamespace } from '../lib/aicore/tenant.js';
import { explain, formatExplanation } from '../lib/policy/index.js';
import { policyGivesNotices } from '../lib/policy/notices.js';
import { listFleet } from '../lib/run/list-fleet.js';
import { EXIT, InputError, UsageError, type CliArgs } from './args.js';
import type { CliIo } from './io.js';
import { Progress } from './progress.js';
import { policyFor } from './run-command.js';
import { serviceKeyFor } from './service-key.js';
import { openState } from './state.js';

async function explainCommand(args: CliArgs, io: CliIo): Promise<number> {
  const id = args.positionals[0];
  if (id === undefined) throw new UsageError('explain needs the id of an execution or deployment: aicore-janitor explain ID');
  const loaded = await policyFor(args);
  const progress = Progress.for(io, args.json);
  const key = await serviceKeyFor(args);
  const client = new AiCoreClient(key);
  const fleet = await listFleet(client, { groups: args.groups, onProgress: (m) => progress.message(m) });
  progress.clear();
  if (!fleet.some((g) => g.resources.some((r) => r.item.id === id))) {
    throw new InputError(`no execution or deployment with id ${id} in ${fleet.map((g) => g.group).join(', ') || 'any resource group'}`);
  }
  const state = await openState(args.table, tenantNamespace(key), { command: 'explain', onWait: (message) => io.err(message) });
  try {
    const now = new Date();
    const observations = await state.store.observations(
      fleet.map((g) => g.group),
      now,
      policyGivesNotices(loaded.policy) ? { notices: true } : {},
    );
    const explanation = explain({ fleet, policy: loaded.policy, now, observations, id });
    io.out(args.json ? JSON.stringify({ version: 1, ...explanation }, null, 2) : formatExplanation(explanation));
  } finally {
    await state.close();
  }
  return EXIT.ok;
}

export { explainCommand };
