// Bundles the CLI's own TypeScript into dist/cli/main.mjs (dependencies stay in node_modules), so
// `aicore-janitor` starts without compiling on every run. Runs on `npm install` (npm's `prepare`);
// bin/aicore-janitor.js falls back to compiling with tsx whenever this bundle is missing or older
// than a source file.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';

// Chunk names change with their content: start from an empty folder.
rmSync('dist/cli', { recursive: true, force: true });

await build({
  entryPoints: ['lib/cli/main.ts'],
  // dist/cli/ is as deep as lib/cli/: paths the sources resolve from import.meta.url stay right.
  outdir: 'dist/cli',
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
