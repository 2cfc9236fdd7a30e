/**
 * `simulator`: the AI Core simulator on its own until Ctrl-C, serving the demo fleet, a snapshot
 * (`--fleet`, e.g. from `snapshot --out`) or a generated fleet (`--generate N --seed S`), optionally
 * with faults (`--faults FILE`) and without bulk updates (`--no-bulk`). It prints a matching service
 * key as a line to paste into another shell, so any client (this CLI, SAP's SDKs, curl) can use it.
 */
import { readFile } from 'node:fs/promises';
import * as z from 'zod';
import {
  FaultConfig,
  SnapshotError,
  demoFleet,
  generateFleet,
  loadSnapshot,
  startSimulator,
  type RunningSimulator,
  type SimulatorFleet,
} from '../infra/local/simulator/index.js';
import { InputError, UsageError, type CliArgs } from './args.js';
import type { CliIo } from './io.js';
import { errorMessage, errorCode } from '../lib/util/errors.js';

type SimulatorArgs = Pick<CliArgs, 'port' | 'fleet' | 'generate' | 'seed' | 'faults' | 'noBulk'>;

interface StartedSimulator {
  simulator: RunningSimulator;
  /** One line saying what is served, e.g. `snapshot prod.json: 3 group(s), 120 item(s)`. */
  description: string;
}

function countItems(fleet: SimulatorFleet): string {
  const items = [...Object.values(fleet.executions), ...Object.values(fleet.deployments)].reduce((n, list) => n + list.length, 0);
  return `${fleet.resourceGroups.length} group(s), ${items} item(s)`;
}

async function chooseFleet(args: SimulatorArgs, now: Date): Promise<{ fleet: SimulatorFleet; source: string }> {
  if (args.fleet !== undefined && args.generate !== undefined) throw new UsageError('--fleet and --generate cannot be combined');
  if (args.fleet !== undefined) {
    try {
      return { fleet: await loadSnapshot(args.fleet), source: `snapshot ${args.fleet}` };
    } catch (error) {
      // A bad file is the user's input, not a crash: exit 2 with the snapshot's own explanation.
      if (error instanceof SnapshotError) throw new InputError(error.message);
      throw error;
    }
  }
  if (args.generate !== undefined) {
    const seed = args.seed ?? 1;
    return { fleet: generateFleet({ seed, items: args.generate, now }), source: `generated fleet (seed ${seed})` };
  }
  return { fleet: demoFleet(now), source: 'demo fleet' };
}

async function readFaults(path: string): Promise<FaultConfig> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new InputError(`cannot read fault config ${path}: ${errorMessage(error)}`);
  }
  const parsed = FaultConfig.safeParse(raw);
  if (!parsed.success) throw new InputError(`fault config ${path} is not valid:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

function isAddressInUse(error: unknown): boolean {
  return errorCode(error) === 'EADDRINUSE';
}

/**
 * Starts the simulator the command line describes; the caller stops it. Bad input (unreadable or
 * invalid snapshot or fault file, a busy port) throws InputError, so the CLI exits 2.
 */
async function startSimulatorFromArgs(args: SimulatorArgs, now: Date = new Date()): Promise<StartedSimulator> {
  const { fleet, source } = await chooseFleet(args, now);
  const faults = args.faults === undefined ? undefined : await readFaults(args.faults);
  const bulk = !args.noBulk;
  let simulator: RunningSimulator;
  try {
    simulator = await startSimulator({
      fleet,
      bulkUpdates: { executions: bulk, deployments: bulk },
      ...(args.port === undefined ? {} : { port: args.port }),
      ...(faults === undefined ? {} : { faults }),
      ...(args.seed === undefined ? {} : { seed: args.seed }),
    });
  } catch (error) {
    if (isAddressInUse(error)) throw new InputError(`port ${args.port ?? 0} is already in use`);
    throw error;
  }
  const extras = [bulk ? 'bulk updates on' : 'bulk updates off', ...(args.faults === undefined ? [] : [`faults from ${args.faults}`])];
  return { simulator, description: `${source}: ${countItems(fleet)}; ${extras.join(', ')}` };
}

/** POSIX single-quoting, so the printed line can be pasted into any sh-like shell as is. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** The lines that tell a user how to reach a running simulator. */
function describeSimulator(started: StartedSimulator): string[] {
  const { simulator, description } = started;
  return [
    `AI Core simulator listening on ${simulator.url}`,
    `Serving ${description}`,
    "Point any client at it (this CLI, SAP's SDKs) by pasting into another shell:",
    `export AICORE_SERVICE_KEY=${shellQuote(JSON.stringify(simulator.serviceKey))}`,
  ];
}

async function simulatorCommand(args: CliArgs, io: CliIo): Promise<number> {
  const started = await startSimulatorFromArgs(args);
  for (const line of describeSimulator(started)) io.out(line);
  io.err('Press Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await started.simulator.stop();
  return 0;
}

export { simulatorCommand, startSimulatorFromArgs, describeSimulator, shellQuote };
export type { SimulatorArgs, StartedSimulator };
