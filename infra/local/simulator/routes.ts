/**
 * The route table: which paths exist, their normalised names (used by the request log and as fault
 * keys), and which method each accepts.
 */
import { RESOURCE_TYPES, type ResourceType } from '../../../lib/lifecycle.js';

type Match =
  | { name: 'token' | 'meta' | 'resourceGroups' | 'resourceNodes' | 'head' }
  | { name: 'list' | 'count' | 'bulk'; type: ResourceType }
  | { name: 'get' | 'patch' | 'delete'; type: ResourceType; id: string }
  | { name: 'methodNotAllowed'; allowed: readonly string[] }
  | { name: 'notFound' };

interface Routed {
  /** `METHOD /template`, e.g. `GET /v2/lm/executions/{id}`. */
  route: string;
  match: Match;
}

const KNOWN_ROUTES: readonly string[] = [
  'POST /oauth/token',
  'GET /v2/lm/meta',
  'GET /v2/admin/resourceGroups',
  'GET /v2/admin/resources/nodes',
  ...RESOURCE_TYPES.flatMap((t) => [
    `GET /v2/lm/${t}`,
    `PATCH /v2/lm/${t}`,
    `GET /v2/lm/${t}/$count`,
    `GET /v2/lm/${t}/{id}`,
    `PATCH /v2/lm/${t}/{id}`,
    `DELETE /v2/lm/${t}/{id}`,
  ]),
];

function isResourceType(value: string | undefined): value is ResourceType {
  return value !== undefined && (RESOURCE_TYPES as readonly string[]).includes(value);
}

function byMethod(method: string, template: string, options: Record<string, Match>): Routed {
  // SAP's Cloud SDK sends `HEAD … X-CSRF-Token: fetch` before every non-GET call; answer it plainly.
  if (method === 'HEAD' && options.GET !== undefined) return { route: `HEAD ${template}`, match: { name: 'head' } };
  const match = options[method];
  if (match !== undefined) return { route: `${method} ${template}`, match };
  return { route: `${method} ${template}`, match: { name: 'methodNotAllowed', allowed: Object.keys(options) } };
}

/** Resolves a decoded path (trailing slashes ignored) to a route. */
function resolveRoute(method: string, path: string): Routed {
  const clean = path.length > 1 ? path.replace(/\/+$/, '') : path;
  if (clean === '/oauth/token') return byMethod(method, clean, { POST: { name: 'token' } });
  if (clean === '/v2/lm/meta') return byMethod(method, clean, { GET: { name: 'meta' } });
  if (clean === '/v2/admin/resourceGroups') return byMethod(method, clean, { GET: { name: 'resourceGroups' } });
  // Read-only here: the janitor reports warm nodes and never sets them (the spec's PATCH is not served).
  if (clean === '/v2/admin/resources/nodes') return byMethod(method, clean, { GET: { name: 'resourceNodes' } });
  const [, v2, lm, type, id, ...rest] = clean.split('/');
  if (v2 === 'v2' && lm === 'lm' && isResourceType(type) && rest.length === 0) {
    if (id === undefined) return byMethod(method, `/v2/lm/${type}`, { GET: { name: 'list', type }, PATCH: { name: 'bulk', type } });
    if (id === '$count') return byMethod(method, `/v2/lm/${type}/$count`, { GET: { name: 'count', type } });
    if (id !== '') {
      return byMethod(method, `/v2/lm/${type}/{id}`, {
        GET: { name: 'get', type, id },
        PATCH: { name: 'patch', type, id },
        DELETE: { name: 'delete', type, id },
      });
    }
  }
  return { route: `${method} ${clean}`, match: { name: 'notFound' } };
}

export { KNOWN_ROUTES, resolveRoute };
export type { Match, Routed };
