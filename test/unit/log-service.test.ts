import { afterEach, describe, expect, it, vi } from 'vitest';
import { log } from '../../functions/adapters/log.js';

describe('Function: log', () => {
  const saved = process.env.LOG_LEVEL;
  afterEach(() => {
    vi.restoreAllMocks();
    if (saved === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = saved;
  });

  it('names the service (never Powertools’ "service_undefined") and stays silent with LOG_LEVEL=silent', () => {
    // Prepare
    const lines: string[] = [];
    const capture = (chunk: unknown): boolean => {
      lines.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(console, 'info').mockImplementation((text: unknown) => void lines.push(String(text)));

    // Act
    process.env.LOG_LEVEL = 'info';
    log('info', 'hello');
    process.env.LOG_LEVEL = 'silent';
    log('info', 'muted');

    // Assess
    const text = lines.join('\n');
    expect(text).toContain('"message":"hello"');
    expect(text).not.toContain('service_undefined');
    expect(text).toMatch(/"service":"aicore-janitor/);
    expect(text).not.toContain('muted');
  });
});
