// Bundles each Lambda function with esbuild into dist/<name>.cjs (CommonJS: the format the
// serverless toolchain runs reliably), the same settings serverless.yml gives serverless-esbuild.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';

const functions = readdirSync('functions').filter((f) => f.endsWith('.ts')).map((f) => f.replace(/\.ts$/, ''));

for (const name of functions) {
  const result = await build({
    entryPoints: [`functions/${name}.ts`],
    outfile: `dist/${name}.cjs`,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
  });
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  console.log(`dist/${name}.cjs  ${(bytes / 1024).toFixed(0)} KiB (with source map)`);
}
