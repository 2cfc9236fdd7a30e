/**
 * What the chat use case (execute-job.ts) needs from the outside, as small ports: the store of plans,
 * approvals, snoozes and trigger records; the runner that plans or applies; the policy's approval
 * rules; the reply that reaches the chat; a clock and the time left. The worker wires them from its
 * environment (functions/adapters/chat-command.ts); tests hand in fakes or the real stores.
 */
import type { ChatOpsStore, JanitorStore } from '../store/ports.js';
import type { TriggerRecord } from '../store/records.js';
import type { DigestRun } from './digest.js';
import type { ChatJob } from './job.js';
import type { ChatMessage } from './model.js';

/** Plans, approvals and snoozes, and the records that keep each trigger to one answer. */
type ChatStore = ChatOpsStore & Pick<JanitorStore, 'recentRuns' | 'beginTrigger' | 'finishTrigger' | 'snoozeNotices'>;

/** One run the chat asks for: a dry run (`plan`) or an approved apply. */
interface ChatRunRequest {
  trigger: string;
  triggerId: string;
  consent: boolean;
  /** Act only if the fresh plan has exactly this hash (the approved one). */
  requirePlanHash?: string;
}

/** What a run answered: its report, an earlier delivery's record, or another run's lock. */
type ChatRunResult =
  | { status: 'done'; report: DigestRun }
  | { status: 'duplicate'; first: TriggerRecord }
  | { status: 'locked'; message: string };

/** Plans or applies, in-process (lambda engine) or through the state machine (step-functions). */
type ChatRunner = (request: ChatRunRequest) => Promise<ChatRunResult>;

/** The policy's chat-ops approval rules (lib/policy's `approval`). */
interface ChatApprovalRules {
  required: boolean;
  expiresAfter: string;
}

/** Renders and posts one answer for the job's platform; false when it could not be posted. */
type ChatReply = (job: ChatJob, message: ChatMessage) => Promise<boolean>;

type ChatLog = (level: 'info' | 'error', message: string, data: Record<string, unknown>) => void;

interface ChatPorts {
  store: ChatStore;
  /** Read when a plan or an apply needs it (a policy that does not load fails that command only). */
  approval: () => Promise<ChatApprovalRules>;
  run: ChatRunner;
  reply: ChatReply;
  clock: () => Date;
  /** Time left in this invocation: a chat trigger still `running` after it has died. */
  remainingMs: () => number;
  /** JANITOR_DISABLED: plans and applies are refused; status, snooze and help still answer. */
  disabled: boolean;
  log: ChatLog;
}

/** The chat use case's defaults, in one place. */
const CHAT_DEFAULTS = {
  /** Run records `status` shows. */
  statusRuns: 10,
  /** Slack retries a slow ack within seconds; Lambda retries a failed async invocation after a minute. */
  platformRetryWindowMs: 60_000,
  /**
   * An approval window whose duration does not convert to seconds (the policy schema admits only
   * ones that do) gets the schema's own default, `approval.expiresAfter: 1h`.
   */
  approvalWindowSeconds: 3600,
} as const;

export { CHAT_DEFAULTS };
export type { ChatStore, ChatRunRequest, ChatRunResult, ChatRunner, ChatApprovalRules, ChatReply, ChatLog, ChatPorts };
