import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { readWebhookEnv } from '../../functions/adapters/chat-config.js';
import { CONFIG_DEFAULTS, ConfigurationError, envReader, readEnv } from '../../functions/adapters/config.js';

describe('Function: readEnv', () => {
  it('fills every default from CONFIG_DEFAULTS', () => {
    // Act
    const env = readEnv({ JANITOR_TABLE: 'janitor' });
    // Assess
    expect(env).toMatchObject({
      JANITOR_TABLE: 'janitor',
      JANITOR_POLICY_FILE: CONFIG_DEFAULTS.policyFile,
      JANITOR_TENANTS_FILE: CONFIG_DEFAULTS.tenantsFile,
      JANITOR_APPLY: false,
      JANITOR_DISABLED: false,
      JANITOR_GROUPS: [],
      AWS_REGION: CONFIG_DEFAULTS.region,
      JANITOR_ALLOW_LOOPBACK_REPLIES: false,
    });
    expect(env.AICORE_SECRET_ID).toBeUndefined();
    expect(env.AICORE_SERVICE_KEY).toBeUndefined();
    expect(env.DYNAMODB_ENDPOINT).toBeUndefined();
  });

  it('reads what is set: flags, the group list, an empty service key as unset', () => {
    const env = readEnv({ JANITOR_TABLE: 'janitor', JANITOR_APPLY: '1', JANITOR_GROUPS: ' a, b ,,', AICORE_SERVICE_KEY: '  ' });
    expect(env.JANITOR_APPLY).toBe(true);
    expect(env.JANITOR_GROUPS).toEqual(['a', 'b']);
    expect(env.AICORE_SERVICE_KEY).toBeUndefined();
  });

  it('answers a bad value with a ConfigurationError naming the variable', () => {
    // Act
    let thrown: unknown;
    try {
      readEnv({ JANITOR_TABLE: 'janitor', JANITOR_APPLY: 'yes' });
    } catch (error) {
      thrown = error;
    }
    // Assess
    expect(thrown).toBeInstanceOf(ConfigurationError);
    const error = thrown as ConfigurationError;
    expect(error.message).toMatch(/^invalid function environment:/);
    expect(error.message).toContain('JANITOR_APPLY');
    expect(error.issues.map((i) => i.variable)).toEqual(['JANITOR_APPLY']);
  });

  it('names a missing required variable and a malformed URL', () => {
    expect(() => readEnv({})).toThrow(/JANITOR_TABLE/);
    expect(() => readEnv({ JANITOR_TABLE: 'janitor', DYNAMODB_ENDPOINT: 'not a url' })).toThrow(/DYNAMODB_ENDPOINT/);
  });

  it('parses once per environment: the same object until one of its variables changes', () => {
    const env: NodeJS.ProcessEnv = { JANITOR_TABLE: 'janitor', UNRELATED: '1' };
    const first = readEnv(env);
    env.UNRELATED = '2';
    expect(readEnv(env)).toBe(first);
    env.JANITOR_APPLY = 'true';
    const second = readEnv(env);
    expect(second).not.toBe(first);
    expect(second.JANITOR_APPLY).toBe(true);
  });
});

describe('Function: envReader', () => {
  it('runs the schema once for repeated reads of an unchanged environment', () => {
    // Prepare
    let parses = 0;
    const read = envReader(
      z.object({
        SETTING: z
          .string()
          .default('x')
          .transform((v) => {
            parses += 1;
            return v;
          }),
      }),
      'test environment',
    );
    // Act
    read({});
    read({});
    read({ SETTING: 'y' });
    // Assess
    expect(parses).toBe(2);
  });
});

describe('the other functions’ configuration', () => {
  it('the webhook names its bad variables too; an empty Teams URL is unset', () => {
    expect(() => readWebhookEnv({ LAMBDA_ENDPOINT: 'nope' })).toThrow(/invalid webhook environment:[\s\S]*LAMBDA_ENDPOINT/);
    expect(readWebhookEnv({}).AWS_REGION).toBe(CONFIG_DEFAULTS.region);
    expect(readEnv({ JANITOR_TABLE: 'janitor', TEAMS_WORKFLOW_URL: '' }).TEAMS_WORKFLOW_URL).toBeUndefined();
  });
});
