/**
 * `GET /v2/lm/meta` and `GET /v2/admin/resourceGroups`: what a tenant offers and which groups exist.
 * Groups page like the spec says: `Prefer: maxpagesize=N` and a `Link` header with a continueToken.
 */
import { ERROR_CODES, errorResponse, header, type SimRequest, type SimResponse } from './http.js';
import type { SimulatorGroup } from './fleet.js';
import { isoSeconds } from './time.js';

const API_VERSION = '2.42.0';

/** MetaCapabilities as the real server answers (PY e2e: everything true, unlimited running counts). */
function meta(bulkUpdates: { executions: boolean; deployments: boolean }): SimResponse {
  return {
    status: 200,
    json: {
      runtimeIdentifier: 'aicore',
      runtimeApiVersion: API_VERSION,
      description: 'SAP AI Core simulator (aicore-janitor, loopback only)',
      aiApi: {
        version: API_VERSION,
        capabilities: {
          multitenant: true,
          shareable: true,
          staticDeployments: true,
          userDeployments: true,
          userExecutions: true,
          timeToLiveDeployments: true,
          executionSchedules: true,
          logs: { executions: true, deployments: true },
          bulkUpdates: { ...bulkUpdates },
        },
        limits: {
          executions: { maxRunningCount: -1 },
          deployments: { maxRunningCount: -1 },
          timeToLiveDeployments: { minimum: '10m', maximum: '-1' },
        },
      },
      extensions: { resourceGroups: { version: '1.0.0' } },
    },
  };
}

interface GroupListing {
  groups: readonly SimulatorGroup[];
  tenantId: string;
  /** Creation time shown for every group. */
  createdAtMs: number;
}

const SELECTOR = /^[^ =,!]+!?=[^ =,!]+(,[^ =,!]+!?=[^ =,!]+)*$/;

/** `labelSelector=k=v,k2!=v2`: every clause must hold. */
function matchesSelector(group: SimulatorGroup, selector: string | null): boolean {
  if (selector === null || selector === '') return true;
  const labels = new Map((group.labels ?? []).map((l) => [l.key, l.value]));
  return selector.split(',').every((clause) => {
    const m = /^([^ =,!]+)(!?=)([^ =,!]+)$/.exec(clause);
    if (m === null) return false;
    const [, key = '', op, value] = m;
    return op === '=' ? labels.get(key) === value : labels.get(key) !== value;
  });
}

function decodeContinueToken(token: string): number | undefined {
  const offset = Number(
    Buffer.from(token, 'base64url')
      .toString('utf8')
      .replace(/^offset:/, ''),
  );
  return Number.isInteger(offset) && offset >= 0 ? offset : undefined;
}

function resourceGroups(request: SimRequest, listing: GroupListing): SimResponse {
  const selector = request.query.get('labelSelector');
  if (selector !== null && !SELECTOR.test(selector)) {
    return errorResponse(request, 400, ERROR_CODES.badRequest, `invalid labelSelector '${selector}'`);
  }
  const all = listing.groups.filter((g) => matchesSelector(g, selector));
  const token = request.query.get('continueToken');
  const start = token === null ? 0 : decodeContinueToken(token);
  if (start === undefined) return errorResponse(request, 400, ERROR_CODES.badRequest, 'unrecognised continueToken');
  const pageSize = Number(/maxpagesize=(\d+)/i.exec(header(request, 'prefer') ?? '')?.[1] ?? Number.POSITIVE_INFINITY);
  const skip = Number(request.query.get('$skip') ?? 0) + start;
  const top = Number(request.query.get('$top') ?? Number.POSITIVE_INFINITY);
  const page = all.slice(skip, skip + Math.min(pageSize, top));
  const headers: Record<string, string> = {};
  if (Number.isFinite(pageSize) && skip + page.length < all.length) {
    const next = new URLSearchParams({ continueToken: Buffer.from(`offset:${skip + page.length}`).toString('base64url') });
    if (selector !== null) next.set('labelSelector', selector);
    headers.link = `</v2/admin/resourceGroups?${next.toString()}>; rel="next"`;
  }
  // Per the spec's $count parameter: the page size by default, the total with $count=true.
  const count = request.query.get('$count') === 'true' ? all.length : page.length;
  const resources = page.map((g) => ({
    resourceGroupId: g.resourceGroupId,
    tenantId: listing.tenantId,
    zoneId: listing.tenantId,
    createdAt: isoSeconds(listing.createdAtMs),
    labels: structuredClone(g.labels ?? []),
    status: g.status ?? 'PROVISIONED',
    statusMessage: null,
  }));
  return { status: 200, json: { count, resources }, headers };
}

/**
 * `BckndResourceGetResponse`: per resource plan, the warm nodes provisioned and requested. A tenant
 * whose key lacks the admin scope gets a 403, as the real service answers it.
 */
function resourceNodes(
  request: SimRequest,
  warmNodes: Readonly<Record<string, { provisioned: number; requested: number }>> | undefined,
  forbidden: boolean,
): SimResponse {
  if (forbidden) return errorResponse(request, 403, ERROR_CODES.forbidden, 'the token lacks the scope to read resource nodes');
  return { status: 200, json: { resourcePlans: { ...(warmNodes ?? {}) } } };
}

export { meta, resourceGroups, resourceNodes, API_VERSION };
export type { GroupListing };
