import { afterAll, beforeAll } from 'vitest';

/** Mutes the functions' JSON log lines for the tests of one file, restoring LOG_LEVEL afterwards. */
function silenceLogs(): void {
  const saved = process.env.LOG_LEVEL;
  beforeAll(() => {
    process.env.LOG_LEVEL = 'silent';
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = saved;
  });
}

export { silenceLogs };
