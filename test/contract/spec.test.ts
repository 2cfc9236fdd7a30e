/**
 * Our request schemas (lib/aicore/wire.ts: what the client sends) and what the simulator accepts
 * (infra/local/simulator/lm-requests.ts, from the contract alone) against the official AI API spec.
 * The exact claim, checked on generated bodies: each accepts a body if and only if the spec accepts
 * it AND it obeys the documented rules the spec cannot express (one id at most once, the wrapper key
 * that names the path) plus one rule of our own (items carry only id and targetStatus). So nothing
 * we send can be invalid per the spec, every extra rejection has a named reason, and a mistake in
 * either implementation shows as a disagreement. Simulator responses are checked in test/simulator/spec-responses.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BULK_REQUEST, SingleStopRequest } from '../../lib/aicore/wire.js';
import { RESOURCE_TYPES, STATUSES, TARGET_STATUS, type ResourceType } from '../../lib/lifecycle.js';
import { startSimulator } from '../../infra/local/simulator/index.js';
import { makeDeployment, makeExecution } from '../../infra/local/simulator/items.js';
import { LmRequests } from '../../infra/local/simulator/lm-requests.js';
import { callJson } from '../simulator/helpers.js';
import { officialSpec } from '../simulator/spec.js';

/** The list bounds CONTRACT.md §1 reads in SAP's spec. */
const DEFAULT_TOP = 10_000;
const MAX_TOP = 100_000;
const MAX_EXECUTABLE_IDS = 1000;

const BULK_SCHEMA = { executions: 'AiExecutionBulkModificationRequest', deployments: 'AiDeploymentBulkModificationRequest' } as const;
const SINGLE_SCHEMA = { executions: 'AiExecutionModificationRequest', deployments: 'AiDeploymentModificationRequest' } as const;

function specAccepts(type: ResourceType, body: unknown): boolean {
  const spec = officialSpec();
  return spec.errors(spec.schema(BULK_SCHEMA[type]), body).length === 0;
}

function oursAccepts(type: ResourceType, body: unknown): boolean {
  return BULK_REQUEST[type].safeParse(body).success;
}

const simulatorRequests = new LmRequests(officialSpec());

/** What the simulator accepts, from the contract alone (it never sees lib/aicore/wire.ts). */
function simulatorAccepts(type: ResourceType, body: unknown): boolean {
  return simulatorRequests.bulkItems(type, body).ok;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The rules beyond the spec that a spec-valid body can still break; null when it breaks none. */
function ruleBeyondSpec(type: ResourceType, body: unknown): string | null {
  if (!isRecord(body)) return null;
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== type)
    return `the body holds exactly the '${type}' key (documented; the spec marks no key required and allows others)`;
  const list = body[type];
  if (!Array.isArray(list)) return null;
  const ids = list.map((item: unknown) => (isRecord(item) ? item.id : undefined));
  if (new Set(ids).size !== ids.length) return "an id appears at most once (documented; the spec's uniqueItems compares whole items)";
  if (list.some((item: unknown) => isRecord(item) && Object.keys(item).some((k) => k !== 'id' && k !== 'targetStatus'))) {
    return "items carry only id and targetStatus (our own rule: the spec allows more, the server's handling is undocumented)";
  }
  return null;
}

const GOOD_ID = fc.stringMatching(/^[\w.-]{4,64}$/);
const ID = fc.oneof(
  { weight: 6, arbitrary: GOOD_ID },
  { weight: 2, arbitrary: fc.constantFrom('dup-0001', 'dup-0002') },
  { weight: 1, arbitrary: fc.constantFrom('abc', 'x'.repeat(65), 'has space', 'a/b/c', 'ümlaut', '') },
  { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null)) },
);
const TARGET = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom('STOPPED', 'DELETED') },
  { weight: 1, arbitrary: fc.constantFrom('RUNNING', 'COMPLETED', 'stopped', 'DELETING', '') },
);
const ITEM = fc.oneof(
  { weight: 12, arbitrary: fc.record({ id: ID, targetStatus: TARGET }) },
  { weight: 1, arbitrary: fc.record({ id: ID, targetStatus: TARGET, configurationId: GOOD_ID }) },
  { weight: 1, arbitrary: fc.record({ id: ID, targetStatus: TARGET }, { requiredKeys: [] }) },
);
/** Lists around the 1..100 bounds: short mixed lists, and long lists of distinct valid items. */
const LIST = fc.oneof(
  { weight: 6, arbitrary: fc.array(ITEM, { maxLength: 6 }) },
  {
    weight: 2,
    arbitrary: fc
      .uniqueArray(GOOD_ID, { minLength: 98, maxLength: 102 })
      .map((ids) => ids.map((id, i) => ({ id, targetStatus: i % 2 === 0 ? 'STOPPED' : 'DELETED' }))),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('not a list', null, {}) },
);
const KEYS = fc.oneof(
  { weight: 8, arbitrary: fc.constantFrom(['executions'], ['deployments']) },
  { weight: 1, arbitrary: fc.constantFrom([], ['executions', 'deployments'], ['items']) },
);
/** Round-tripped through JSON, as a body travels (fast-check's records have no prototype). */
const BODY = fc
  .tuple(KEYS, LIST, LIST)
  .map(([keys, first, second]): unknown =>
    JSON.parse(JSON.stringify(Object.fromEntries(keys.map((key, i) => [key, i === 0 ? first : second])))),
  );

function bulkBody(type: ResourceType, items: unknown[]): Record<string, unknown> {
  return { [type]: items };
}

const ids = (n: number, prefix = 'item') =>
  Array.from({ length: n }, (_, i) => ({ id: `${prefix}-${String(i).padStart(4, '0')}`, targetStatus: 'DELETED' }));

describe('request schemas vs the official spec', () => {
  describe('the spec and our vocabulary agree', () => {
    it('is an OpenAPI 3.0 document whose status enums equal lib/lifecycle.ts STATUSES', () => {
      const { doc } = officialSpec();
      expect(doc.openapi).toMatch(/^3\.0\./);
      expect(doc.components.schemas.AiExecutionStatus?.enum).toEqual([...STATUSES]);
      expect(doc.components.schemas.AiDeploymentStatus?.enum).toEqual([...STATUSES]);
      for (const type of RESOURCE_TYPES) {
        for (const path of [`/lm/${type}`, `/lm/${type}/$count`])
          expect(officialSpec().parameters(path, 'get').get('status')?.schema.enum).toEqual([...STATUSES]);
      }
    });

    it('offers exactly our target statuses in bulk items, and only STOPPED for a single PATCH', () => {
      const { doc } = officialSpec();
      const enumOf = (schema: string) => {
        const props = doc.components.schemas[schema]?.properties;
        return isRecord(props) && isRecord(props.targetStatus) ? props.targetStatus.enum : undefined;
      };
      const targets = Object.values(TARGET_STATUS);
      expect(enumOf('AiExecutionModificationRequestWithIdentifier')).toEqual(targets);
      expect(enumOf('AiDeploymentModificationRequestWithIdentifier')).toEqual(targets);
      expect(enumOf('AiExecutionModificationRequest')).toEqual(['STOPPED']);
      expect(doc.components.schemas.AiDeploymentTargetStatus?.enum).toEqual(['STOPPED']);
    });

    it('declares the media types the simulator insists on: merge-patch for bulk, plain JSON for one item', () => {
      const spec = officialSpec();
      for (const type of RESOURCE_TYPES) {
        expect(spec.requestTypes(`/lm/${type}`, 'patch')).toEqual(['application/merge-patch+json']);
        expect(spec.requestTypes(`/lm/${type}/{${type.slice(0, -1)}Id}`, 'patch')).toEqual(['application/json']);
      }
    });

    it('bounds list queries as CONTRACT.md says ($top default and maximum, executableIds maxItems)', () => {
      for (const type of RESOURCE_TYPES) {
        const params = officialSpec().parameters(`/lm/${type}`, 'get');
        const top = params.get('$top')?.schema;
        expect([top?.default, top?.maximum]).toEqual([DEFAULT_TOP, MAX_TOP]);
        expect(params.get('executableIds')?.schema.maxItems).toBe(MAX_EXECUTABLE_IDS);
        expect(params.get('AI-Resource-Group')).toMatchObject({ in: 'header', required: true });
      }
    });

    it('and the simulator, which reads them from the contract, serves those bounds', async () => {
      const executions = Array.from({ length: DEFAULT_TOP + 1 }, (_, i) =>
        makeExecution({
          id: `exe-${String(i).padStart(5, '0')}`,
          status: 'RUNNING',
          createdAtMs: Date.UTC(2026, 0, 1),
          scenarioId: 'scn-a',
          executableId: 'exe-a',
          configurationId: 'cfg-a',
          configurationName: 'a',
        }),
      );
      const sim = await startSimulator({
        fleet: { resourceGroups: [{ resourceGroupId: 'default' }], executions: { default: executions }, deployments: {} },
      });
      try {
        const listed = async (query: string) => {
          const answer = await callJson<{ resources?: unknown[] }>(sim, `/v2/lm/executions${query}`);
          return [answer.status, answer.body.resources?.length];
        };
        const idsOf = (n: number) => Array.from({ length: n }, (_, i) => `exe-${String(i).padStart(5, '0')}`).join(',');
        expect(await listed('')).toEqual([200, DEFAULT_TOP]);
        expect(await listed(`?$top=${MAX_TOP}`)).toEqual([200, DEFAULT_TOP + 1]);
        expect((await listed(`?$top=${MAX_TOP + 1}`))[0]).toBe(400);
        expect(await listed(`?executableIds=${idsOf(MAX_EXECUTABLE_IDS)}`)).toEqual([200, 0]);
        expect((await listed(`?executableIds=${idsOf(MAX_EXECUTABLE_IDS + 1)}`))[0]).toBe(400);
      } finally {
        await sim.stop();
      }
    });
  });

  describe('bulk requests', () => {
    it.each(RESOURCE_TYPES)('%s: ours accepts a generated body if and only if the spec does and no rule beyond it is broken', (type) => {
      const seen = { both: 0, specOnly: 0, neither: 0 };
      fc.assert(
        fc.property(BODY, (body) => {
          const spec = specAccepts(type, body);
          const rule = ruleBeyondSpec(type, body);
          expect(oursAccepts(type, body)).toBe(spec && rule === null);
          expect(simulatorAccepts(type, body)).toBe(spec && rule === null);
          if (spec && rule === null) seen.both += 1;
          else if (spec) seen.specOnly += 1;
          else seen.neither += 1;
        }),
        { numRuns: 600, seed: 20_261_120 },
      );
      // The generator must reach every class, or the property proves little.
      expect(Math.min(seen.both, seen.specOnly, seen.neither)).toBeGreaterThan(30);
    });

    it.each([
      ['101 items (maxItems 100)', (t: ResourceType) => bulkBody(t, ids(101))],
      ['no items (minItems 1)', (t: ResourceType) => bulkBody(t, [])],
      ['targetStatus RUNNING (enum STOPPED | DELETED)', (t: ResourceType) => bulkBody(t, [{ id: 'item-0001', targetStatus: 'RUNNING' }])],
      ['targetStatus in lower case', (t: ResourceType) => bulkBody(t, [{ id: 'item-0001', targetStatus: 'stopped' }])],
      ['an id of 3 characters (pattern ^[\\w.-]{4,64}$)', (t: ResourceType) => bulkBody(t, [{ id: 'abc', targetStatus: 'DELETED' }])],
      ['an id of 65 characters', (t: ResourceType) => bulkBody(t, [{ id: 'x'.repeat(65), targetStatus: 'DELETED' }])],
      ['an id with a space or a slash', (t: ResourceType) => bulkBody(t, [{ id: 'a b/c', targetStatus: 'DELETED' }])],
      ['an item without targetStatus (required)', (t: ResourceType) => bulkBody(t, [{ id: 'item-0001' }])],
      ['an item without id (required)', (t: ResourceType) => bulkBody(t, [{ targetStatus: 'DELETED' }])],
      [
        'the same item twice (uniqueItems)',
        (t: ResourceType) =>
          bulkBody(t, [
            { id: 'item-0001', targetStatus: 'DELETED' },
            { id: 'item-0001', targetStatus: 'DELETED' },
          ]),
      ],
      ['a list that is not an array', (t: ResourceType) => ({ [t]: { id: 'item-0001', targetStatus: 'DELETED' } })],
    ])('mirrors the spec: %s is rejected by the spec, by ours and by the simulator', (_name, build) => {
      for (const type of RESOURCE_TYPES) {
        expect([specAccepts(type, build(type)), oursAccepts(type, build(type)), simulatorAccepts(type, build(type))]).toEqual([
          false,
          false,
          false,
        ]);
      }
    });

    it('mirrors the spec at the bounds: 100 items, ids of 4 and 64 characters with . - _ are accepted by both', () => {
      for (const type of RESOURCE_TYPES) {
        for (const body of [
          bulkBody(type, ids(100)),
          bulkBody(type, [
            { id: 'a.-_', targetStatus: 'STOPPED' },
            { id: 'Z'.repeat(64), targetStatus: 'DELETED' },
          ]),
        ]) {
          expect([specAccepts(type, body), oursAccepts(type, body), simulatorAccepts(type, body)]).toEqual([true, true, true]);
        }
      }
    });

    const beyondSpec: Array<[string, ResourceType, unknown]> = [
      [
        'one id twice with different target statuses',
        'executions',
        {
          executions: [
            { id: 'item-0001', targetStatus: 'STOPPED' },
            { id: 'item-0001', targetStatus: 'DELETED' },
          ],
        },
      ],
      [
        'the executions key on the deployments path (the DOC bug)',
        'deployments',
        { executions: [{ id: 'item-0001', targetStatus: 'DELETED' }] },
      ],
      ['the deployments key on the executions path', 'executions', { deployments: [{ id: 'item-0001', targetStatus: 'DELETED' }] }],
      ['an empty body (the wrapper key is not required in the spec)', 'deployments', {}],
      [
        'both wrapper keys',
        'executions',
        { executions: [{ id: 'item-0001', targetStatus: 'DELETED' }], deployments: [{ id: 'item-0002', targetStatus: 'DELETED' }] },
      ],
      [
        'an item with an extra key',
        'deployments',
        { deployments: [{ id: 'item-0001', targetStatus: 'STOPPED', configurationId: 'cfg-0001' }] },
      ],
    ];

    it.each(beyondSpec)('goes beyond the spec: %s is valid per the spec alone, rejected by ours with a named rule', (_name, type, body) => {
      expect(specAccepts(type, body)).toBe(true);
      expect(ruleBeyondSpec(type, body)).not.toBeNull();
      expect(oursAccepts(type, body)).toBe(false);
      expect(simulatorAccepts(type, body)).toBe(false);
    });

    it('the simulator answers 400 to each of those bodies and changes nothing', async () => {
      const base = {
        status: 'STOPPED',
        createdAtMs: Date.UTC(2026, 0, 1),
        scenarioId: 'scn-a',
        executableId: 'exe-a',
        configurationId: 'cfg-a',
        configurationName: 'a',
      };
      const sim = await startSimulator({
        fleet: {
          resourceGroups: [{ resourceGroupId: 'default' }],
          executions: { default: [makeExecution({ ...base, id: 'item-0001' }), makeExecution({ ...base, id: 'item-0002' })] },
          deployments: { default: [makeDeployment({ ...base, id: 'item-0001' }), makeDeployment({ ...base, id: 'item-0002' })] },
        },
      });
      try {
        const before = sim.fleet();
        for (const [, type, body] of beyondSpec) {
          const answer = await callJson(sim, `/v2/lm/${type}`, { method: 'PATCH', contentType: 'application/merge-patch+json', body });
          expect(answer.status).toBe(400);
        }
        expect(sim.fleet()).toEqual(before);
      } finally {
        await sim.stop();
      }
    });
  });

  describe('queries, as the simulator reads them from the contract', () => {
    it('checks the parameters each operation declares and ignores the others', async () => {
      const sim = await startSimulator({
        fleet: {
          resourceGroups: [{ resourceGroupId: 'default' }],
          executions: {
            default: [
              makeExecution({
                id: 'exe-0001',
                status: 'RUNNING',
                createdAtMs: Date.UTC(2026, 0, 1),
                scenarioId: 'scn-a',
                executableId: 'exe-a',
                configurationId: 'cfg-a',
                configurationName: 'a',
              }),
            ],
          },
          deployments: {},
        },
      });
      try {
        const status = async (path: string) => (await callJson(sim, `/v2${path}`)).status;
        // $select: enum [status] on the list and on one item.
        expect(await status('/lm/executions/exe-0001?$select=status')).toBe(200);
        expect(await status('/lm/executions/exe-0001?$select=id')).toBe(400);
        expect(await status('/lm/executions?$select=id')).toBe(400);
        // executionScheduleId is declared (with its id pattern) for executions only.
        expect(await status('/lm/executions?executionScheduleId=x')).toBe(400);
        expect(await status('/lm/deployments?executionScheduleId=x')).toBe(200);
        // $count declares no paging: $top is not read there.
        expect(await status('/lm/executions/$count?$top=abc')).toBe(200);
        expect(await status('/lm/executions?$top=abc')).toBe(400);
      } finally {
        await sim.stop();
      }
    });
  });

  describe('single modification requests', () => {
    it('every body SingleStopRequest accepts is valid for both single PATCH schemas', () => {
      const spec = officialSpec();
      const candidates: unknown[] = [
        { targetStatus: 'STOPPED' },
        { targetStatus: 'DELETED' },
        { targetStatus: 'stopped' },
        {},
        { configurationId: 'cfg-0001' },
        { targetStatus: 'STOPPED', configurationId: 'cfg-0001' },
        [],
      ];
      const accepted = candidates.filter((body) => SingleStopRequest.safeParse(body).success);
      expect(accepted).toEqual([{ targetStatus: 'STOPPED' }]);
      for (const type of RESOURCE_TYPES) {
        for (const body of accepted) expect(spec.errors(spec.schema(SINGLE_SCHEMA[type]), body)).toEqual([]);
      }
    });

    it('is narrower than the deployment PATCH on purpose: the janitor only stops, it never changes a configuration', () => {
      const spec = officialSpec();
      for (const body of [{}, { configurationId: 'cfg-0001' }]) {
        expect(spec.errors(spec.schema(SINGLE_SCHEMA.deployments), body)).toEqual([]);
        expect(SingleStopRequest.safeParse(body).success).toBe(false);
      }
    });
  });
});
