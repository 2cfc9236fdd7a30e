/**
 * Savings, estimated honestly: what each planned action frees, measured from the listing only.
 * AI Core bills compute in node hours per resource plan (parallel replicas add up); generative-AI
 * deployments are billed by tokens, so stopping them frees no compute. Nothing here guesses: a plan
 * or a replica count the listing does not give is `unknown`, and an amount appears only when the
 * policy gives a rate for that plan (`rates:`), labelled as an estimate at the user's rates.
 *
 * Pure: no I/O, no clock.
 */
import type { Resource, WarmNodes } from '../resources.js';
import type { Action } from '../lifecycle.js';
import { GENERATIVE_AI_SCENARIOS, type Rates } from './schema.js';

const HOURS_PER_DAY = 24;

/** Statuses in which an item holds nodes (a stop or delete then frees them). */
const HOLDS_COMPUTE = new Set(['RUNNING', 'PENDING']);

/**
 * What one planned action frees:
 * - `compute`: `nodes` of `resourcePlan` (`atLeast`: the listing gave only min_replicas, or an
 *   execution's plan label without a node count);
 * - `none`: no compute (generative-AI billing by tokens, or the item holds no nodes); `freesQuota`
 *   says whether it frees a deployment quota slot (a DELETE of a deployment);
 * - `unknown`: the listing does not say; `resourcePlan` when only the node count is missing.
 */
type Savings =
  | { kind: 'compute'; resourcePlan: string; nodes: number; atLeast: boolean; nodeHoursPerDay: number }
  | { kind: 'none'; reason: string; freesQuota: boolean }
  | { kind: 'unknown'; reason: string; resourcePlan: string | null };

/** An amount at the user's rates, per day. */
interface Estimate {
  perDay: number;
  unit: string;
}

interface PlanSavings {
  resourcePlan: string;
  /** Actions that free nodes of this plan. */
  actions: number;
  nodes: number;
  /** Some action's count is a lower bound. */
  atLeast: boolean;
  nodeHoursPerDay: number;
  /** Only when `rates:` gives this plan a rate; null: rate unknown. */
  estimate: Estimate | null;
}

interface SavingsTotals {
  /** Sorted by resource plan. */
  byPlan: PlanSavings[];
  /** Actions whose savings are unknown (counted, never turned into a number). */
  unknown: number;
  /** Actions that free no compute. */
  none: number;
  /** Actions that free a deployment quota slot (deletes of deployments). */
  freesQuota: number;
  /** Sum of the priced plans' estimates (`complete`: every plan priced, nothing unknown); null without `rates:`. */
  estimate: (Estimate & { complete: boolean }) | null;
}

const EMPTY_SAVINGS: SavingsTotals = { byPlan: [], unknown: 0, none: 0, freesQuota: 0, estimate: null };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads `path` under `root`, trying each segment's spellings (snake_case first, then camelCase). */
function dig(root: unknown, path: ReadonlyArray<readonly string[]>): unknown {
  let node: unknown = root;
  for (const spellings of path) {
    if (!isRecord(node)) return undefined;
    const record = node;
    const key = spellings.find((s) => record[s] !== undefined && record[s] !== null);
    if (key === undefined) return undefined;
    node = record[key];
  }
  return node;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** A non-negative integer count from a number or a decimal string ("2"); anything else is null. */
function count(value: unknown): number | null {
  if (typeof value === 'number') return Number.isInteger(value) && value >= 0 ? value : null;
  if (typeof value === 'string' && /^\d{1,6}$/.test(value.trim())) return Number.parseInt(value.trim(), 10);
  return null;
}

const BACKEND = ['backend_details', 'backendDetails'] as const;

/** A deployment's resource plan and replica counts, from either spelling of `details`. */
function deploymentCompute(details: unknown): { resourcePlan: string | null; running: number | null; min: number | null } {
  const resourcePlan = text(dig(details, [['resources'], BACKEND, ['predictor'], ['resource_plan', 'resourcePlan']]));
  const scaling = dig(details, [['scaling'], BACKEND, ['predictor']]);
  return {
    resourcePlan,
    running: count(dig(scaling, [['running_replicas', 'runningReplicas']])),
    min: count(dig(scaling, [['min_replicas', 'minReplicas']])),
  };
}

/** An execution's plan label, if the listing gives one (`resourcePlan`, a label, or `details` as for deployments). */
function executionPlan(item: Record<string, unknown>): string | null {
  const direct = text(item.resourcePlan) ?? text(item.resource_plan);
  if (direct !== null) return direct;
  const labels = item.labels;
  if (Array.isArray(labels)) {
    for (const label of labels) {
      if (isRecord(label) && label.key === 'ai.sap.com/resourcePlan') {
        const value = text(label.value);
        if (value !== null) return value;
      }
    }
  }
  return text(dig(item.details, [['resources'], BACKEND, ['predictor'], ['resource_plan', 'resourcePlan']]));
}

function compute(resourcePlan: string, nodes: number, atLeast: boolean): Savings {
  return { kind: 'compute', resourcePlan, nodes, atLeast, nodeHoursPerDay: nodes * HOURS_PER_DAY };
}

/**
 * What one action on one item frees, from the listing alone.
 *
 * @example
 * savingsOf(resource, 'stop'); // { kind: 'compute', resourcePlan: 'infer.s', nodes: 2, atLeast: false, nodeHoursPerDay: 48 }
 */
function savingsOf(resource: Resource, action: Action): Savings {
  const item = resource.item;
  const freesQuota = resource.type === 'deployments' && action === 'delete';
  if (resource.type === 'deployments' && (GENERATIVE_AI_SCENARIOS as readonly string[]).includes(item.scenarioId ?? '')) {
    return {
      kind: 'none',
      reason: `generative-AI deployment (${item.scenarioId ?? ''}): billed by tokens, no compute to free`,
      freesQuota,
    };
  }
  if (!HOLDS_COMPUTE.has(item.status)) {
    return {
      kind: 'none',
      reason: freesQuota ? `${item.status}: holds no nodes; deleting frees a deployment quota slot` : `${item.status}: holds no nodes`,
      freesQuota,
    };
  }
  if (resource.type === 'executions') {
    const plan = executionPlan(item);
    return plan === null
      ? { kind: 'unknown', reason: 'the listing gives no resource plan for this execution', resourcePlan: null }
      : compute(plan, 1, true);
  }
  const { resourcePlan, running, min } = deploymentCompute(resource.item.details);
  if (resourcePlan === null)
    return { kind: 'unknown', reason: 'the listing gives no resource plan for this deployment', resourcePlan: null };
  if (running !== null) return compute(resourcePlan, running, false);
  if (min !== null) return compute(resourcePlan, min, true);
  return { kind: 'unknown', reason: 'the listing gives no replica count for this deployment', resourcePlan };
}

/**
 * Totals over actions, by resource plan; amounts only for plans `rates` prices.
 *
 * @example
 * totalSavings(group.actions.map((a) => a.savings), policy.rates);
 */
function totalSavings(items: readonly Savings[], rates: Rates | undefined): SavingsTotals {
  const byPlan = new Map<string, PlanSavings>();
  let unknown = 0;
  let none = 0;
  let freesQuota = 0;
  for (const s of items) {
    if (s.kind === 'unknown') unknown += 1;
    else if (s.kind === 'none') {
      none += 1;
      if (s.freesQuota) freesQuota += 1;
    } else {
      const entry = byPlan.get(s.resourcePlan) ?? {
        resourcePlan: s.resourcePlan,
        actions: 0,
        nodes: 0,
        atLeast: false,
        nodeHoursPerDay: 0,
        estimate: null,
      };
      entry.actions += 1;
      entry.nodes += s.nodes;
      entry.atLeast ||= s.atLeast;
      entry.nodeHoursPerDay += s.nodeHoursPerDay;
      byPlan.set(s.resourcePlan, entry);
    }
  }
  const plans = [...byPlan.values()].sort((a, b) => (a.resourcePlan < b.resourcePlan ? -1 : a.resourcePlan > b.resourcePlan ? 1 : 0));
  let estimate: SavingsTotals['estimate'] = null;
  if (rates !== undefined) {
    let complete = unknown === 0;
    let perDay = 0;
    let priced = 0;
    for (const p of plans) {
      const rate = rates.perNodeHour[p.resourcePlan];
      if (rate === undefined) {
        complete = false;
        continue;
      }
      p.estimate = { perDay: p.nodeHoursPerDay * rate, unit: rates.unit };
      perDay += p.estimate.perDay;
      priced += 1;
    }
    if (priced > 0 || plans.length === 0) estimate = { perDay, unit: rates.unit, complete };
  }
  return { byPlan: plans, unknown, none, freesQuota, estimate };
}

/** `2`, `at least 2`. */
function nodesText(nodes: number, atLeast: boolean): string {
  return atLeast ? `at least ${nodes}` : String(nodes);
}

function amountText(estimate: Estimate): string {
  return `${Number(estimate.perDay.toFixed(2)).toLocaleString('en-US')} ${estimate.unit}/day`;
}

/**
 * Savings in one sentence, for the CLI and the digest.
 *
 * @example
 * savingsSummary(plan.savings); // "frees 2 node(s) infer.s (48 node h/day); 1 unknown"
 */
function savingsSummary(totals: SavingsTotals): string {
  const plans = totals.byPlan.map(
    (p) =>
      `${nodesText(p.nodes, p.atLeast)} node(s) ${p.resourcePlan} (${nodesText(p.nodeHoursPerDay, p.atLeast)} node h/day${p.estimate === null ? '' : `, ~${amountText(p.estimate)}`})`,
  );
  const parts = [plans.length === 0 ? 'frees no compute' : `frees ${plans.join(', ')}`];
  if (totals.unknown > 0) parts.push(`${totals.unknown} action(s) with unknown savings (not counted)`);
  if (totals.freesQuota > 0) parts.push(`${totals.freesQuota} deployment quota slot(s)`);
  if (totals.estimate !== null && totals.byPlan.length > 0) {
    parts.push(
      `estimate at your rates: ~${amountText(totals.estimate)}${totals.estimate.complete ? '' : ' (partial: some plans unpriced or unknown)'}`,
    );
  }
  return parts.join('; ');
}

/** Savings of one action in a few words, for tables. */
function savingsCell(s: Savings): string {
  if (s.kind === 'compute') return `${nodesText(s.nodes, s.atLeast)}× ${s.resourcePlan}`;
  if (s.kind === 'none') return s.freesQuota ? 'quota only' : 'none';
  return s.resourcePlan === null ? 'unknown' : `? × ${s.resourcePlan}`;
}

/**
 * The tenant's warm nodes as standing cost, in one sentence; null when none are provisioned or
 * requested. Reported only: the janitor never changes them.
 *
 * @example
 * warmNodesSummary({ kind: 'known', plans: [{ resourcePlan: 'infer.l', provisioned: 2, requested: 2 }] });
 * // "warm nodes 2 infer.l (48 node h/day); reserved for the tenant, never acted on"
 */
function warmNodesSummary(warm: WarmNodes): string | null {
  if (warm.kind === 'unknown') return `warm nodes unknown (${warm.reason})`;
  const held = warm.plans.filter((p) => p.provisioned > 0 || p.requested > 0);
  if (held.length === 0) return null;
  const plans = held.map((p) => {
    const pending = p.requested > p.provisioned ? `; ${p.requested - p.provisioned} more requested` : '';
    return `${p.provisioned} ${p.resourcePlan} (${p.provisioned * HOURS_PER_DAY} node h/day${pending})`;
  });
  return `warm nodes ${plans.join(', ')}; reserved for the tenant, never acted on`;
}

export { savingsOf, totalSavings, savingsSummary, savingsCell, warmNodesSummary, EMPTY_SAVINGS, HOURS_PER_DAY };
export type { Savings, SavingsTotals, PlanSavings, Estimate };
