/**
 * Runs the deployed definition (infra/janitor.asl.json) with aws-local-stepfunctions, every Task
 * bound to the real step handler (functions/steps) through taskResourceLocalHandlers.
 */
import './polyfill.js';
import { readFileSync } from 'node:fs';
import { StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { applyGroupStep } from '../../functions/steps/apply-group.js';
import { digestStep } from '../../functions/steps/digest.js';
import { listGroupsStep } from '../../functions/steps/list-groups.js';
import { planGroupStep } from '../../functions/steps/plan-group.js';
import { summaryStep } from '../../functions/steps/summary.js';
import type { StepDeps } from '../../functions/steps/tenant-context.js';
import { verdictStep } from '../../functions/steps/verdict.js';

const DEFINITION_PATH = 'infra/janitor.asl.json';

function definition(): StateMachineDefinition {
  // The file is validated by asl-validator in asl.test.ts; the interpreter validates it again.
  const parsed: unknown = JSON.parse(readFileSync(DEFINITION_PATH, 'utf8'));
  return parsed as StateMachineDefinition;
}

type Json = Parameters<StateMachine['run']>[0];

/** Task state name → the handler that the deployed Lambda runs. */
function localHandlers(deps: StepDeps): Record<string, (input: Json) => Promise<Json>> {
  const json = async (result: Promise<unknown>): Promise<Json> => JSON.parse(JSON.stringify(await result)) as Json;
  return {
    ListGroups: (input) => json(listGroupsStep(deps)(input)),
    PlanGroup: (input) => json(planGroupStep(deps)(input)),
    Verdict: (input) => json(verdictStep(deps)(input)),
    ApplyGroup: (input) => json(applyGroupStep(deps, { confirmDelayMs: 1 })(input)),
    Digest: (input) => json(digestStep(deps)(input)),
    Summary: (input) => json(summaryStep(input)),
  };
}

/** Every retrier waits 0 ms locally. */
const NO_WAITS = { ListGroups: 0, PlanGroup: 0, Verdict: 0, ApplyGroup: 0, Digest: 0, Summary: 0 };

type Handler = (input: Json) => Promise<Json>;

interface LocalRunOptions {
  /** Replaces a Task's handler (a step that fails, say). */
  handlers?: Partial<Record<keyof typeof NO_WAITS, Handler>>;
  /** Sees every Task's input and output, as the state machine passes them. */
  onTask?: (task: string, input: Json, output: Json) => void;
}

async function runLocally(deps: StepDeps, input: Json, options: LocalRunOptions = {}): Promise<unknown> {
  const machine = new StateMachine(definition(), { validationOptions: { checkArn: true, checkPaths: true } });
  const handlers: Record<string, Handler> = { ...localHandlers(deps), ...options.handlers };
  const observe = options.onTask;
  const observed =
    observe === undefined
      ? handlers
      : Object.fromEntries(
          Object.entries(handlers).map(([task, handle]) => [
            task,
            async (taskInput: Json) => {
              const output = await handle(taskInput);
              observe(task, taskInput, output);
              return output;
            },
          ]),
        );
  const execution = machine.run(input, { overrides: { taskResourceLocalHandlers: observed, retryIntervalOverrides: NO_WAITS } });
  return execution.result;
}

export { runLocally, definition, DEFINITION_PATH };
export type { LocalRunOptions };
