/** `status: [RUNNING, PENDING]`: the item's status is one of these (documented statuses only). */
import * as z from 'zod';
import { isKnownStatus, RESOURCE_TYPES, STATUSES } from '../../lifecycle.js';
import { type ConditionDefinition, leaf } from './definition.js';

const StatusCondition = z
  .strictObject({ status: z.array(z.enum(STATUSES)).min(1, { error: 'list at least one status' }) })
  .meta({ description: 'The status is one of these (documented statuses only).' });

const status: ConditionDefinition<'status'> = {
  schema: StatusCondition,
  fields: ['status'],
  resources: RESOURCE_TYPES,
  compile(condition) {
    const wanted: readonly string[] = condition.status;
    const list = `[${wanted.join(', ')}]`;
    const text = `status in ${list}`;
    return {
      text,
      timestampField: null,
      // A status outside the documented enum is unknown: it might be one the policy would list.
      truth: (ctx) => (isKnownStatus(ctx.resource.item.status) ? wanted.includes(ctx.resource.item.status) : 'unknown'),
      trace(ctx) {
        const value = ctx.resource.item.status;
        if (!isKnownStatus(value)) return leaf(text, 'status', 'unknown', value, `status ${value} is not a documented status`);
        const truth = wanted.includes(value);
        return leaf(text, 'status', truth, value, `status ${value}${truth ? '' : ` not in ${list}`}`);
      },
    };
  },
};

export { StatusCondition, status };
