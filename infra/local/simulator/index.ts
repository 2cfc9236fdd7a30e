/**
 * The loopback SAP AI Core simulator: the public API that tests, `npm start` and the local stack
 * use. See server.ts for the routes and faults.ts for fault injection.
 */
export { startSimulator } from './server.js';
export type { SimulatorOptions, RunningSimulator, ServiceKeyJson } from './server.js';
export { SimulatorFleet, SnapshotError, emptyFleet, loadSnapshot, parseFleet } from './fleet.js';
export { demoFleet } from './demo.js';
export { FaultConfig } from './faults.js';
export { RequestLog } from './request-log.js';
export type { RequestLogEntry } from './request-log.js';
export { generateFleet } from './generate.js';
export type { GenerateOptions } from './generate.js';
export { edgeCaseFleet } from './fixtures.js';
