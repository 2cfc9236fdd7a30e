/**
 * `rates:` per tenant in the tenants file (issue 17): validated like the policy's, and replacing
 * the policy's rates for that tenant's savings estimates.
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../lib/policy/evaluate.js';
import { NO_OBSERVATIONS } from '../../lib/policy/observations.js';
import { Policy } from '../../lib/policy/schema.js';
import { tenantPolicy } from '../../lib/run/tenant/context.js';
import { parseTenants } from '../../lib/tenants/load.js';
import type { GroupFleet } from '../../lib/resources.js';

const file = (rates: unknown) =>
  JSON.stringify({ version: 1, tenants: [{ name: 'acme', secretId: 'acme-key', ...(rates === undefined ? {} : { rates }) }] });

const POLICY = Policy.parse({
  version: 1,
  minimumAge: '0m',
  rates: { unit: 'CU', perNodeHour: { 'infer.s': 1 } },
  rules: [{ id: 'stop', resource: 'deployments', match: { status: ['RUNNING'] }, action: 'stop' }],
});

const FLEET: GroupFleet[] = [
  {
    group: 'g',
    labels: {},
    unparseable: [],
    listingError: null,
    resources: [
      {
        type: 'deployments',
        group: 'g',
        item: {
          id: 'd0001',
          status: 'RUNNING',
          targetStatus: 'RUNNING',
          createdAt: '2026-01-01T00:00:00Z',
          scenarioId: 'dev',
          details: {
            resources: { backend_details: { predictor: { resource_plan: 'infer.s' } } },
            scaling: { backend_details: { predictor: { running_replicas: 2 } } },
          },
        },
      },
    ],
  },
];

describe('tenants file: rates', () => {
  it('accepts a tenant’s own rates and rejects a misspelt key with its path', () => {
    const tenant = parseTenants(file({ unit: 'EUR', perNodeHour: { 'infer.s': 0.5 } }), 'tenants.json').tenants[0];
    expect(tenant?.rates).toEqual({ unit: 'EUR', perNodeHour: { 'infer.s': 0.5 } });
    expect(() => parseTenants(file({ unit: 'EUR', perNodeHours: { 'infer.s': 0.5 } }), 'tenants.json')).toThrow(/rates/);
  });

  it("replace the policy's rates for that tenant's estimates; without them the policy's stand", () => {
    const [own] = parseTenants(file({ unit: 'EUR', perNodeHour: { 'infer.s': 0.5 } }), 'tenants.json').tenants;
    const [plain] = parseTenants(file(undefined), 'tenants.json').tenants;
    if (own === undefined || plain === undefined) throw new Error('no tenant parsed');
    const now = new Date('2026-03-01T00:00:00Z');
    const estimate = (policy: Policy) => evaluate({ fleet: FLEET, policy, now, observations: NO_OBSERVATIONS }).savings.estimate;
    expect(estimate(tenantPolicy(POLICY, own))).toEqual({ perDay: 24, unit: 'EUR', complete: true });
    expect(estimate(tenantPolicy(POLICY, plain))).toEqual({ perDay: 48, unit: 'CU', complete: true });
  });
});
