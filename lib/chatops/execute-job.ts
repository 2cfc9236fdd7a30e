/**
 * The chat use case: what the worker does with one chat job. It runs each trigger at most once,
 * answers with exactly one message, and never throws for a failed command (a Lambda retry must not
 * run the janitor again; the person in chat gets the failure instead).
 *
 * - `plan`: a dry run; the plan is recorded (hash, requester, approval window) and its digest posted.
 * - `apply <hash>`: only for a recorded, unexpired, unused plan — approved by someone else when the
 *   policy says `approval.required` — and only if the fresh plan still has that hash (the runner's
 *   `requirePlanHash`); the digest says what happened or why nothing did.
 * - `status`, `snooze`, `help`: the ledger's last runs, a snooze (a noticed item's notice moved later,
 *   else a protection until then; lib/store/snooze.ts), the usage.
 *
 * Everything outside comes through ports (ports.ts); answers stay platform-neutral (model.ts) until
 * the reply port renders them.
 */
import { randomUUID } from 'node:crypto';
import { durationSeconds } from '../policy/duration.js';
import { describeFirst } from '../store/records.js';
import { snoozeItem } from '../store/snooze.js';
import { errorMessage } from '../util/errors.js';
import { checkApproval } from './approval.js';
import type { Command } from './command.js';
import { digestModel } from './digest.js';
import type { ChatJob } from './job.js';
import {
  failureMessage,
  helpMessage,
  invocationOf,
  noticeMessage,
  noticeSnoozedMessage,
  refusalMessage,
  snoozedMessage,
  statusMessage,
} from './messages.js';
import type { ChatMessage } from './model.js';
import { CHAT_DEFAULTS, type ChatPorts, type ChatRunResult } from './ports.js';

type ChatOutcome =
  | { status: 'duplicate'; triggerId: string; posted: boolean }
  | { status: 'answered' | 'failed'; command: Command['name']; message: ChatMessage; posted: boolean };

/** `now` plus a policy duration (validated by the schema; `fallbackSeconds` if it does not convert). */
function after(now: Date, duration: string, fallbackSeconds: number): Date {
  return new Date(now.getTime() + (durationSeconds(duration) ?? fallbackSeconds) * 1000);
}

/** The ledger's trigger: webhook and Teams ids carry their namespace already; Slack ids get one. */
function triggerOf(job: ChatJob): string {
  return job.source === 'webhook' || job.source === 'teams' ? job.user.id : `slack:${job.user.id}`;
}

function skipped(result: Exclude<ChatRunResult, { status: 'done' }>): ChatMessage {
  return noticeMessage(
    result.status === 'locked'
      ? `Not run: ${result.message}. Try again in a few minutes.`
      : `This request was already handled: ${describeFirst(result.first)}.`,
  );
}

async function plan(job: ChatJob, ports: ChatPorts, now: Date): Promise<ChatMessage> {
  const approval = await ports.approval();
  const result = await ports.run({ trigger: triggerOf(job), triggerId: `${job.triggerId}#run`, consent: false });
  if (result.status !== 'done') return skipped(result);
  const { report } = result;
  const expiresAt = after(now, approval.expiresAfter, CHAT_DEFAULTS.approvalWindowSeconds).toISOString();
  await ports.store.recordPlan({
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
    approvalRequired: approval.required,
  });
}

async function apply(job: ChatJob, hash: string, ports: ChatPorts, now: Date): Promise<ChatMessage> {
  const { required } = await ports.approval();
  const decision = checkApproval({ hash, matches: await ports.store.findPlans(hash, 2), approver: job.user.id, required, now });
  if (!decision.ok) return refusalMessage(decision.reason);
  const recorded = decision.plan;
  // Claimed before the run, so two approvals of one plan (two clicks, two people) cannot both act.
  if (!(await ports.store.claimApproval(recorded.hash, job.user.id, now))) {
    return refusalMessage([
      'Plan ',
      { code: recorded.hash.slice(0, 12) },
      ' was approved by someone else a moment ago, or its window just closed.',
    ]);
  }
  const result = await ports.run({
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

async function answer(job: ChatJob, ports: ChatPorts, now: Date): Promise<ChatMessage> {
  const { command } = job;
  if (ports.disabled && (command.name === 'plan' || command.name === 'apply'))
    return noticeMessage('The janitor is switched off (JANITOR_DISABLED): nothing was planned or applied.');
  switch (command.name) {
    case 'plan':
      return plan(job, ports, now);
    case 'apply':
      return apply(job, command.hash, ports, now);
    case 'status':
      return statusMessage(await ports.store.recentRuns(CHAT_DEFAULTS.statusRuns));
    case 'snooze': {
      const until = after(now, command.duration, 0);
      const result = await snoozeItem(ports.store, command.id, until, job.user.id, command.reason);
      return result.kind === 'notice'
        ? noticeSnoozedMessage(command.id, result.notices, job.user, command.reason)
        : snoozedMessage(command.id, until, job.user, command.reason);
    }
    case 'help':
      return helpMessage(
        command.note,
        invocationOf(job.source === 'teams' ? 'teams' : job.source === 'webhook' ? 'webhook' : 'slack', job.mentionName),
      );
  }
}

/**
 * @example
 * const outcome = await executeChatJob(job, { store, approval, run, reply, clock, remainingMs, disabled: false, log });
 */
async function executeChatJob(job: ChatJob, ports: ChatPorts): Promise<ChatOutcome> {
  const now = ports.clock();
  const runId = randomUUID();
  // Slack retries and Lambda's own async retries repeat the trigger id: the first delivery answers,
  // and a delivery whose worker died (still `running` past its invocation) is run again.
  const begin = await ports.store.beginTrigger(job.triggerId, runId, now, new Date(now.getTime() + ports.remainingMs()));
  // A duplicate of an answered command posts nothing (the first delivery answered), nor does a
  // platform retry seconds after the first (Slack re-sends when an ack is slow; the answer
  // follows). A later duplicate of a command still running — Lambda retrying a worker that may
  // have died — is told so, and by when it counts as dead: past that, the next delivery runs it
  // again and its answer says why.
  if (begin.kind === 'duplicate') {
    const first = begin.earlier;
    ports.log('info', 'duplicate chat trigger', { triggerId: job.triggerId, first: describeFirst(first) });
    const runningFor = now.getTime() - Date.parse(first.startedAt);
    if (first.state !== 'running' || !(runningFor >= CHAT_DEFAULTS.platformRetryWindowMs))
      return { status: 'duplicate', triggerId: job.triggerId, posted: false };
    const notice = noticeMessage(
      `This command is already being worked on (since ${first.startedAt}); its answer will follow. If none arrives by ${first.leaseUntil}, that attempt died: send the command again.`,
    );
    return { status: 'duplicate', triggerId: job.triggerId, posted: await ports.reply(job, notice) };
  }
  let message: ChatMessage;
  let failed = false;
  try {
    message = await answer(job, ports, now);
  } catch (error) {
    failed = true;
    const text = errorMessage(error);
    ports.log('error', 'chat command failed', { command: job.command.name, triggerId: job.triggerId, error: text });
    message = failureMessage([{ code: job.command.name }], text.split('\n')[0] ?? text);
  }
  if (begin.kind === 'retry')
    message = {
      ...message,
      text: `(An earlier delivery of this command ${begin.earlier.state === 'running' ? 'died before it finished' : 'failed'}; this is the retry.) ${message.text}`,
    };
  await ports.store.finishTrigger(job.triggerId, runId, failed ? 'failed' : 'done', message.text);
  const posted = await ports.reply(job, message);
  return { status: failed ? 'failed' : 'answered', command: job.command.name, message, posted };
}

export { executeChatJob };
export type { ChatOutcome };
