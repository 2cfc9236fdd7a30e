/**
 * `resourceGroupLabels: { key: glob }`: every listed label of the item's resource group exists and
 * matches. Labels come from the admin listing, so an absent key is a known "not set" (false), never unknown.
 */
import * as z from 'zod';
import { RESOURCE_TYPES } from '../../lifecycle.js';
import { globMatcher, showGlobs } from '../glob.js';
import { GlobList } from '../primitives.js';
import { type ConditionDefinition, leaf } from './definition.js';

const ResourceGroupLabelsCondition = z
  .strictObject({
    // An empty map would hold for every group ("all of nothing"): require at least one label.
    resourceGroupLabels: z
      .record(z.string().min(1), GlobList)
      .refine((labels) => Object.keys(labels).length > 0, { error: 'list at least one label' }),
  })
  .meta({ description: 'Every listed resource-group label exists and matches (key → value or glob).' });

const resourceGroupLabels: ConditionDefinition<'resourceGroupLabels'> = {
  schema: ResourceGroupLabelsCondition,
  fields: [],
  resources: RESOURCE_TYPES,
  compile(condition, _child, path) {
    const wanted = Object.entries(condition.resourceGroupLabels).map(([key, globs]) => ({
      key,
      shown: showGlobs(globs),
      matches: globMatcher(globs, [...path, 'resourceGroupLabels', key]),
    }));
    const text = `resource group labels ${wanted.map((w) => `${w.key}~${w.shown}`).join(', ')}`;
    return {
      text,
      timestampField: null,
      truth(ctx) {
        for (const { key, matches } of wanted) {
          const actual = ctx.labels[key];
          if (actual === undefined || !matches(actual)) return false;
        }
        return true;
      },
      trace(ctx) {
        const parts = wanted.map(({ key, shown, matches }) => {
          const actual = ctx.labels[key];
          if (actual === undefined) return { truth: false, detail: `label ${key} is not set` };
          const truth = matches(actual);
          return { truth, detail: `label ${key}=${actual} ${truth ? 'matches' : 'does not match'} ${shown}` };
        });
        const value = wanted.map(({ key }) => `${key}=${ctx.labels[key] ?? '(unset)'}`).join(', ');
        const truth = parts.every((p) => p.truth);
        return leaf(text, 'resourceGroupLabels', truth, value, parts.map((p) => p.detail).join('; '));
      },
    };
  },
};

export { ResourceGroupLabelsCondition, resourceGroupLabels };
