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

export { RunError, DeadlineReachedError, MissingGroupPlanError };
