/**
 * Packaging the service as test/infra/template.test.ts does (a copy in a temporary folder, osls
 * under `timeout`), for tests that package with other stage parameters, and reading grants out of
 * the generated CloudFormation template.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import * as z from 'zod';

const Resource = z.object({
  Type: z.string(),
  Properties: z.record(z.string(), z.unknown()).default({}),
  DependsOn: z.unknown().optional(),
});
const Template = z.object({ Resources: z.record(z.string(), Resource), Conditions: z.record(z.string(), z.unknown()).optional() });
type Template = z.infer<typeof Template>;
type Resource = z.infer<typeof Resource>;

const Statement = z.object({ Effect: z.literal('Allow'), Action: z.union([z.string(), z.array(z.string())]), Resource: z.unknown() });
const RolePolicies = z.array(z.object({ PolicyName: z.string(), PolicyDocument: z.object({ Statement: z.array(Statement) }) }));

interface Grant {
  policy: string;
  actions: string[];
  /** The Resource as JSON text (intrinsic functions included), for substring assertions. */
  resources: string;
}

interface Packaged {
  dir: string;
  template: Template;
}

/**
 * @example
 * const { dir, template } = await packageService('infratest', ['engine=step-functions']);
 */
async function packageService(stage: string, params: readonly string[]): Promise<Packaged> {
  const root = resolve('.');
  const dir = mkdtempSync(join(tmpdir(), 'janitor-package-'));
  for (const entry of ['serverless.yml', 'package.json', 'tsconfig.json', 'infra', 'functions', 'lib', 'examples', 'schema'])
    cpSync(join(root, entry), join(dir, entry), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  await promisify(execFile)(
    'timeout',
    [
      '300',
      process.execPath,
      join(root, 'node_modules/serverless/bin/serverless.js'),
      'package',
      `--stage=${stage}`,
      ...params.map((p) => `--param=${p}`),
    ],
    { cwd: dir, env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' }, maxBuffer: 16 * 1024 * 1024 },
  );
  return {
    dir,
    template: Template.parse(JSON.parse(readFileSync(join(dir, '.serverless/cloudformation-template-update-stack.json'), 'utf8'))),
  };
}

function resourceOf(template: Template, logicalId: string): Resource {
  const resource = template.Resources[logicalId];
  if (resource === undefined) throw new Error(`no resource ${logicalId} in the template`);
  return resource;
}

function grantsOf(template: Template, roleId: string): Grant[] {
  const policies = RolePolicies.parse(resourceOf(template, roleId).Properties.Policies);
  return policies.flatMap((p) =>
    p.PolicyDocument.Statement.map((s) => ({ policy: p.PolicyName, actions: [s.Action].flat(), resources: JSON.stringify(s.Resource) })),
  );
}

function actionsOf(template: Template, roleId: string): string[] {
  return grantsOf(template, roleId)
    .flatMap((g) => g.actions)
    .sort();
}

function grantFor(template: Template, roleId: string, action: string): Grant {
  const grant = grantsOf(template, roleId).find((g) => g.actions.includes(action));
  if (grant === undefined) throw new Error(`${roleId} has no grant for ${action}`);
  return grant;
}

export { packageService, resourceOf, grantsOf, actionsOf, grantFor, Template };
export type { Grant, Packaged };
