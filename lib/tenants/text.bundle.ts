/**
 * Stands in for text.ts inside the function bundles, which carry no YAML parser: there the tenants
 * file is read as JSON (convert a YAML file with `npx yaml < tenants.yaml > tenants.json`, or any
 * YAML-to-JSON tool, before packaging).
 */
import { errorMessage } from '../util/errors.js';
import { TenantsError } from './errors.js';

function parseTenantsText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TenantsError(
      `the deployed functions read the tenants file as JSON (${errorMessage(error)}); convert it from YAML before packaging`,
      { cause: error },
    );
  }
}

export { parseTenantsText };
