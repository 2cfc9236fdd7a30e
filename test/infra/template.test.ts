/**
 * What `serverless package` would deploy, asserted from the generated CloudFormation template:
 * the table with its TTL, one least-privilege role per function, the heartbeat alarm and the stage
 * parameters flowing through. It packages a copy of the service in a temporary folder, so it never
 * shares `.serverless/` or `.esbuild/` with a concurrent `serverless offline` (test/e2e) or CI step.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as packaged from './package-helpers.js';
import type { Grant, Template } from './package-helpers.js';

type Resource = Template['Resources'][string];

const STAGE = 'infratest';
const TOPIC = 'arn:aws:sns:eu-central-1:123456789012:janitor-alarms';
const FN = (name: string): string => `aicore-janitor-${STAGE}-${name}`;

let dir: string;
let template: Template;

const resourceOf = (logicalId: string): Resource => packaged.resourceOf(template, logicalId);
const grantsOf = (roleId: string): Grant[] => packaged.grantsOf(template, roleId);
const actionsOf = (roleId: string): string[] => packaged.actionsOf(template, roleId);
const grantFor = (roleId: string, action: string): Grant => packaged.grantFor(template, roleId, action);

beforeAll(async () => {
  const params = [
    'schedule=rate(30 minutes)',
    'heartbeatPeriodSeconds=1800',
    `alarmTopicArn=${TOPIC}`,
    'apply=true',
    'secretId=team/janitor-key',
  ];
  ({ dir, template } = await packaged.packageService(STAGE, params));
}, 320_000);

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('serverless package: CloudFormation template', () => {
  it('creates the DynamoDB table on demand, named per stage, with TTL on expiresAt', () => {
    const table = resourceOf('JanitorTable');
    expect(table.Type).toBe('AWS::DynamoDB::Table');
    expect(table.Properties).toMatchObject({
      TableName: `aicore-janitor-${STAGE}`,
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('runs scheduled, webhook and worker on nodejs22.x, each with its own role and the same table name', () => {
    for (const [fn, role] of [
      ['Scheduled', 'ScheduledRole'],
      ['Webhook', 'WebhookRole'],
      ['Worker', 'WorkerRole'],
    ] as const) {
      const props = resourceOf(`${fn}LambdaFunction`).Properties;
      expect(props.Runtime).toBe('nodejs22.x');
      expect(props.Role).toEqual({ 'Fn::GetAtt': [role, 'Arn'] });
      expect(props.Environment).toMatchObject({
        Variables: { JANITOR_TABLE: `aicore-janitor-${STAGE}`, POWERTOOLS_METRICS_NAMESPACE: 'AicoreJanitor' },
      });
    }
    // No shared role: osls generates one only when some function lacks `role:`.
    expect(Object.keys(template.Resources)).not.toContain('IamRoleLambdaExecution');
  });

  it('scheduled: reads only the service key, uses only the ledger actions on the table, invokes nothing', () => {
    expect(actionsOf('ScheduledRole')).toEqual(
      [
        'dynamodb:BatchWriteItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'secretsmanager:GetSecretValue',
      ].sort(),
    );
    expect(grantFor('ScheduledRole', 'secretsmanager:GetSecretValue').resources).toContain(':secret:team/janitor-key-??????');
    expect(grantFor('ScheduledRole', 'dynamodb:Query').resources).toBe(JSON.stringify({ 'Fn::GetAtt': ['JanitorTable', 'Arn'] }));
    expect(grantFor('ScheduledRole', 'logs:PutLogEvents').resources).toContain(`log-group:/aws/lambda/${FN('scheduled')}:*`);
  });

  it('grants every DynamoDB action the store sends in a run (the CLI-only Scan and table creation aside)', () => {
    const source = readFileSync('lib/store/dynamo.ts', 'utf8');
    const sent = [...source.matchAll(/new (\w+)Command\(/g)].map((m) => m[1] ?? '');
    const needed = [...new Set(sent)]
      .filter((c) => c !== 'Scan' && c !== 'CreateTable')
      .map(
        (c) =>
          `dynamodb:${c === 'Get' || c === 'Put' || c === 'Delete' || c === 'Update' ? `${c}Item` : c === 'BatchWrite' ? 'BatchWriteItem' : c}`,
      );
    expect(needed.length).toBeGreaterThanOrEqual(6);
    for (const action of needed) expect(actionsOf('ScheduledRole')).toContain(action);
  });

  it('webhook: reads only the three signing secrets and may invoke only the worker; no table, no service key', () => {
    expect(actionsOf('WebhookRole')).toEqual(
      ['lambda:InvokeFunction', 'logs:CreateLogStream', 'logs:PutLogEvents', 'secretsmanager:GetSecretValue'].sort(),
    );
    const secrets = grantFor('WebhookRole', 'secretsmanager:GetSecretValue').resources;
    expect(secrets).toContain(':secret:aicore-janitor/slack-signing-secret-??????');
    expect(secrets).toContain(':secret:aicore-janitor/webhook-hmac-secret-??????');
    expect(secrets).toContain(':secret:aicore-janitor/teams-security-token-??????');
    expect(secrets).not.toContain('teams-workflow-url');
    expect(secrets).not.toContain('team/janitor-key');
    const invoke = grantFor('WebhookRole', 'lambda:InvokeFunction').resources;
    expect(invoke).toMatch(new RegExp(`:function:${FN('worker')}"`));
  });

  it('worker: reads only the service key and the Teams Workflows URL, uses only the ledger actions; invokes nothing', () => {
    expect(actionsOf('WorkerRole')).toEqual(actionsOf('ScheduledRole'));
    expect(grantFor('WorkerRole', 'secretsmanager:GetSecretValue').resources).toContain(':secret:team/janitor-key-??????');
    expect(grantFor('WorkerRole', 'secretsmanager:GetSecretValue').resources).toContain(':secret:aicore-janitor/teams-workflow-url-??????');
    expect(grantFor('WorkerRole', 'secretsmanager:GetSecretValue').resources).not.toContain('teams-security-token');
    expect(grantFor('ScheduledRole', 'secretsmanager:GetSecretValue').resources).not.toContain('teams');
    expect(grantFor('WorkerRole', 'logs:PutLogEvents').resources).toContain(`log-group:/aws/lambda/${FN('worker')}:*`);
  });

  it('no role grants a wildcard action or a wildcard resource', () => {
    for (const role of ['ScheduledRole', 'WebhookRole', 'WorkerRole']) {
      for (const grant of grantsOf(role)) {
        expect(
          grant.actions.some((a) => a.includes('*')),
          `${role} ${grant.policy}`,
        ).toBe(false);
        expect(grant.resources, `${role} ${grant.policy}`).not.toBe('"*"');
      }
      expect(resourceOf(role).Properties.AssumeRolePolicyDocument).toMatchObject({
        Statement: [{ Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }],
      });
    }
  });

  it('alarms when the heartbeat goes missing: breaching on missing data, one period per scheduled run, to the SNS topic', () => {
    const alarm = resourceOf('HeartbeatAlarm');
    expect(alarm.Type).toBe('AWS::CloudWatch::Alarm');
    expect(alarm.Properties).toMatchObject({
      Namespace: 'AicoreJanitor',
      MetricName: 'Heartbeat',
      Dimensions: [{ Name: 'service', Value: `aicore-janitor-${STAGE}` }],
      Statistic: 'Sum',
      Threshold: 1,
      ComparisonOperator: 'LessThanThreshold',
      TreatMissingData: 'breaching',
      AlarmActions: { 'Fn::If': ['HasAlarmTopic', [TOPIC], { Ref: 'AWS::NoValue' }] },
    });
    // --param values arrive as text; CloudFormation accepts "1800" for an Integer property.
    expect(Number(alarm.Properties.Period)).toBe(1800);
    expect(template.Conditions?.HasAlarmTopic).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [TOPIC, ''] }] });
  });

  it('passes the stage parameters through: schedule, apply consent, kill switch, secret id, policy file', () => {
    const rule = Object.values(template.Resources).find((r) => r.Type === 'AWS::Events::Rule');
    expect(rule?.Properties.ScheduleExpression).toBe('rate(30 minutes)');
    expect(resourceOf('ScheduledLambdaFunction').Properties.Environment).toMatchObject({
      Variables: {
        JANITOR_APPLY: 'true',
        JANITOR_DISABLED: 'false',
        AICORE_SECRET_ID: 'team/janitor-key',
        JANITOR_POLICY_FILE: 'examples/policy.yaml',
      },
    });
    // The schedule's consent is the schedule's alone: chat-ops applies need an approval instead.
    const worker = resourceOf('WorkerLambdaFunction').Properties.Environment;
    expect(JSON.stringify(worker)).not.toContain('JANITOR_APPLY');
  });

  it('bundles the policy file and a CommonJS .cjs handler into the zips of the functions that run the janitor', () => {
    // Zip entry names are stored uncompressed, so the archive's bytes contain each path.
    for (const fn of ['scheduled', 'worker']) {
      const zip = readFileSync(join(dir, '.serverless', `${fn}.zip`)).toString('latin1');
      expect(zip, fn).toContain('examples/policy.yaml');
      expect(zip, fn).toContain(`functions/${fn}.cjs`);
    }
  });

  it('routes the four chat endpoints of the HTTP API to the webhook', () => {
    const routes = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::ApiGatewayV2::Route')
      .map((r) => r.Properties.RouteKey)
      .sort();
    expect(routes).toEqual(['POST /slack/commands', 'POST /slack/interactions', 'POST /teams/messages', 'POST /webhook']);
    expect(resourceOf('WebhookLambdaFunction').Properties.Environment).toMatchObject({
      Variables: { TEAMS_SECURITY_TOKEN_ID: 'aicore-janitor/teams-security-token' },
    });
    expect(resourceOf('WorkerLambdaFunction').Properties.Environment).toMatchObject({
      Variables: { TEAMS_WORKFLOW_URL_ID: 'aicore-janitor/teams-workflow-url', JANITOR_TEAMS_REPLY_HOSTS: '' },
    });
  });
});
