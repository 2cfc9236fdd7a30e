/**
 * lib/policy: a pure policy engine. Policy text → parsePolicy → Policy; evaluate({fleet, policy,
 * now, observations}) → Plan with a reason for every item; explain(...) for one item. No I/O, no
 * clock reads: callers pass `now` and the ledger's observations in.
 */
export { PolicyError, InvalidConditionError, InvalidGlobError, InvalidNowError } from './errors.js';
export { parsePolicy, formatPolicyIssues } from './parse.js';
export type { PolicyIssue, ParsePolicyResult } from './parse.js';
export { evaluate } from './evaluate.js';
export type { EvaluateInput } from './evaluate.js';
export { explain, formatExplanation } from './explain.js';
export type { Explanation, ExplainInput, ItemExplanation, RuleExplanation, FinalDecision } from './explain.js';
export { policyJsonSchema, policyJsonSchemaText } from './json-schema.js';
export { Policy, Rates, TIMESTAMP_FIELDS, RULE_ACTIONS, GENERATIVE_AI_SCENARIOS, CONDITIONS } from './schema.js';
export type { PolicyInput, Rule, Condition, Caps, Protect, ConditionKind, TimestampField, RuleAction } from './schema.js';
export type { ConditionTrace, Truth } from './conditions.js';
export { durationSeconds, formatAge } from './duration.js';
export { PLAN_VERSION, SKIP_KINDS, comingUpOf, comingUpSavings } from './plan.js';
export type { MatchedCondition, PlannedAction, SkipKind, SkippedItem, Abort, GroupTotals, GroupPlan, Plan } from './plan.js';
export { NO_OBSERVATIONS, observationKey } from './observations.js';
export type { Observations } from './observations.js';
export { savingsOf, totalSavings, savingsSummary, savingsCell, warmNodesSummary, EMPTY_SAVINGS } from './savings.js';
export { Notice, NO_NOTICE_CHANGES, noticeVerdict, policyGivesNotices } from './notices.js';
export type { ComingUp, NoticeChanges, NoticeVerdict } from './notices.js';
export type { Savings, SavingsTotals, PlanSavings, Estimate } from './savings.js';
