import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { InvalidEventError, parseEvent } from '../../functions/adapters/event.js';
import { FunctionError } from '../../functions/adapters/errors.js';
import { starterCore } from '../../functions/starter.js';

describe('Function: parseEvent', () => {
  const Event = z.object({ id: z.string().min(1), time: z.string() });

  it('returns the parsed event', () => {
    expect(parseEvent(Event, { id: 'e1', time: 't', extra: 1 }, 'test event')).toEqual({ id: 'e1', time: 't' });
  });

  it('answers a wrong event with an InvalidEventError naming each problem, not a ZodError', () => {
    // Act
    let thrown: unknown;
    try {
      parseEvent(Event, { id: '' }, 'test event');
    } catch (error) {
      thrown = error;
    }
    // Assess
    expect(thrown).toBeInstanceOf(InvalidEventError);
    expect(thrown).toBeInstanceOf(FunctionError);
    const error = thrown as InvalidEventError;
    expect(error.message).toMatch(/^invalid test event:/);
    expect(error.issues.map((i) => i.path)).toEqual(['id', 'time']);
  });
});

describe('the starter', () => {
  it('refuses an event that is not a schedule event with an InvalidEventError, before any call', async () => {
    // Prepare
    let sent = 0;
    const start = starterCore({
      sfn: {
        send: () => {
          sent += 1;
          return Promise.reject(new Error('not expected'));
        },
      },
      tenants: () => Promise.reject(new Error('not expected')),
      env: { JANITOR_STATE_MACHINE_ARN: 'arn:aws:states:eu-central-1:123456789012:stateMachine:janitor' },
      clock: () => new Date(),
    });
    // Act / Assess
    await expect(start({ id: 'e1' })).rejects.toBeInstanceOf(InvalidEventError);
    expect(sent).toBe(0);
  });
});
