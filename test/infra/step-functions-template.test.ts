/**
 * `serverless package --param="engine=step-functions"`: the state machine of infra/janitor.asl.json
 * as plain CloudFormation, its Task ARNs replaced by the six step functions, least-privilege roles for
 * the starter, the steps and the machine, and the schedule on the starter instead of `scheduled`.
 */
import { readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { actionsOf, grantFor, grantsOf, packageService, resourceOf, type Template } from './package-helpers.js';

const STAGE = 'sfntest';
const FN = (name: string): string => `aicore-janitor-${STAGE}-${name}`;
const STEPS = {
  'list-groups': ['ListGroups', 60, 90],
  'plan-group': ['PlanGroup', 300, 330],
  verdict: ['Verdict', 120, 150],
  'apply-group': ['ApplyGroup', 900, 930],
  digest: ['Digest', 120, 150],
  summary: ['Summary', 30, 60],
} as const;
const PLACEHOLDER = 'arn:aws:lambda:us-east-1:000000000000:function:aicore-janitor-step-';

const Join = z.object({
  'Fn::Join': z.tuple([z.literal(''), z.array(z.union([z.string(), z.object({ 'Fn::GetAtt': z.tuple([z.string(), z.literal('Arn')]) })]))]),
});

let dir: string;
let template: Template;

beforeAll(async () => {
  ({ dir, template } = await packageService(STAGE, [
    'engine=step-functions',
    'apply=true',
    'schedule=rate(2 hours)',
    'tenantSecretPrefix=platform/janitor/',
  ]));
}, 320_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('serverless package --param=engine=step-functions', () => {
  it('includes the state machine with the deployed ASL, each placeholder Task ARN replaced by its function', () => {
    // Prepare
    const machine = resourceOf(template, 'JanitorStateMachine');
    const asl = readFileSync('infra/janitor.asl.json', 'utf8');
    // Act
    const parts = Join.parse(machine.Properties.DefinitionString)['Fn::Join'][1];
    const text = parts.map((p) => (typeof p === 'string' ? p : `arn:fn:${p['Fn::GetAtt'][0]}`)).join('');
    // Assess
    expect(machine.Type).toBe('AWS::StepFunctions::StateMachine');
    expect(machine.Properties).toMatchObject({
      StateMachineName: `aicore-janitor-${STAGE}`,
      StateMachineType: 'STANDARD',
      RoleArn: { 'Fn::GetAtt': ['StateMachineRole', 'Arn'] },
    });
    let expected = asl;
    for (const [step, [logical]] of Object.entries(STEPS))
      expected = expected.replaceAll(`${PLACEHOLDER}${step}"`, `arn:fn:${logical}LambdaFunction"`);
    expect(JSON.parse(text)).toEqual(JSON.parse(expected));
    expect(text).not.toContain('000000000000');
    expect(JSON.stringify(machine)).not.toContain('${');
  });

  it('the starter and the six steps: their handlers, timeouts below the Task timeouts, environment', () => {
    const asl = readFileSync('infra/janitor.asl.json', 'utf8');
    for (const [step, [logical, timeout, taskTimeout]] of Object.entries(STEPS)) {
      const props = resourceOf(template, `${logical}LambdaFunction`).Properties;
      expect(props.Timeout, step).toBe(timeout);
      expect(props.Timeout, step).toBeLessThan(taskTimeout);
      expect(asl).toMatch(new RegExp(`${PLACEHOLDER}${step}",\\s*("Parameters": \\{[^}]*\\},\\s*)?"TimeoutSeconds": ${taskTimeout}`));
      expect(props.Role).toEqual({ 'Fn::GetAtt': ['StepsRole', 'Arn'] });
      expect(props.Environment).toMatchObject({
        Variables: {
          JANITOR_TENANTS_FILE: 'examples/tenants.json',
          JANITOR_TABLE: `aicore-janitor-${STAGE}`,
          JANITOR_POLICY_FILE: 'examples/policy.yaml',
        },
      });
      const zip = readFileSync(join(dir, '.serverless', `${logical.charAt(0).toLowerCase()}${logical.slice(1)}.zip`)).toString('latin1');
      expect(zip, step).toContain('examples/tenants.json');
    }
    const starter = resourceOf(template, 'StarterLambdaFunction').Properties;
    expect(starter.Role).toEqual({ 'Fn::GetAtt': ['StarterRole', 'Arn'] });
    expect(starter.Environment).toMatchObject({
      Variables: {
        JANITOR_STATE_MACHINE_ARN: { Ref: 'JanitorStateMachine' },
        JANITOR_TENANTS_FILE: 'examples/tenants.json',
        JANITOR_APPLY: 'true',
      },
    });
  });

  it('the chat worker runs on the same engine: the machine, the tenants file, start and follow executions only', () => {
    const worker = resourceOf(template, 'WorkerLambdaFunction').Properties;
    expect(worker.Environment).toMatchObject({
      Variables: {
        JANITOR_ENGINE: 'step-functions',
        JANITOR_STATE_MACHINE_ARN: { Ref: 'JanitorStateMachine' },
        JANITOR_TENANTS_FILE: 'examples/tenants.json',
      },
    });
    expect(readFileSync(join(dir, '.serverless', 'worker.zip')).toString('latin1')).toContain('examples/tenants.json');
    const policy = resourceOf(template, 'WorkerStateMachinePolicy');
    expect(policy.Type).toBe('AWS::IAM::Policy');
    expect(policy.Properties.Roles).toEqual([{ Ref: 'WorkerRole' }]);
    const statements = z
      .array(z.object({ Action: z.string(), Resource: z.unknown() }))
      .parse(z.object({ Statement: z.unknown() }).parse(policy.Properties.PolicyDocument).Statement);
    expect(statements.map((st) => st.Action)).toEqual(['states:StartExecution', 'states:DescribeExecution']);
    expect(JSON.stringify(statements[0]?.Resource)).toContain(`:stateMachine:aicore-janitor-${STAGE}"`);
    expect(JSON.stringify(statements[1]?.Resource)).toContain(`:execution:aicore-janitor-${STAGE}:*`);
  });

  it('the schedule targets the starter, not the scheduled function', () => {
    const rules = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule');
    expect(rules).toHaveLength(1);
    expect(rules[0]?.Properties.ScheduleExpression).toBe('rate(2 hours)');
    expect(rules[0]?.Properties.Targets).toEqual([expect.objectContaining({ Arn: { 'Fn::GetAtt': ['StarterLambdaFunction', 'Arn'] } })]);
    expect(JSON.stringify(rules)).not.toContain('ScheduledLambdaFunction');
  });

  it('starter: may only start executions of the machine', () => {
    expect(actionsOf(template, 'StarterRole')).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'states:StartExecution']);
    expect(grantFor(template, 'StarterRole', 'states:StartExecution').resources).toContain(`:stateMachine:aicore-janitor-${STAGE}"`);
  });

  it('state machine: invokes exactly the six steps and runs its Distributed Map children', () => {
    const role = resourceOf(template, 'StateMachineRole');
    expect(role.Properties.AssumeRolePolicyDocument).toMatchObject({
      Statement: [{ Principal: { Service: 'states.amazonaws.com' }, Action: 'sts:AssumeRole' }],
    });
    expect(actionsOf(template, 'StateMachineRole')).toEqual([
      'lambda:InvokeFunction',
      'states:DescribeExecution',
      'states:StartExecution',
      'states:StopExecution',
    ]);
    const invoke = grantFor(template, 'StateMachineRole', 'lambda:InvokeFunction').resources;
    for (const [logical] of Object.values(STEPS))
      expect(invoke).toContain(`:function:${FN(`${logical.charAt(0).toLowerCase()}${logical.slice(1)}`)}"`);
    expect(invoke).not.toContain('starter');
    expect(grantFor(template, 'StateMachineRole', 'states:StartExecution').resources).toContain(`:stateMachine:aicore-janitor-${STAGE}"`);
    expect(grantFor(template, 'StateMachineRole', 'states:DescribeExecution').resources).toContain(`:execution:aicore-janitor-${STAGE}:*`);
  });

  it("steps: the tenants' secrets under the prefix and the ledger actions on the table, nothing else", () => {
    expect(actionsOf(template, 'StepsRole')).toEqual(actionsOf(template, 'ScheduledRole'));
    expect(grantFor(template, 'StepsRole', 'secretsmanager:GetSecretValue').resources).toContain(':secret:platform/janitor/*');
    expect(grantFor(template, 'StepsRole', 'dynamodb:Query').resources).toBe(JSON.stringify({ 'Fn::GetAtt': ['JanitorTable', 'Arn'] }));
    for (const role of ['StarterRole', 'StepsRole', 'StateMachineRole']) {
      for (const grant of grantsOf(template, role)) {
        expect(
          grant.actions.some((a) => a.includes('*')),
          `${role} ${grant.policy}`,
        ).toBe(false);
        expect(grant.resources, `${role} ${grant.policy}`).not.toBe('"*"');
      }
    }
  });

  it('the example tenants file keeps every secret under the default prefix', () => {
    const require = createRequire(import.meta.url);
    const file = z.object({ tenants: z.array(z.object({ secretId: z.string() })) }).parse(require('../../examples/tenants.json'));
    for (const t of file.tenants) expect(t.secretId.startsWith('aicore-janitor/tenants/')).toBe(true);
  });
});
