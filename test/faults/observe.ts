/**
 * What AI Core saw, judged at the moment it saw it. Three prototype hooks on the in-process
 * simulator (no change to the simulator itself):
 * - FaultEngine.before runs for every request before the API handles it: each PATCH/DELETE is
 *   recorded with the status every named item had right then (lifecycle legality, bulk size,
 *   duplicate ids, a re-send of something already accepted);
 * - FleetState.transition says which (item, action) AI Core accepted — also when the answer is lost;
 * - TokenIssuer.handleTokenRequest shows every token issued (secrets that must not leak).
 * Rows run one at a time, so one module-level observer collects for the row that runs.
 */
import { isLegalTransition, RESOURCE_TYPES, type Action, type ResourceType } from '../../lib/lifecycle.js';
import { FaultEngine } from '../../infra/local/simulator/faults.js';
import { FleetState } from '../../infra/local/simulator/state.js';
import { TokenIssuer } from '../../infra/local/simulator/auth.js';
import type { SimRequest, SimResponse } from '../../infra/local/simulator/http.js';

interface SentItem {
  id: string;
  action: Action;
  /** The status AI Core listed for it when the request arrived; null when it had no such item. */
  statusThen: string | null;
}

interface Mutation {
  method: string;
  route: string;
  group: string | null;
  type: ResourceType;
  items: SentItem[];
  /** Bulk body key (executions / deployments) when a bulk PATCH. */
  bodyKey?: string | undefined;
}

class Observer {
  readonly mutations: Mutation[] = [];
  /** Protocol or lifecycle violations found as requests arrived. */
  readonly violations: string[] = [];
  /** An (item, action) sent again after AI Core had accepted it. */
  readonly resends: string[] = [];
  readonly tokens: string[] = [];
  /** The simulator's state, once it has seen a request (rows change AI Core behind the janitor's back with it). */
  state: FleetState | undefined;
  private readonly accepted = new Set<string>();

  onRequest(route: string, request: SimRequest, state: FleetState): void {
    this.state = state;
    const match = /^(PATCH|DELETE) \/v2\/lm\/(executions|deployments)(\/\{id\})?$/.exec(route);
    if (match === null) return;
    const [, method, typeText, single] = match;
    const type = typeText as ResourceType;
    const group = request.group;
    state.advance();
    let parsed: unknown;
    try {
      parsed = request.body === '' ? undefined : JSON.parse(request.body);
    } catch {
      parsed = undefined;
    }
    const raw: Array<{ id: string; action: Action }> = [];
    let bodyKey: string | undefined;
    if (single !== undefined) {
      const id = decodeURIComponent(request.path.split('/').pop() ?? '');
      raw.push({ id, action: method === 'DELETE' ? 'delete' : 'stop' });
    } else if (typeof parsed === 'object' && parsed !== null) {
      const keys = Object.keys(parsed);
      bodyKey = keys[0];
      if (keys.length !== 1 || !(RESOURCE_TYPES as readonly string[]).includes(keys[0] ?? ''))
        this.violations.push(`bulk PATCH on ${type} with body keys ${JSON.stringify(keys)}`);
      else if (bodyKey !== type) this.violations.push(`bulk PATCH on ${type} carries a "${bodyKey}" body`);
      const items: unknown = (parsed as Record<string, unknown>)[keys[0] ?? ''];
      if (Array.isArray(items)) {
        for (const item of items as Array<{ id?: unknown; targetStatus?: unknown }>) {
          raw.push({ id: String(item.id), action: item.targetStatus === 'STOPPED' ? 'stop' : 'delete' });
        }
      }
    } else {
      this.violations.push(`bulk PATCH on ${type} with an unreadable body`);
    }
    if (raw.length > 100) this.violations.push(`${method} ${type}: ${raw.length} items in one request (at most 100)`);
    const ids = raw.map((r) => r.id);
    const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
    if (twice.length > 0) this.violations.push(`${method} ${type}: id(s) twice in one request: ${[...new Set(twice)].join(', ')}`);
    const items = raw.map((r): SentItem => {
      const status = group === null ? undefined : state.get(type, group, r.id)?.status;
      const statusThen = status ?? null;
      if (statusThen !== null && !isLegalTransition(type, statusThen, r.action))
        this.violations.push(`${r.action} of ${type} ${r.id} while AI Core listed it ${statusThen}`);
      const key = `${group ?? ''}/${type}/${r.id}/${r.action}`;
      if (this.accepted.has(key)) this.resends.push(`${r.action} ${type} ${r.id} in ${group ?? '?'}: sent again after AI Core accepted it`);
      return { id: r.id, action: r.action, statusThen };
    });
    this.mutations.push({ method: method ?? '', route, group, type, items, bodyKey });
  }

  onTransition(group: string, type: ResourceType, id: string, action: Action, ok: boolean): void {
    if (ok) this.accepted.add(`${group}/${type}/${id}/${action}`);
  }

  onToken(response: SimResponse): void {
    const token = (response.json as { access_token?: unknown } | undefined)?.access_token;
    if (typeof token === 'string') this.tokens.push(token);
  }

  /** Every id named in any mutation, with repeats. */
  touched(): string[] {
    return this.mutations.flatMap((m) => m.items.map((i) => i.id));
  }
}

let current: Observer | undefined;

type Patchable = Record<string, (...args: never[]) => unknown>;

function install(): void {
  const engine = FaultEngine.prototype as unknown as Patchable & { __faultsObserved?: boolean };
  if (engine.__faultsObserved === true) return;
  engine.__faultsObserved = true;

  const before = FaultEngine.prototype.before;
  FaultEngine.prototype.before = function observedBefore(this: FaultEngine, route: string, request: SimRequest) {
    const state = (this as unknown as { state: FleetState }).state;
    current?.onRequest(route, request, state);
    return before.call(this, route, request);
  };
  const transition = FleetState.prototype.transition;
  FleetState.prototype.transition = function observedTransition(
    this: FleetState,
    type: ResourceType,
    group: string,
    id: string,
    action: Action,
  ) {
    const result = transition.call(this, type, group, id, action);
    current?.onTransition(group, type, id, action, result.ok);
    return result;
  };
  const issue = TokenIssuer.prototype.handleTokenRequest;
  TokenIssuer.prototype.handleTokenRequest = function observedToken(this: TokenIssuer, request: SimRequest, issuerUrl: string) {
    const response = issue.call(this, request, issuerUrl);
    current?.onToken(response);
    return response;
  };
}

/** Starts observing for one row; the returned observer collects until the next call. */
function observe(): Observer {
  install();
  current = new Observer();
  return current;
}

export { observe, Observer };
export type { Mutation, SentItem };
