/**
 * Whether an `apply <hash>` may go ahead, decided purely from the recorded plan(s) the hash names.
 * An approval covers one plan that was shown in chat, for a limited time, once; when the policy
 * demands it, by someone other than the person who asked for the plan. (Whether the live fleet
 * still yields that exact plan is checked later, by the run itself: `requirePlanHash`.)
 */
import { platformOfUser, type Rich } from './model.js';

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

type ApprovalDecision = { ok: true; plan: RecordedPlan } | { ok: false; reason: Rich };

const PLATFORM_NAMES = { slack: 'Slack', teams: 'Microsoft Teams', webhook: 'the JSON webhook' } as const;

/**
 * Refusals are rich text (model.ts), rendered by each platform. A plan is approved on the platform
 * that showed it: the same person has a different id in Slack, in Teams and on the JSON webhook, so
 * "someone other than the requester" can only be checked within one of them.
 */
function checkApproval(input: ApprovalInput): ApprovalDecision {
  const shown = { code: input.hash.slice(0, 12) };
  const again: Rich = ['Ask for a new ', { code: 'plan' }, '.'];
  const [plan, ...others] = input.matches;
  if (plan === undefined)
    return {
      ok: false,
      reason: ['No plan ', shown, ' was shown here, or it was cleaned up. Ask for a ', { code: 'plan' }, ' and approve the hash it shows.'],
    };
  if (others.length > 0) return { ok: false, reason: [shown, ' matches more than one plan; use the full hash.'] };
  if (Date.parse(plan.expiresAt) <= input.now.getTime())
    return { ok: false, reason: ['The approval window for plan ', shown, ' closed ', { date: plan.expiresAt }, '. ', ...again] };
  if (plan.approvedBy !== null)
    return { ok: false, reason: ['Plan ', shown, ' was already approved by ', { user: plan.approvedBy }, '. ', ...again] };
  const shownOn = platformOfUser(plan.requester);
  if (shownOn !== platformOfUser(input.approver)) {
    return {
      ok: false,
      reason: ['Plan ', shown, ` was shown in ${PLATFORM_NAMES[shownOn]}; approve it there, where the requester is known.`],
    };
  }
  if (input.required && input.approver === plan.requester) {
    return { ok: false, reason: ['You asked for plan ', shown, '; this policy requires someone else to approve it.'] };
  }
  return { ok: true, plan };
}

export { checkApproval };
export type { RecordedPlan, ApprovalInput, ApprovalDecision };
