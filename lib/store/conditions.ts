/**
 * The write conditions of base.ts evaluated in code, for adapters whose engine has no conditional
 * writes of its own (memory, LevelDB). DynamoDB evaluates the same conditions server-side.
 */
import type { Condition } from './base.js';

/** Whether `condition` holds for the record a write finds (`undefined`: none with that key). */
function holds(item: Record<string, unknown> | undefined, condition: Condition): boolean {
  switch (condition.op) {
    case 'absent':
      return item === undefined;
    case 'missing':
      return item === undefined || item[condition.field] === undefined;
    case 'eq':
      return item !== undefined && item[condition.field] === condition.value;
    case 'lt': {
      const v = item?.[condition.field];
      return typeof v === 'number' && v < condition.value;
    }
    case 'gt': {
      const v = item?.[condition.field];
      return typeof v === 'number' && v > condition.value;
    }
    case 'or':
      return condition.of.some((part) => holds(item, part));
    case 'and':
      return condition.of.every((part) => holds(item, part));
  }
}

export { holds };
