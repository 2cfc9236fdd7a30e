/**
 * What the worker does with one chat job: run it at most once per trigger, answer with exactly one
 * message, and never throw for a failed command (a Lambda retry must not run the janitor again;
 * the person in chat gets the failure instead).
 *
 * - `plan`: a dry run; the plan is recorded (hash, requester, approval window) and its digest posted.
 * - `apply <hash>`: only for a recorded, unexpired, unused plan — approved by someone else when the
 *   policy says `approval.required` — and only if the fresh plan still has that hash (runJanitor's
 *   `requirePlanHash`); the digest says what happened or why nothing did.
 * - `status`, `snooze`, `help`: the ledger's last runs, a snooze written to the store, the usage.
 *
 * Answers are platform-neutral (lib/chatops/model.ts) until delivery renders them: Block Kit to the
 * job's response_url (Slack, JSON webhook), an Adaptive Card to the stage's Workflows webhook (Teams).
 */
import { randomUUID } from 'node:crypto';
import { toTeamsMessage } from '../../lib/chatops/adaptive-card.js';
import { checkApproval } from '../../lib/chatops/approval.js';
import type { Command } from '../../lib/chatops/command.js';
import { digestModel } from '../../lib/chatops/digest.js';
import type { ChatJob } from '../../lib/chatops/job.js';
import {
  failureMessage,
  helpMessage,
  invocationOf,
  noticeMessage,
  refusalMessage,
  snoozedMessage,
  statusMessage,
} from '../../lib/chatops/messages.js';
import type { ChatMessage } from '../../lib/chatops/model.js';
import { toBlockKit } from '../../lib/chatops/slack-render.js';
import type { ServiceKey } from '../../lib/aicore/wire.js';
import { durationSeconds } from '../../lib/policy/duration.js';
import { describeFirst, type GuardedResult } from '../../lib/run/guarded-run.js';
import type { LoadedPolicy } from '../../lib/run/policy-file.js';
import type { ChatOpsStore, JanitorStore } from '../../lib/store/ports.js';
import type { JanitorEnv } from './config.js';
import { log } from './log.js';
import { responsePoster, type PostMessage } from './response-url.js';
import { policyFromEnv, runFromEnv, storeFromEnv } from './run-from-env.js';
import { teamsWorkflowUrl } from './teams-config.js';

const STATUS_RUNS = 10;

/** Slack retries a slow ack within seconds; Lambda retries a failed async invocation after a minute. */
const PLATFORM_RETRY_WINDOW_MS = 60_000;

interface ChatRunOptions {
  trigger: string;
  triggerId: string;
  consent: boolean;
  requirePlanHash?: string;
}

interface ChatDeps {
  store: ChatOpsStore & Pick<JanitorStore, 'recentRuns' | 'beginTrigger' | 'finishTrigger'>;
  policy: () => Promise<LoadedPolicy>;
  run: (options: ChatRunOptions) => Promise<GuardedResult>;
  post: PostMessage;
  /** Teams: the Workflows webhook URL (a secret) its answers go to; undefined when not configured. */
  teamsWorkflowUrl: () => Promise<string | undefined>;
  clock: () => Date;
  /** Time left in this invocation: a chat trigger still `running` after it has died. */
  remainingMs: () => number;
  /** JANITOR_DISABLED: plans and applies are refused; status, snooze and help still answer. */
  disabled: boolean;
}

type ChatOutcome =
  | { status: 'duplicate'; triggerId: string; posted: boolean }
  | { status: 'answered' | 'failed'; command: Command['name']; message: ChatMessage; posted: boolean };

/** The ledger's trigger: webhook and Teams ids carry their namespace already; Slack ids get one. */
function triggerOf(job: ChatJob): string {
  return job.source === 'webhook' || job.source === 'teams' ? job.user.id : `slack:${job.user.id}`;
}

function skipped(result: Exclude<GuardedResult, { status: 'done' }>): ChatMessage {
  return noticeMessage(
    result.status === 'locked'
      ? `Not run: ${result.message}. Try again in a few minutes.`
      : `This request was already handled: ${describeFirst(result.first)}.`,
  );
}

async function plan(job: ChatJob, deps: ChatDeps, now: Date): Promise<ChatMessage> {
  const { policy } = await deps.policy();
  const result = await deps.run({ trigger: triggerOf(job), triggerId: `${job.triggerId}#run`, consent: false });
  if (result.status !== 'done') return skipped(result);
  const { report } = result;
  const expiresAt = new Date(now.getTime() + (durationSeconds(policy.approval.expiresAfter) ?? 3600) * 1000).toISOString();
  await deps.store.recordPlan({
    hash: report.plan.hash,
    requester: job.user.id,
    createdAt: now.toISOString(),
    expiresAt,
    runId: report.runId,
  });
  return digestModel(report, {
    command: 'plan',
    requester: job.user.id,
    requesterName: job.user.name,
    expiresAt,
    approvalRequired: policy.approval.required,
  });
}

async function apply(job: ChatJob, hash: string, deps: ChatDeps, now: Date): Promise<ChatMessage> {
  const { policy } = await deps.policy();
  const required = policy.approval.required;
  const decision = checkApproval({ hash, matches: await deps.store.findPlans(hash, 2), approver: job.user.id, required, now });
  if (!decision.ok) return refusalMessage(decision.reason);
  const recorded = decision.plan;
  // Claimed before the run, so two approvals of one plan (two clicks, two people) cannot both act.
  if (!(await deps.store.claimApproval(recorded.hash, job.user.id, now))) {
    return refusalMessage([
      'Plan ',
      { code: recorded.hash.slice(0, 12) },
      ' was approved by someone else a moment ago, or its window just closed.',
    ]);
  }
  const result = await deps.run({
    trigger: triggerOf(job),
    triggerId: `${job.triggerId}#run`,
    consent: true,
    requirePlanHash: recorded.hash,
  });
  if (result.status !== 'done') return skipped(result);
  return digestModel(result.report, {
    command: 'apply',
    requester: recorded.requester,
    approver: job.user.id,
    approverName: job.user.name,
    approvalRequired: required,
  });
}

async function answer(job: ChatJob, deps: ChatDeps, now: Date): Promise<ChatMessage> {
  const { command } = job;
  if (deps.disabled && (command.name === 'plan' || command.name === 'apply'))
    return noticeMessage('The janitor is switched off (JANITOR_DISABLED): nothing was planned or applied.');
  switch (command.name) {
    case 'plan':
      return plan(job, deps, now);
    case 'apply':
      return apply(job, command.hash, deps, now);
    case 'status':
      return statusMessage(await deps.store.recentRuns(STATUS_RUNS));
    case 'snooze': {
      const until = new Date(now.getTime() + (durationSeconds(command.duration) ?? 0) * 1000);
      await deps.store.snooze(command.id, until, job.user.id, command.reason);
      return snoozedMessage(command.id, until, job.user, command.reason);
    }
    case 'help':
      return helpMessage(
        command.note,
        invocationOf(job.source === 'teams' ? 'teams' : job.source === 'webhook' ? 'webhook' : 'slack', job.mentionName),
      );
  }
}

/**
 * Renders the answer for the job's platform and posts it: Teams to the stage's Workflows webhook,
 * everything else to the job's response_url (none: nothing is posted).
 */
async function deliver(job: ChatJob, message: ChatMessage, deps: ChatDeps): Promise<boolean> {
  if (job.source !== 'teams') return job.responseUrl === undefined ? false : deps.post(job.responseUrl, toBlockKit(message), job.source);
  let url: string | undefined;
  try {
    url = await deps.teamsWorkflowUrl();
  } catch (error) {
    log('error', 'could not read the Teams Workflows webhook URL; the answer was not posted', {
      triggerId: job.triggerId,
      error: error instanceof Error ? error.message : String(error),
    });
    return false;
  }
  if (url === undefined) {
    log('error', 'TEAMS_WORKFLOW_URL(_ID) is not configured: a Teams answer cannot be posted', { triggerId: job.triggerId });
    return false;
  }
  return deps.post(url, toTeamsMessage(message, job.mentionName === undefined ? {} : { mentionName: job.mentionName }), 'teams');
}

/**
 * @example
 * const outcome = await executeChatJob(job, chatDepsFromEnv(readEnv(), serviceKeyOf(context), remaining));
 */
async function executeChatJob(job: ChatJob, deps: ChatDeps): Promise<ChatOutcome> {
  const now = deps.clock();
  const runId = randomUUID();
  // Slack retries and Lambda's own async retries repeat the trigger id: the first delivery answers,
  // and a delivery whose worker died (still `running` past its invocation) is run again.
  const begin = await deps.store.beginTrigger(job.triggerId, runId, now, new Date(now.getTime() + deps.remainingMs()));
  // A duplicate of an answered command posts nothing (the first delivery answered), nor does a
  // platform retry seconds after the first (Slack re-sends when an ack is slow; the answer
  // follows). A later duplicate of a command still running — Lambda retrying a worker that may
  // have died — is told so, and by when it counts as dead: past that, the next delivery runs it
  // again and its answer says why.
  if (begin.kind === 'duplicate') {
    const first = begin.earlier;
    log('info', 'duplicate chat trigger', { triggerId: job.triggerId, first: describeFirst(first) });
    const runningFor = now.getTime() - Date.parse(first.startedAt);
    if (first.state !== 'running' || !(runningFor >= PLATFORM_RETRY_WINDOW_MS))
      return { status: 'duplicate', triggerId: job.triggerId, posted: false };
    const notice = noticeMessage(
      `This command is already being worked on (since ${first.startedAt}); its answer will follow. If none arrives by ${first.leaseUntil}, that attempt died: send the command again.`,
    );
    return { status: 'duplicate', triggerId: job.triggerId, posted: await deliver(job, notice, deps) };
  }
  let message: ChatMessage;
  let failed = false;
  try {
    message = await answer(job, deps, now);
  } catch (error) {
    failed = true;
    const text = error instanceof Error ? error.message : String(error);
    log('error', 'chat command failed', { command: job.command.name, triggerId: job.triggerId, error: text });
    message = failureMessage([{ code: job.command.name }], text.split('\n')[0] ?? text);
  }
  if (begin.kind === 'retry')
    message = {
      ...message,
      text: `(An earlier delivery of this command ${begin.earlier.state === 'running' ? 'died before it finished' : 'failed'}; this is the retry.) ${message.text}`,
    };
  await deps.store.finishTrigger(job.triggerId, runId, failed ? 'failed' : 'done', message.text);
  const posted = await deliver(job, message, deps);
  return { status: failed ? 'failed' : 'answered', command: job.command.name, message, posted };
}

/** One resolver per container, so a warm worker reads the Workflows URL secret once per cache expiry. */
let cachedTeamsWorkflowUrl: (() => Promise<string | undefined>) | undefined;

/** The worker's dependencies from its environment: the same store, policy and run as the schedule's. */
function chatDepsFromEnv(env: JanitorEnv, serviceKey: ServiceKey, remainingMs: () => number): ChatDeps {
  return {
    store: storeFromEnv(env, serviceKey),
    policy: () => policyFromEnv(env),
    run: async (options) => (await runFromEnv({ env, serviceKey, remainingMs, ...options })).result,
    post: responsePoster(),
    teamsWorkflowUrl: (cachedTeamsWorkflowUrl ??= teamsWorkflowUrl()),
    clock: () => new Date(),
    remainingMs,
    disabled: env.JANITOR_DISABLED,
  };
}

export { executeChatJob, chatDepsFromEnv };
export type { ChatDeps, ChatOutcome, ChatRunOptions };
