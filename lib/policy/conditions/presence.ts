/**
 * `executionSchedule: present | absent` (executions) and `ttl: present | absent` (deployments).
 * Presence is the one question a null answers: null, missing or empty means absent, never unknown.
 */
import * as z from 'zod';
import type { ResourceType } from '../../lifecycle.js';
import { Presence } from '../primitives.js';
import { type ConditionDefinition, type ConditionOf, type ConditionTrace, fieldOf, leaf } from './definition.js';

const ExecutionScheduleCondition = z
  .strictObject({ executionSchedule: Presence })
  .meta({ description: 'executions only: executionScheduleId is present or absent.' });
const TtlCondition = z.strictObject({ ttl: Presence }).meta({ description: 'deployments only: ttl is present or absent.' });

function presenceOf(raw: unknown): boolean {
  return raw !== null && raw !== undefined && raw !== '';
}

function presence<K extends 'executionSchedule' | 'ttl'>(
  field: string,
  resource: ResourceType,
  schema: z.ZodType,
  wantedOf: (condition: ConditionOf<K>) => 'present' | 'absent',
): ConditionDefinition<K> {
  return {
    schema,
    fields: [field],
    resources: [resource],
    compile(condition) {
      const wanted = wantedOf(condition);
      const text = `${field} ${wanted}`;
      return {
        text,
        timestampField: null,
        truth: (ctx) => presenceOf(fieldOf(ctx.resource, field)) === (wanted === 'present'),
        trace(ctx): ConditionTrace {
          const raw = fieldOf(ctx.resource, field);
          const present = presenceOf(raw);
          const truth = present === (wanted === 'present');
          if (!present) return leaf(text, field, truth, null, `${field} is absent`);
          const shown = typeof raw === 'string' ? raw : JSON.stringify(raw);
          return leaf(text, field, truth, shown, `${field} is ${shown}`);
        },
      };
    },
  };
}

const executionSchedule = presence<'executionSchedule'>(
  'executionScheduleId',
  'executions',
  ExecutionScheduleCondition,
  (c) => c.executionSchedule,
);
const ttl = presence<'ttl'>('ttl', 'deployments', TtlCondition, (c) => c.ttl);

export { ExecutionScheduleCondition, TtlCondition, executionSchedule, ttl };
