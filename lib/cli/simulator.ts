/**
 * `simulator`: the AI Core simulator on its own, seeded with the demo fleet, until Ctrl-C. It prints
 * a matching service key so any client (this CLI, SAP's SDKs, curl) can be pointed at it.
 */
import { demoFleet, startSimulator } from '../../infra/local/simulator/index.js';
import type { CliArgs } from './args.js';
import type { CliIo } from './io.js';

async function simulatorCommand(args: CliArgs, io: CliIo): Promise<number> {
  const simulator = await startSimulator({ fleet: demoFleet(new Date()), ...(args.port === undefined ? {} : { port: args.port }) });
  io.out(`AI Core simulator listening on ${simulator.url}`);
  io.out(`AICORE_SERVICE_KEY='${JSON.stringify(simulator.serviceKey)}'`);
  io.err('Press Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await simulator.stop();
  return 0;
}

export { simulatorCommand };
