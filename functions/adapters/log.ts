/**
 * Structured JSON log lines for CloudWatch. `LOG_LEVEL=silent` mutes them (the CLI's demo prints
 * its own human-readable report instead). Callers pass facts, never secrets.
 */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = Exclude<keyof typeof LEVELS, 'silent'>;

function threshold(): number {
  const configured = process.env.LOG_LEVEL?.toLowerCase();
  return configured !== undefined && configured in LEVELS ? LEVELS[configured as keyof typeof LEVELS] : LEVELS.info;
}

function log(level: Level, message: string, fields: Record<string, unknown> = {}): void {
  if (LEVELS[level] < threshold()) return;
  process.stdout.write(`${JSON.stringify({ level, message, timestamp: new Date().toISOString(), ...fields })}\n`);
}

export { log };
