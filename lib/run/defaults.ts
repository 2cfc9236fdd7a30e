/**
 * lib/run's defaults, in one place: every coordinator (the single-tenant run, the tenant steps, the
 * estate run) fills what its caller left out from here.
 */
const RUN_DEFAULTS = {
  /** Groups listed and applied at once; the client's per-host limit bounds the requests in flight. */
  groupConcurrency: 8,
  /** Groups listed at once by a bare listing (`listFleet` without a coordinator: explain, snapshot). */
  listConcurrency: 4,
  /** Tenants of an estate run worked on at once (each bounded again by its own groupConcurrency). */
  tenantConcurrency: 4,
  confirmAttempts: 3,
  confirmDelayMs: 2000,
  resubmitAfterMs: 15 * 60_000,
  /** A run without a deadline of its own (library use, tests) gets this one. */
  deadlineMs: 30 * 60_000,
} as const;

export { RUN_DEFAULTS };
