/**
 * The deployed tenants file (JANITOR_TENANTS_FILE), read once per container by every function that
 * needs it: the starter, the chat worker and the state machine's steps. Kept apart from
 * run-from-env.ts so the starter's bundle stays free of the run's wiring.
 */
import { loadTenantsFile } from '../../lib/tenants/load.js';
import type { TenantsFile } from '../../lib/tenants/schema.js';

/**
 * A loader of the tenants file at `path()`: read on first use and kept; a failed read is not kept,
 * so the next call reads the file again.
 *
 * @example
 * const tenants = tenantsFileLoader(() => readEnv().JANITOR_TENANTS_FILE);
 * (await tenants()).tenants; // read once per container
 */
function tenantsFileLoader(path: () => string): () => Promise<TenantsFile> {
  let loading: Promise<TenantsFile> | undefined;
  return () =>
    (loading ??= loadTenantsFile(path()).catch((error: unknown) => {
      loading = undefined;
      throw error;
    }));
}

export { tenantsFileLoader };
