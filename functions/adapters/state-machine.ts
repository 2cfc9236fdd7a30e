/**
 * Starting and following executions of the janitor's state machine (infra/janitor.asl.json), shared
 * by the schedule's starter and the chat worker. An execution is named after its trigger, so a
 * second delivery of one trigger finds the first execution (ExecutionAlreadyExists) instead of
 * starting a second run.
 */
import { createHash } from 'node:crypto';
import { DescribeExecutionCommand, type SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';

type SfnClient = Pick<SFNClient, 'send'>;

/**
 * Execution names allow 1-80 of `A-Za-z0-9-_`: a longer or unusual trigger id keeps a readable
 * prefix and a hash of the whole id, so two ids never share a name.
 *
 * @example
 * executionName('schedule:1a2b-3c') // 'schedule-1a2b-3c'
 */
function executionName(triggerId: string): string {
  const plain = triggerId.replace(/[^A-Za-z0-9_-]/g, '-');
  if (plain === triggerId && plain.length <= 80) return plain;
  const hash = createHash('sha256').update(triggerId, 'utf8').digest('hex').slice(0, 16);
  return `${plain.slice(0, 63)}-${hash}`;
}

/** The ARN Step Functions gives execution `name` of a state machine. */
function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

type Started = { status: 'started'; executionArn: string; startDate: Date | undefined } | { status: 'exists'; executionArn: string };

/** Starts execution `name`; one that exists already (a repeated trigger) is answered as `exists`. */
async function startNamedExecution(sfn: SfnClient, stateMachineArn: string, name: string, input: unknown): Promise<Started> {
  try {
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
    return { status: 'started', executionArn: started.executionArn ?? executionArnOf(stateMachineArn, name), startDate: started.startDate };
  } catch (error) {
    if (error instanceof Error && error.name === 'ExecutionAlreadyExists')
      return { status: 'exists', executionArn: executionArnOf(stateMachineArn, name) };
    throw error;
  }
}

type Finished =
  | { status: 'SUCCEEDED'; output: string }
  | { status: 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'PENDING_REDRIVE'; error: string }
  | { status: 'RUNNING' };

interface WaitOptions {
  /** Stop waiting once less than this is left (the caller still has to answer). */
  giveUpAt: () => boolean;
  /** First pause between DescribeExecution calls; it doubles up to `maxPollMs`. */
  pollMs: number;
  maxPollMs: number;
  sleep: (ms: number) => Promise<void>;
}

/** Follows an execution until it ends, or until `giveUpAt` says there is no time left (`RUNNING`). */
async function waitForExecution(sfn: SfnClient, executionArn: string, options: WaitOptions): Promise<Finished> {
  let pause = options.pollMs;
  for (;;) {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const status = described.status;
    if (status === 'SUCCEEDED') return { status, output: described.output ?? 'null' };
    if (status !== undefined && status !== 'RUNNING')
      return { status, error: [described.error, described.cause].filter((x) => x !== undefined).join(': ') || 'no cause given' };
    if (options.giveUpAt()) return { status: 'RUNNING' };
    await options.sleep(pause);
    pause = Math.min(pause * 2, options.maxPollMs);
  }
}

export { executionName, executionArnOf, startNamedExecution, waitForExecution };
export type { SfnClient, Finished };
