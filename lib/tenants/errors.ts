/**
 * Every failure lib/tenants raises: one base class, one class per failure mode, each carrying the
 * file or tenant it is about, so a front door answers a user's mistake with a clear message.
 */

class TenantsError extends Error {
  override name = 'TenantsError';
}

/** The tenants file cannot be read, is not YAML/JSON, or does not validate (`issues`, with paths). */
class TenantsFileError extends TenantsError {
  override name = 'TenantsFileError';
  constructor(
    message: string,
    readonly source: string,
    readonly issues: ReadonlyArray<{ path: string; message: string }> = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A tenant name was asked for that the file does not list. */
class UnknownTenantError extends TenantsError {
  override name = 'UnknownTenantError';
  constructor(
    readonly tenant: string,
    readonly known: readonly string[],
  ) {
    super(`no tenant '${tenant}' in the tenants file (tenants: ${known.join(', ')})`);
  }
}

export { TenantsError, TenantsFileError, UnknownTenantError };
