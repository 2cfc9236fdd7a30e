/**
 * Whether an `apply <hash>` may go ahead, decided purely from the recorded plan(s) the hash names.
 * An approval covers one plan that was shown in chat, for a limited time, once; when the policy
 * demands it, by someone other than the person who asked for the plan. (Whether the live fleet
 * still yields that exact plan is checked later, by the run itself: `requirePlanHash`.)
 */
import { code, slackDate } from './blocks.js';
import { mention } from './job.js';

/** A plan as the store recorded it when `plan` showed it (structurally the store's PlanRecord). */
interface RecordedPlan {
  hash: string;
  requester: string;
  createdAt: string;
  expiresAt: string;
  approvedBy: string | null;
}

interface ApprovalInput {
  /** The hash (or prefix) the approver gave. */
  hash: string;
  /** Recorded plans whose hash starts with it. */
  matches: readonly RecordedPlan[];
  approver: string;
  /** The policy's `approval.required`: the approver must differ from the requester. */
  required: boolean;
  now: Date;
}

type ApprovalDecision = { ok: true; plan: RecordedPlan } | { ok: false; reason: string };

function checkApproval(input: ApprovalInput): ApprovalDecision {
  const shown = code(input.hash.slice(0, 12));
  const [plan, ...others] = input.matches;
  if (plan === undefined) return { ok: false, reason: `No plan ${shown} was shown here, or it was cleaned up. Run \`/janitor plan\` and approve the hash it shows.` };
  if (others.length > 0) return { ok: false, reason: `${shown} matches more than one plan; use the full hash.` };
  if (Date.parse(plan.expiresAt) <= input.now.getTime()) {
    return { ok: false, reason: `The approval window for plan ${shown} closed ${slackDate(plan.expiresAt)}. Run \`/janitor plan\` again.` };
  }
  if (plan.approvedBy !== null) return { ok: false, reason: `Plan ${shown} was already approved by ${mention(plan.approvedBy)}. Run \`/janitor plan\` again.` };
  if (input.required && input.approver === plan.requester) {
    return { ok: false, reason: `You asked for plan ${shown}; this policy requires someone else to approve it.` };
  }
  return { ok: true, plan };
}

export { checkApproval };
export type { RecordedPlan, ApprovalInput, ApprovalDecision };
