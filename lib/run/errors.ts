/**
 * Every failure lib/run raises on purpose: one base class, so a front door can tell the run's own
 * refusals from a bug, and one class per failure mode, carrying what a report or a message needs.
 */

class RunError extends Error {
  override name = 'RunError';
}

/** The deadline passed: nothing more is sent. */
class DeadlineReachedError extends RunError {
  override name = 'DeadlineReachedError';
  constructor(
    message: string,
    readonly deadline: Date,
  ) {
    super(message);
  }
}

/** Evaluating one group's fleet gave no plan for it (a bug in the coordinator, never data). */
class MissingGroupPlanError extends RunError {
  override name = 'MissingGroupPlanError';
  constructor(readonly group: string) {
    super(`evaluating group ${group} gave no plan`);
  }
}

/** What a step is about to stage does not match its schema (a bug in the step, never data): nothing is written. */
class UnstageableDataError extends RunError {
  override name = 'UnstageableDataError';
  constructor(
    readonly runId: string,
    readonly stagedName: string,
    problems: string,
  ) {
    super(`staged '${stagedName}' of run ${runId} does not match its schema:\n${problems}`);
  }
}

export { RunError, DeadlineReachedError, MissingGroupPlanError, UnstageableDataError };
