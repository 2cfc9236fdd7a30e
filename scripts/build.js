// Bundles each Lambda function with esbuild into dist/<name>.cjs with the esbuild settings of
// serverless.yml (`custom.esbuild`, read from the file, so `npm run build` and `serverless package`
// cannot drift) and the same plugins (infra/build/esbuild-config.cjs: the policy compiled in as JSON).
// The policy compiled in is JANITOR_POLICY_FILE, else the `policyFile` default of serverless.yml.
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { parse } from 'yaml';
import esbuildConfig from '../infra/build/esbuild-config.cjs';

const service = parse(readFileSync('serverless.yml', 'utf8'));
const settings = service.custom.esbuild;
const policyFile = process.env.JANITOR_POLICY_FILE ?? service.params.default.policyFile;
const functions = readdirSync('functions')
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''));

for (const name of functions) {
  rmSync(`dist/${name}.cjs`, { force: true });
  rmSync(`dist/${name}.cjs.map`, { force: true });
  const result = await build({
    entryPoints: [`functions/${name}.ts`],
    outfile: `dist/${name}${settings.outputFileExtension}`,
    bundle: settings.bundle,
    minify: settings.minify,
    sourcemap: settings.sourcemap,
    target: settings.target,
    platform: settings.platform,
    format: settings.format,
    mainFields: settings.mainFields,
    plugins: [esbuildConfig.deployedConfigPlugin(policyFile)],
    metafile: true,
    logLevel: 'warning',
  });
  const code = Object.entries(result.metafile.outputs)
    .filter(([file]) => !file.endsWith('.map'))
    .reduce((n, [, o]) => n + o.bytes, 0);
  console.log(
    `dist/${name}${settings.outputFileExtension}  ${(code / 1024).toFixed(0)} KiB (without its source map; policy compiled from ${policyFile})`,
  );
}
