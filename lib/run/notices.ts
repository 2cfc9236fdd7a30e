/**
 * When a run writes heads-up notices (lib/policy/notices.ts decides which): the first scheduled run
 * (dry-run or apply) or apply that selects an item gives its notice; a plan asked for by a person
 * (CLI `plan`, chat `plan`) only shows what would be noticed, and records nothing.
 */
import { observationKey, type Observations } from '../policy/observations.js';
import type { NoticeChanges } from '../policy/notices.js';
import type { Plan } from '../policy/plan.js';
import type { ItemOutcome } from './report.js';

interface NoticeTrigger {
  trigger: string;
  consent: boolean;
  /** Overrides the rule below (tests, a front door with its own idea). */
  recordNotices?: boolean | undefined;
}

/**
 * @example
 * givesNotices({ trigger: 'schedule', consent: false }); // true: a scheduled dry run
 * givesNotices({ trigger: 'cli', consent: false }); // false: `plan`
 */
function givesNotices(config: NoticeTrigger): boolean {
  return config.recordNotices ?? (config.consent || config.trigger === 'schedule');
}

/** Every group's notice changes in one batch. */
function noticeChanges(plan: Pick<Plan, 'groups'>): NoticeChanges {
  return { record: plan.groups.flatMap((g) => g.notices.record), drop: plan.groups.flatMap((g) => g.notices.drop) };
}

/**
 * A notice covers one action: once that was sent, its notice goes (a later action needs a fresh
 * heads-up). Without the observations (a tenant run's apply step has none), every sent item's.
 */
function spentNotices(outcomes: readonly ItemOutcome[], observations?: Pick<Observations, 'notices'>): NoticeChanges {
  const spent = outcomes.filter(
    (o) => o.sent && (observations === undefined || observations.notices?.[observationKey(o.group, o.type, o.id)] !== undefined),
  );
  return { record: [], drop: spent.map(({ group, type, id }) => ({ group, type, id })) };
}

export { givesNotices, noticeChanges, spentNotices };
export type { NoticeTrigger };
