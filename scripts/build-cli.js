// Bundles the CLI's own TypeScript into dist/cli.mjs (dependencies stay in node_modules), so
// `aicore-janitor` starts without compiling on every run. Runs on `npm install` (npm's `prepare`);
// bin/aicore-janitor.js falls back to compiling with tsx whenever this bundle is missing or older
// than a source file.
import { build } from 'esbuild';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';

// Chunk names change with their content: remove the previous build's files first.
mkdirSync('dist', { recursive: true });
for (const name of readdirSync('dist')) if (name.startsWith('cli')) rmSync(`dist/${name}`, { recursive: true, force: true });

await build({
  entryPoints: { cli: 'cli/main.ts' },
  // dist/ is as deep as cli/: paths the sources resolve from import.meta.url stay right.
  outdir: 'dist',
  chunkNames: 'cli-[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  // Each command is its own chunk, loaded only when it runs.
  splitting: true,
  bundle: true,
  packages: 'external',
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  logLevel: 'warning',
});
