/**
 * Phase two for one (tenant, group): the existing group run (lib/run/apply-group.ts applyGroup)
 * behind a lock of its own (one per tenant and group), renewed before every request by a RunLease,
 * with a deadline shorter than the lease. The group is listed afresh first: what changed since it
 * was planned is not sent (`not-attempted`, with the reason), and a failed listing sends nothing.
 */
import type { Capabilities } from '../../aicore/client.js';
import type { GroupFleet } from '../../resources.js';
import { applyGroup } from '../apply-group.js';
import { LEASE_DEFAULTS } from '../guarded-run.js';
import { RunLease } from '../lease.js';
import { outcomeOf, type ItemOutcome } from '../report.js';
import { sleep } from '../../util/time.js';
import { RUN_DEFAULTS } from '../defaults.js';
import { spentNotices } from '../notices.js';
import { NO_NOTICE_CHANGES, policyGivesNotices } from '../../policy/notices.js';
import { DeadlineReachedError } from '../errors.js';
import { errorMessage } from '../../util/errors.js';
import type { TenantRun, TenantRunContext } from './context.js';
import { requireStaged, STAGED, StagedGroupPlan, StagedGroupResult, StagedVerdict, writeStaged } from './staged.js';

interface ApplyGroupInput {
  group: string;
  planName: string;
  bulkUpdates: Capabilities['bulkUpdates'];
}

interface ApplyOptions {
  /** No request starts after this (Lambda: remaining time minus a margin). */
  deadline: Date;
  leasePeriodMs?: number;
  leaseMarginMs?: number;
  confirm?: { attempts?: number; delayMs?: number; sleep?: (ms: number) => Promise<void> };
  resubmitAfterMs?: number;
}

interface GroupApplySummary {
  group: string;
  sent: number;
  confirmed: number;
  notAttempted: number;
  failed: number;
  stopped: string | null;
  error: string | null;
}

function summaryOf(result: StagedGroupResult): GroupApplySummary {
  const count = (state: ItemOutcome['state']): number => result.outcomes.filter((o) => o.state === state).length;
  return {
    group: result.group,
    sent: result.sent,
    confirmed: count('confirmed'),
    notAttempted: count('not-attempted'),
    failed: count('failed'),
    stopped: result.stopped,
    error: result.error,
  };
}

/**
 * @example
 * await applyTenantGroup(ctx, run, { group: 'default', planName: 'plan:default', bulkUpdates }, { deadline });
 */
async function applyTenantGroup(
  ctx: TenantRunContext,
  run: TenantRun,
  input: ApplyGroupInput,
  options: ApplyOptions,
): Promise<GroupApplySummary> {
  const { store, clock } = ctx;
  const verdict = await requireStaged(store, run.runId, STAGED.verdict, StagedVerdict);
  const staged = await requireStaged(store, run.runId, input.planName, StagedGroupPlan);
  const plan = staged.plan;
  const actions = plan.aborted === null ? plan.actions : [];
  const finish = async (result: StagedGroupResult): Promise<GroupApplySummary> => {
    await writeStaged(store, run.runId, STAGED.result(input.group), StagedGroupResult, result, clock());
    return summaryOf(result);
  };
  const untouched = (why: string): ItemOutcome[] => actions.map((a) => outcomeOf(a, 'not-attempted', false, `not sent: ${why}`));
  // The verdict is re-read, never trusted from the state's input: a forged or stale input cannot act.
  if (verdict.notApplied !== null) return finish({ group: input.group, outcomes: [], sent: 0, stopped: null, error: null });

  const lease = new RunLease(store.groupLock(input.group), {
    owner: `${run.runId}:${input.group}`,
    periodMs: options.leasePeriodMs ?? LEASE_DEFAULTS.periodMs,
    deadline: options.deadline,
    marginMs: options.leaseMarginMs ?? LEASE_DEFAULTS.marginMs,
    clock,
  });
  const attempt = await lease.acquire();
  if (!attempt.acquired) {
    const who = attempt.holder === undefined ? 'another run' : `run ${attempt.holder.owner}`;
    // The other engine: a tenant-wide run (schedule, chat or CLI on engine=lambda) is acting.
    const why =
      attempt.by === 'run-lock'
        ? `${who} holds the tenant's run lock (a tenant-wide run is acting)`
        : `${who} holds the lock of group ${input.group}`;
    return finish({ group: input.group, outcomes: untouched(why), sent: 0, stopped: why, error: null });
  }
  try {
    const gate = async (): Promise<void> => {
      if (clock().getTime() >= options.deadline.getTime())
        throw new DeadlineReachedError(`the group run's deadline (${options.deadline.toISOString()}) was reached`, options.deadline);
      await lease.keep();
    };
    const client = ctx.client.withGate(gate);
    const live: GroupFleet = await client.listGroup({ id: input.group, labels: staged.labels });
    if (live.listingError !== null) {
      return await finish({
        group: input.group,
        outcomes: untouched(`the group could not be listed again before acting (${live.listingError})`),
        sent: 0,
        stopped: null,
        error: `listing failed: ${live.listingError}`,
      });
    }
    // What changed since it was planned is left for the next run to plan afresh.
    const status = new Map(live.resources.map((r) => [`${r.type}#${r.item.id}`, r.item.status]));
    const changed: ItemOutcome[] = [];
    const current = actions.filter((a) => {
      const now = status.get(`${a.type}#${a.id}`);
      if (now === a.status) return true;
      changed.push(
        outcomeOf(
          a,
          'not-attempted',
          false,
          `not sent: changed since it was planned (${a.status} → ${now ?? 'no longer listed'}); the next run plans it afresh`,
        ),
      );
      return false;
    });
    const result = await applyGroup({ ...plan, actions: current }, live, {
      client,
      ledger: store,
      bulkUpdates: input.bulkUpdates,
      planHash: verdict.planHash,
      runId: run.runId,
      clock,
      gate,
      confirm: {
        attempts: options.confirm?.attempts ?? RUN_DEFAULTS.confirmAttempts,
        delayMs: options.confirm?.delayMs ?? RUN_DEFAULTS.confirmDelayMs,
        sleep: options.confirm?.sleep ?? sleep,
      },
      resubmitAfterMs: options.resubmitAfterMs ?? RUN_DEFAULTS.resubmitAfterMs,
    });
    // Counted before anything else can fail: the daily cap must know what was sent.
    await store.countActions(result.sent, clock());
    const spent = policyGivesNotices(ctx.policy) ? spentNotices(result.outcomes) : NO_NOTICE_CHANGES;
    if (spent.drop.length > 0) await store.writeNotices(spent);
    return await finish({
      group: input.group,
      outcomes: [...result.outcomes, ...changed],
      sent: result.sent,
      stopped: result.stopped,
      error: result.error === undefined ? null : errorMessage(result.error),
    });
  } finally {
    await lease.release();
  }
}

export { applyTenantGroup };
export type { ApplyGroupInput, ApplyOptions, GroupApplySummary };
