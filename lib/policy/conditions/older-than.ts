/** `olderThan: { field, age }`: the chosen timestamp is more than `age` before now; a missing one is unknown. */
import * as z from 'zod';
import { RESOURCE_TYPES } from '../../lifecycle.js';
import { durationSeconds, formatAge } from '../duration.js';
import { Duration, TIMESTAMP_FIELDS } from '../primitives.js';
import { parseInstant } from '../time.js';
import { type ConditionDefinition, fieldOf, leaf } from './definition.js';

const OlderThanCondition = z
  .strictObject({
    olderThan: z.strictObject({
      field: z.enum(TIMESTAMP_FIELDS),
      age: Duration,
    }),
  })
  .meta({ description: 'The chosen timestamp is more than `age` before now. A missing timestamp is unknown.' });

const olderThan: ConditionDefinition<'olderThan'> = {
  schema: OlderThanCondition,
  fields: TIMESTAMP_FIELDS,
  resources: RESOURCE_TYPES,
  compile(condition) {
    const { field, age } = condition.olderThan;
    const text = `${field} older than ${age}`;
    // Converted once per policy; an age that is not a duration (a policy that skipped validation) is unknown.
    const limit = durationSeconds(age);
    return {
      text,
      timestampField: field,
      truth(ctx) {
        const at = parseInstant(fieldOf(ctx.resource, field));
        if (at === null || limit === null) return 'unknown';
        return Math.floor((ctx.nowMs - at) / 1000) > limit;
      },
      trace(ctx) {
        const raw = fieldOf(ctx.resource, field);
        if (raw === null || raw === undefined) return leaf(text, field, 'unknown', null, `${field} is missing`);
        const at = parseInstant(raw);
        const shown = typeof raw === 'string' ? raw : JSON.stringify(raw);
        if (at === null)
          return leaf(text, field, 'unknown', shown, `${field} ${JSON.stringify(raw)} is not an ISO-8601 instant with a zone`);
        if (limit === null) return leaf(text, field, 'unknown', shown, `age ${age} is not a duration`);
        const seconds = Math.floor((ctx.nowMs - at) / 1000);
        const truth = seconds > limit;
        return leaf(text, field, truth, shown, `${field} ${formatAge(seconds)} ago (${truth ? '>' : 'not >'} ${age})`, seconds);
      },
    };
  },
};

export { OlderThanCondition, olderThan };
