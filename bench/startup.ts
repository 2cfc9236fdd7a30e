/**
 * Start-up costs, each the median of fresh processes minus a bare `node -e 0` measured in the same
 * run: the function bundles' cold import (module evaluation only: AWS endpoints pointed at a
 * closed loopback port, nothing awaited) and the CLI's `help`. Part of `npm run bench`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const CLOSED = 'http://127.0.0.1:9';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

function wallOf(args: string[], runs: number): number {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_REGION: 'us-east-1',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_ENDPOINT_URL: CLOSED,
    DYNAMODB_ENDPOINT: CLOSED,
    LAMBDA_ENDPOINT: CLOSED,
    NODE_OPTIONS: '',
  };
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    const result = spawnSync(process.execPath, args, { env, stdio: 'ignore' });
    times.push(performance.now() - start);
    if (result.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${result.status}`);
  }
  return median(times);
}

interface BundleRow {
  name: string;
  bytes: number;
  importMs: number;
}

/** Builds with `npm run build`'s script, then measures each dist/<fn>.cjs. */
function measureBundles(root: string, runs: number): { bare: number; bundles: BundleRow[]; helpMs: number } {
  execFileSync(process.execPath, [join(root, 'scripts', 'build.js')], { cwd: root, stdio: 'ignore' });
  execFileSync(process.execPath, [join(root, 'scripts', 'build-cli.js')], { cwd: root, stdio: 'ignore' });
  const bare = wallOf(['-e', '0'], runs);
  const bundles = ['scheduled', 'webhook', 'worker'].map((name) => {
    const file = join(root, 'dist', `${name}.cjs`);
    return { name, bytes: statSync(file).size, importMs: Math.max(0, wallOf(['-e', `require(${JSON.stringify(file)})`], runs) - bare) };
  });
  const helpMs = Math.max(0, wallOf([join(root, 'bin', 'aicore-janitor.js'), 'help'], runs) - bare);
  return { bare, bundles, helpMs };
}

export { measureBundles, median };
export type { BundleRow };
