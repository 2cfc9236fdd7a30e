/**
 * `plan` and `apply`: list, evaluate and (for apply, with consent from both the policy and the
 * person) act. The report goes to stdout; progress to stderr (a bar on a terminal, lines
 * otherwise, nothing with --json). Before asking, apply shows the plan: summary, then the table.
 */
import { randomUUID } from 'node:crypto';
import { AiCoreClient } from '../lib/aicore/client.js';
import { describeServiceKey } from '../lib/aicore/credentials.js';
import { tenantNamespace } from '../lib/aicore/tenant.js';
import { Transport } from '../lib/aicore/transport.js';
import type { Plan } from '../lib/policy/plan.js';
import { runGuarded, type GuardedResult } from '../lib/run/guarded-run.js';
import { describeFirst } from '../lib/store/records.js';
import { loadPolicyFile, type LoadedPolicy } from '../lib/run/policy-file.js';
import { PolicyFileError } from '../lib/run/policy-file.js';
import { planSummary, renderPlan, renderReport } from '../lib/run/render.js';
import type { RunReport } from '../lib/run/report.js';
import type { LockRecord } from '../lib/store/records.js';
import { DEFAULT_POLICY_FILE, EXIT, InputError, type CliArgs } from './args.js';
import type { CliIo } from './io.js';
import { CliFailure } from './json-output.js';
import { Progress } from './progress.js';
import { serviceKeyFor } from './service-key.js';
import { describeOwner, openState, type CliState } from './state.js';

/** How long an interrupted CLI apply keeps others out: its lease is renewed while it works. */
const CLI_LEASE_PERIOD_MS = 5 * 60_000;

/** What `plan` says instead of the run's "the trigger did not ask to apply". */
const PLAN_NOTE =
  'This was a dry run: plan never acts. `aicore-janitor apply` (same options) shows this plan again and asks before acting.';

/** The policy for plan, apply and explain: --policy, else ./policy.yaml (pointing at `init` when missing). */
async function policyFor(args: Pick<CliArgs, 'policy'>): Promise<LoadedPolicy> {
  const path = args.policy ?? DEFAULT_POLICY_FILE;
  try {
    return await loadPolicyFile(path);
  } catch (error) {
    if (error instanceof PolicyFileError && error.reason === 'missing') {
      const how =
        args.policy === undefined
          ? 'run `aicore-janitor init` to write a starting policy (dry-run) there, or pass --policy FILE'
          : 'check the path';
      throw new PolicyFileError(`${error.message}: ${how}`, error.path, error.reason);
    }
    throw error;
  }
}

async function runCommand(args: CliArgs, io: CliIo): Promise<number> {
  const { tenants } = args;
  if (tenants !== undefined) return (await import('./tenants-command.js')).runTenantsCommand({ ...args, tenants }, io);
  const apply = args.command === 'apply';
  const loaded = await policyFor(args);
  if (apply && loaded.policy.mode !== 'apply') {
    const says = loaded.modeSet === false ? 'has no `mode`, so it is dry-run (the default)' : 'says mode: dry-run';
    throw new InputError(
      `refusing to apply: ${loaded.path} ${says}. Set "mode: apply" in the policy to allow acting (the apply command is only the trigger's half of the consent).`,
    );
  }
  if (apply && !args.yes && !io.isInteractive) throw new InputError('apply needs a terminal (stdin) to confirm, or --yes');

  const progress = Progress.for(io, args.json);
  const key = await serviceKeyFor(args);
  progress.note(`AI Core: ${describeServiceKey(key)}; policy ${loaded.path} (digest ${loaded.digest.slice(0, 12)})`);
  const deadline = new Date(Date.now() + args.deadlineSeconds * 1000);
  const runId = randomUUID();
  const state = await openState(args.table, tenantNamespace(key), { command: args.command, runId, onWait: (message) => io.err(message) });
  progress.note(`state: ${state.describe}`);
  const render = { all: args.all, color: io.color ?? false };
  let shown = false;
  let result: GuardedResult;
  try {
    result = await runGuarded(
      {
        client: new AiCoreClient(key, { transport: new Transport({ deadline: () => deadline.getTime() }) }),
        store: progress.watch(state.store),
        policy: loaded.policy,
        trigger: 'cli',
        consent: apply,
        runId,
        deadline,
        groups: args.groups,
        onProgress: (message) => progress.message(message),
        ...(apply && !args.yes
          ? {
              approve: async (plan: Plan) => {
                progress.clear();
                shown = !args.json;
                return confirmOnTerminal(plan, io, { ...render, json: args.json });
              },
            }
          : {}),
      },
      { triggerId: `cli:${runId}`, leasePeriodMs: CLI_LEASE_PERIOD_MS },
    );
  } finally {
    progress.clear();
    await state.close();
  }
  if (result.status !== 'done') {
    if (result.status === 'locked') throw new CliFailure('locked', `${result.message}${lockHint(result.holder, state)}`, EXIT.failure);
    throw new CliFailure('duplicate', `duplicate trigger: ${describeFirst(result.first)}`, EXIT.failure);
  }
  const { report } = result;
  io.out(args.json ? JSON.stringify(report, null, 2) : renderReport(report, { ...render, planShown: shown, dryRunNote: PLAN_NOTE }));
  return exitCodeOf(report);
}

/**
 * After a run-lock refusal. Local state: this run has the state open, which no live run would
 * allow, so the holder died (see cli/unlock.ts). A table's holder may be alive anywhere.
 */
function lockHint(holder: LockRecord | undefined, state: CliState): string {
  if (holder === undefined) return '';
  if (state.kind === 'table') return '. If that run has died, the first run after its lease ends takes the lock by itself.';
  const crashed = state.crashed.find((c) => c.runId === holder.owner);
  const gone =
    crashed === undefined
      ? 'Its process is gone (no other process has the local state open)'
      : `Its process (${crashed.command}, ${describeOwner(crashed)}) is gone`;
  return `. ${gone}: run \`aicore-janitor unlock\` to release the lock now.`;
}

/**
 * Shows the plan (summary and table on stdout; with stdout redirected, the summary on stderr too,
 * so the person answering has seen it), then asks. Ctrl-D is a no; Ctrl-C throws (exit 130).
 */
async function confirmOnTerminal(plan: Plan, io: CliIo, options: { all: boolean; color: boolean; json: boolean }): Promise<boolean> {
  if (!options.json) io.out(`${renderPlan(plan, options)}\n`);
  if (options.json || io.outIsTerminal !== true) io.err(planSummary(plan));
  const answer = await io.ask(`Apply plan ${plan.hash.slice(0, 12)}: stop ${plan.totals.stop}, delete ${plan.totals.delete}? [y/N] `);
  return answer !== null && /^y(es)?$/i.test(answer.trim());
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

export { runCommand, exitCodeOf, policyFor };
