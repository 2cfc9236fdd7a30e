/**
 * The glob conditions: `scenario`, `executable`, `configuration`, `configurationName` (item fields)
 * and `resourceGroup` (the group's id). A missing or empty field is unknown.
 */
import * as z from 'zod';
import { RESOURCE_TYPES } from '../../lifecycle.js';
import type { Resource } from '../../resources.js';
import { globMatcher, showGlobs } from '../glob.js';
import { GlobList } from '../primitives.js';
import type { PathKey } from '../path.js';
import { type CompiledCondition, type ConditionDefinition, type ConditionOf, fieldOf, leaf } from './definition.js';

const ScenarioCondition = z.strictObject({ scenario: GlobList }).meta({ description: 'scenarioId matches.' });
const ExecutableCondition = z.strictObject({ executable: GlobList }).meta({ description: 'executableId matches.' });
const ConfigurationCondition = z.strictObject({ configuration: GlobList }).meta({ description: 'configurationId matches.' });
const ConfigurationNameCondition = z.strictObject({ configurationName: GlobList }).meta({ description: 'configurationName matches.' });
const ResourceGroupCondition = z.strictObject({ resourceGroup: GlobList }).meta({ description: 'The resource group id matches.' });

/**
 * A compiled glob condition over the text `read` gives; `field` is how traces name it, `path` is
 * where the globs sit in the policy (so a glob picomatch refuses is reported there).
 */
function compileGlobCondition(
  field: string,
  globs: string | readonly string[],
  read: (r: Resource) => unknown,
  path: readonly PathKey[],
): CompiledCondition {
  const shown = showGlobs(globs);
  const text = `${field} ~ ${shown}`;
  const matches = globMatcher(globs, path);
  return {
    text,
    timestampField: null,
    truth(ctx) {
      const raw = read(ctx.resource);
      return typeof raw !== 'string' || raw === '' ? 'unknown' : matches(raw);
    },
    trace(ctx) {
      const raw = read(ctx.resource);
      if (typeof raw !== 'string' || raw === '') return leaf(text, field, 'unknown', null, `${field} is missing`);
      const truth = matches(raw);
      return leaf(text, field, truth, raw, `${field} ${raw} ${truth ? 'matches' : 'does not match'} ${shown}`);
    },
  };
}

/** A glob condition on an item field. */
function itemGlob<K extends 'scenario' | 'executable' | 'configuration' | 'configurationName'>(
  kind: K,
  field: string,
  schema: z.ZodType,
  globsOf: (condition: ConditionOf<K>) => string | readonly string[],
): ConditionDefinition<K> {
  return {
    schema,
    fields: [field],
    resources: RESOURCE_TYPES,
    compile: (condition, _child, path) => compileGlobCondition(field, globsOf(condition), (r) => fieldOf(r, field), [...path, kind]),
  };
}

const scenario = itemGlob('scenario', 'scenarioId', ScenarioCondition, (c) => c.scenario);
const executable = itemGlob('executable', 'executableId', ExecutableCondition, (c) => c.executable);
const configuration = itemGlob('configuration', 'configurationId', ConfigurationCondition, (c) => c.configuration);
const configurationName = itemGlob('configurationName', 'configurationName', ConfigurationNameCondition, (c) => c.configurationName);

const resourceGroup: ConditionDefinition<'resourceGroup'> = {
  schema: ResourceGroupCondition,
  fields: [],
  resources: RESOURCE_TYPES,
  compile: (condition, _child, path) =>
    compileGlobCondition('resourceGroup', condition.resourceGroup, (r) => r.group, [...path, 'resourceGroup']),
};

export {
  ScenarioCondition,
  ExecutableCondition,
  ConfigurationCondition,
  ConfigurationNameCondition,
  ResourceGroupCondition,
  scenario,
  executable,
  configuration,
  configurationName,
  resourceGroup,
};
