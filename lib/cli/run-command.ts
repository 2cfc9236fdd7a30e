/**
 * `plan` and `apply`: list, evaluate and (for apply, with consent from both the policy and the
 * person) act. Progress goes to stderr so `--json` output on stdout stays machine-readable.
 */
import { randomUUID } from 'node:crypto';
import { AiCoreClient } from '../aicore/client.js';
import { describeServiceKey } from '../aicore/credentials.js';
import { tenantNamespace } from '../aicore/tenant.js';
import { Transport } from '../aicore/transport.js';
import type { Plan } from '../policy/plan.js';
import { describeFirst, runGuarded, type GuardedResult } from '../run/guarded-run.js';
import { loadPolicyFile } from '../run/policy-file.js';
import { renderReport } from '../run/render.js';
import type { RunReport } from '../run/report.js';
import type { LockRecord } from '../store/records.js';
import { DEFAULT_POLICY_FILE, EXIT, InputError, type CliArgs } from './args.js';
import type { CliIo } from './io.js';
import { serviceKeyFor } from './service-key.js';
import { describeOwner, openState, type CliState } from './state.js';

/** How long an interrupted CLI apply keeps others out: its lease is renewed while it works. */
const CLI_LEASE_PERIOD_MS = 5 * 60_000;

async function runCommand(args: CliArgs, io: CliIo): Promise<number> {
  const apply = args.command === 'apply';
  const loaded = await loadPolicyFile(args.policy ?? DEFAULT_POLICY_FILE);
  if (apply && loaded.policy.mode !== 'apply') {
    throw new InputError(`refusing to apply: ${loaded.path} says mode: dry-run. Set "mode: apply" in the policy to allow acting (the apply command is only the trigger's half of the consent).`);
  }
  if (apply && !args.yes && !io.isInteractive) throw new InputError('apply needs a terminal to confirm, or --yes');

  const key = await serviceKeyFor(args);
  io.err(`AI Core: ${describeServiceKey(key)}; policy ${loaded.path} (digest ${loaded.digest.slice(0, 12)})`);
  const deadline = new Date(Date.now() + args.deadlineSeconds * 1000);
  const runId = randomUUID();
  const state = await openState(args.table, tenantNamespace(key), { command: args.command, runId, onWait: (message) => io.err(message) });
  io.err(`state: ${state.describe}`);
  let result: GuardedResult;
  try {
    result = await runGuarded(
      {
        client: new AiCoreClient(key, { transport: new Transport({ deadline: () => deadline.getTime() }) }),
        store: state.store,
        policy: loaded.policy,
        trigger: 'cli',
        consent: apply,
        runId,
        deadline,
        groups: args.groups,
        onProgress: (message) => io.err(message),
        ...(apply && !args.yes ? { approve: (plan: Plan) => confirmOnTerminal(plan, io) } : {}),
      },
      { triggerId: `cli:${runId}`, leasePeriodMs: CLI_LEASE_PERIOD_MS },
    );
  } finally {
    await state.close();
  }
  if (result.status !== 'done') {
    io.err(result.status === 'locked' ? `${result.message}${lockHint(result.holder, state)}` : `duplicate trigger: ${describeFirst(result.first)}`);
    return EXIT.failure;
  }
  const { report } = result;
  io.out(args.json ? JSON.stringify(report, null, 2) : renderReport(report));
  return exitCodeOf(report);
}

/**
 * After a run-lock refusal. Local state: this run has the state open, which no live run would
 * allow, so the holder died (see lib/cli/unlock.ts). A table's holder may be alive anywhere.
 */
function lockHint(holder: LockRecord | undefined, state: CliState): string {
  if (holder === undefined) return '';
  if (state.kind === 'table') return '. If that run has died, the first run after its lease ends takes the lock by itself.';
  const crashed = state.crashed.find((c) => c.runId === holder.owner);
  const gone = crashed === undefined ? 'Its process is gone (no other process has the local state open)' : `Its process (${crashed.command}, ${describeOwner(crashed)}) is gone`;
  return `. ${gone}: run \`aicore-janitor unlock\` to release the lock now.`;
}

async function confirmOnTerminal(plan: Plan, io: CliIo): Promise<boolean> {
  const answer = await io.ask(`Apply plan ${plan.hash.slice(0, 12)}: stop ${plan.totals.stop}, delete ${plan.totals.delete}? [y/N] `);
  return /^y(es)?$/i.test(answer.trim());
}

/**
 * 3 when a safety cap aborted anything; 1 when a group could not be listed (the run could not see
 * everything, even though it acted on what it saw), an action failed, or the deadline or a lost
 * lease left actions not attempted; else 0. Awaiting confirmation is not a failure.
 */
function exitCodeOf(report: RunReport): number {
  if (report.plan.aborted !== null || report.plan.groups.some((g) => g.aborted !== null)) return EXIT.capAborted;
  if (!report.complete || report.totals.failed > 0 || report.totals.notAttempted > 0) return EXIT.failure;
  return EXIT.ok;
}

export { runCommand, exitCodeOf };
