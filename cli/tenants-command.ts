/**
 * `plan --tenants FILE` and `apply --tenants FILE`: every tenant of a tenants file, each with its
 * local service-key file (`serviceKeyFile`), through lib/run/tenant's runTenants — the very steps
 * the state machine runs — on the CLI's state (local LevelDB or --table), one store namespace per
 * tenant. Paths in the tenants file are relative to the file. One tenant's failure is its own.
 */
import { randomUUID } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { AiCoreClient } from '../lib/aicore/client.js';
import { credentialsFromFile } from '../lib/aicore/credentials.js';
import { tenantNamespace } from '../lib/aicore/tenant.js';
import { Transport } from '../lib/aicore/transport.js';
import type { LoadedPolicy } from '../lib/run/policy-file.js';
import { tenantPolicy } from '../lib/run/tenant/context.js';
import { runTenants } from '../lib/run/tenant/run-tenants.js';
import type { VerdictSummary } from '../lib/run/tenant/verdict.js';
import { loadTenantsFile } from '../lib/tenants/load.js';
import type { Tenant } from '../lib/tenants/schema.js';
import { EXIT, InputError, type CliArgs } from './args.js';
import type { CliIo } from './io.js';
import { jsonDocument } from './json-output.js';
import { Progress } from './progress.js';
import { policyFor } from './run-command.js';
import { openState } from './state.js';
import { CliError } from './errors.js';

/** Tenants planned at once (each bounded again by its own limits.groupConcurrency). */
const CLI_TENANT_CONCURRENCY = 4;

/**
 * @example
 * await runTenantsCommand({ ...args, tenants: 'tenants.yaml' }, io); // exit code
 */
async function runTenantsCommand(args: CliArgs & { tenants: string }, io: CliIo): Promise<number> {
  const apply = args.command === 'apply';
  if (args.serviceKey !== undefined || args.groups.length > 0)
    throw new InputError(
      "--tenants names each tenant's service key (serviceKeyFile) and groups in the file: drop --service-key and --group",
    );
  const file = await loadTenantsFile(args.tenants);
  const base = dirname(resolve(args.tenants));
  const missingKey = file.tenants.filter((t) => t.serviceKeyFile === undefined).map((t) => t.name);
  if (missingKey.length > 0)
    throw new InputError(`${args.tenants}: local runs read each tenant's key from serviceKeyFile; missing for ${missingKey.join(', ')}`);
  const policies = new Map<string, LoadedPolicy>();
  for (const tenant of file.tenants)
    policies.set(tenant.name, await policyFor({ policy: tenant.policy === undefined ? args.policy : resolve(base, tenant.policy) }));
  if (apply) {
    const dry = file.tenants.filter((t) => policies.get(t.name)?.policy.mode !== 'apply').map((t) => t.name);
    if (dry.length > 0)
      throw new InputError(
        `refusing to apply: the policy of ${dry.join(', ')} is dry-run. Set "mode: apply" in each tenant's policy to allow acting.`,
      );
    if (!args.yes && !io.isInteractive) throw new InputError('apply needs a terminal (stdin) to confirm, or --yes');
  }

  const progress = Progress.for(io, args.json);
  const deadline = new Date(Date.now() + args.deadlineSeconds * 1000);
  const runId = randomUUID();
  const state = await openState(args.table, 'estate', { command: args.command, runId, onWait: (message) => io.err(message) });
  progress.note(`tenants: ${args.tenants} (${file.tenants.length}); state: ${state.describe}`);
  // Tenants plan concurrently; their questions are asked one at a time.
  let asking: Promise<unknown> = Promise.resolve();
  const approve = (tenant: Tenant, verdict: VerdictSummary): Promise<boolean> => {
    const answer = asking.then(() => confirmTenant(tenant, verdict, io, progress));
    asking = answer.catch(() => undefined);
    return answer;
  };
  let result: Awaited<ReturnType<typeof runTenants>>;
  try {
    result = await runTenants({
      tenants: file,
      run: { runId, trigger: 'cli', consent: apply, startedAt: new Date().toISOString(), requirePlanHash: null },
      deadline,
      tenantConcurrency: CLI_TENANT_CONCURRENCY,
      onProgress: (message) => progress.message(message),
      contextFor: async (tenant: Tenant) => {
        const key = await credentialsFromFile(resolve(base, tenant.serviceKeyFile ?? '')).serviceKey();
        const loaded = policies.get(tenant.name);
        if (loaded === undefined) throw new CliError(`no policy loaded for tenant ${tenant.name}`);
        return {
          tenant,
          client: new AiCoreClient(key, { transport: new Transport({ deadline: () => deadline.getTime() }) }),
          store: state.forNamespace(tenantNamespace(key)),
          policy: tenantPolicy(loaded.policy, tenant),
          clock: () => new Date(),
        };
      },
      ...(apply && !args.yes ? { approve } : {}),
    });
  } finally {
    progress.clear();
    await state.close();
  }
  const { estate, outcomes } = result;
  io.out(
    args.json
      ? jsonDocument({ estate, outcomes })
      : [`Run ${estate.runId}: ${estate.status} (${estate.tenants} tenant(s))`, ...estate.lines.map((l) => `  ${l}`)].join('\n'),
  );
  return estate.status === 'ok' ? EXIT.ok : EXIT.failure;
}

/** Asked per tenant after its verdict, before its first action; Ctrl-D (null) is a no. */
async function confirmTenant(tenant: Tenant, verdict: VerdictSummary, io: CliIo, progress: Progress): Promise<boolean> {
  progress.clear();
  const answer = await io.ask(
    `Apply tenant ${tenant.name}: plan ${verdict.planHash.slice(0, 12)}, ${verdict.planned} action(s) in ${verdict.apply.length} group(s)? [y/N] `,
  );
  return answer !== null && /^y(es)?$/i.test(answer.trim());
}

export { runTenantsCommand };
