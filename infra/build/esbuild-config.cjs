// esbuild plugins for the Lambda bundles, shared by serverless-esbuild (serverless.yml
// `custom.esbuild.plugins` names this file; it calls the exported function with the serverless
// instance) and by scripts/build.js (`npm run build`), so both build the same bundles.
//
// Configuration is compiled at build time: the policy file named by JANITOR_POLICY_FILE (the
// `policyFile` stage parameter) is parsed and validated here (infra/build/compile-config.ts, the same
// parser and schema as the CLI), and its JSON is defined as `__JANITOR_DEPLOYED_CONFIG__`;
// functions/adapters/deployed-config.ts validates it again at cold start. The YAML reader is
// swapped for a stub, and a bundle that still contains the `yaml` package fails the build, so no
// bundle carries a YAML parser. Likewise a webhook bundle that contains an AWS SDK client fails.
'use strict';
const { execFileSync } = require('node:child_process');
const { join, resolve } = require('node:path');

const ROOT = resolve(__dirname, '..', '..');
const compiled = new Map();

/** The compiled configuration's JSON text for `policyFile` (relative to the service root), once per process. */
function compileConfig(policyFile) {
  let text = compiled.get(policyFile);
  if (text === undefined) {
    try {
      text = execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'infra', 'build', 'compile-config.ts'), policyFile], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    } catch (error) {
      const detail = error && typeof error === 'object' && 'stderr' in error ? String(error.stderr).trim() : String(error);
      throw new Error(`cannot compile the deployed configuration from ${policyFile}:\n${detail}`);
    }
    compiled.set(policyFile, text);
  }
  return text;
}

/** @param {string} policyFile @returns {import('esbuild').Plugin} */
function deployedConfigPlugin(policyFile) {
  return {
    name: 'janitor-deployed-config',
    setup(build) {
      build.initialOptions.define = {
        ...build.initialOptions.define,
        __JANITOR_DEPLOYED_CONFIG__: JSON.stringify(compileConfig(policyFile)),
      };
      build.onResolve({ filter: /^\.\/policy-yaml\.js$/ }, (args) => ({ path: join(args.resolveDir, 'policy-yaml.bundle.ts') }));
      // The tenants file is read as JSON in the bundles (lib/tenants/text.bundle.ts).
      build.onResolve({ filter: /^\.\/text\.js$/ }, (args) =>
        /[\\/]lib[\\/]tenants$/.test(args.resolveDir) ? { path: join(args.resolveDir, 'text.bundle.ts') } : undefined,
      );
      // lib/policy's index re-exports the YAML-reading parser: declared free of side effects, the
      // parser is dropped from every bundle that never calls it (checked below).
      build.onResolve({ filter: /^yaml$/ }, (args) => ({
        path: require.resolve('yaml', { paths: [args.resolveDir] }),
        sideEffects: false,
      }));
      build.initialOptions.metafile = true;
      build.onEnd((result) => {
        if (result.metafile === undefined) return undefined;
        const errors = [];
        for (const [file, output] of Object.entries(result.metafile.outputs)) {
          // The webhook answers inside Slack's 3 s: its AWS calls are signed fetches, never an SDK client (README, "Bundles").
          const client = /(^|[\\/])functions[\\/]webhook\.ts$/.test(output.entryPoint ?? '')
            ? Object.keys(output.inputs).find((input) => /node_modules\/@aws-sdk\/client-/.test(input))
            : undefined;
          if (client !== undefined)
            errors.push({ text: `${file} bundles an AWS SDK client (${client}): the webhook calls AWS with signed fetches only` });
          const yaml = Object.entries(output.inputs).filter(([input, use]) => /node_modules\/yaml\//.test(input) && use.bytesInOutput > 0);
          if (yaml.length > 0)
            errors.push({
              text: `${file} bundles the YAML parser (${yaml[0][0]}): function bundles carry compiled JSON configuration only (see infra/build/esbuild-config.cjs)`,
            });
        }
        return { errors };
      });
    },
  };
}

/** serverless-esbuild calls this with the serverless instance (variables already resolved). */
function pluginsFor(serverless) {
  const policyFile = serverless.service.provider.environment?.JANITOR_POLICY_FILE;
  if (typeof policyFile !== 'string' || policyFile === '')
    throw new Error('provider.environment.JANITOR_POLICY_FILE must name the policy file to compile into the bundles');
  return [deployedConfigPlugin(policyFile)];
}

module.exports = pluginsFor;
module.exports.deployedConfigPlugin = deployedConfigPlugin;
module.exports.compileConfig = compileConfig;
