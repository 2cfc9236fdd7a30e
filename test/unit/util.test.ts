import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { mapLimited } from '../../lib/util/concurrency.js';
import { envFlag } from '../../lib/util/env.js';
import { errorCode, errorMessage, UtilArgumentError, zodIssues } from '../../lib/util/errors.js';
import { jsonOrUndefined } from '../../lib/util/json.js';
import { clip } from '../../lib/util/text.js';
import { sleep } from '../../lib/util/time.js';

describe('Function: mapLimited', () => {
  it('keeps input order and never runs more than the limit at once', async () => {
    // Prepare
    let active = 0;
    let peak = 0;
    // Act
    const results = await mapLimited([30, 5, 20, 1, 10], 2, async (ms, i) => {
      active += 1;
      peak = Math.max(peak, active);
      await sleep(ms);
      active -= 1;
      return i;
    });
    // Assess
    expect(results).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
  });

  it('answers an empty list without calling the task', async () => {
    expect(await mapLimited([], 3, () => Promise.reject(new Error('called')))).toEqual([]);
  });

  it('rejects a limit that is not a positive integer, naming the argument', async () => {
    await expect(mapLimited([1], 0, (n) => Promise.resolve(n))).rejects.toBeInstanceOf(UtilArgumentError);
    await expect(mapLimited([1], 1.5, (n) => Promise.resolve(n))).rejects.toMatchObject({ argument: 'limit' });
  });

  it('rejects with the first failure', async () => {
    await expect(mapLimited([1, 2, 3], 2, (n) => (n === 2 ? Promise.reject(new Error('two')) : Promise.resolve(n)))).rejects.toThrow('two');
  });
});

describe('Function: clip', () => {
  it('leaves short text alone and marks a cut with an ellipsis', () => {
    expect(clip('short', 5)).toBe('short');
    expect(clip('stop-everything-now', 8)).toBe('stop-ev…');
  });

  it('never cuts inside a surrogate pair', () => {
    expect(clip('ab😀cd', 4)).toBe('ab…');
  });
});

describe('Function: errorMessage', () => {
  it("shows an Error's message and anything else as text", () => {
    expect(errorMessage(new RangeError('out of range'))).toBe('out of range');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(42)).toBe('42');
  });
});

describe('Function: errorCode', () => {
  it("reads a Node error's code, and nothing from anything else", () => {
    expect(errorCode(Object.assign(new Error('gone'), { code: 'ENOENT' }))).toBe('ENOENT');
    expect(errorCode(new Error('plain'))).toBeUndefined();
    expect(errorCode({ code: 'ENOENT' })).toBeUndefined();
  });
});

describe('Function: jsonOrUndefined', () => {
  it('parses JSON and answers undefined for anything else', () => {
    expect(jsonOrUndefined('{"a":1}')).toEqual({ a: 1 });
    expect(jsonOrUndefined('<html>')).toBeUndefined();
    expect(jsonOrUndefined('')).toBeUndefined();
  });
});

describe('Schema: envFlag', () => {
  it('reads true/1 as true, false/0/empty/unset as false, and refuses anything else', () => {
    const Env = z.object({ FLAG: envFlag });
    expect(['true', '1'].map((v) => Env.parse({ FLAG: v }).FLAG)).toEqual([true, true]);
    expect(['false', '0', '', undefined].map((v) => Env.parse({ FLAG: v }).FLAG)).toEqual([false, false, false, false]);
    expect(Env.safeParse({ FLAG: 'yes' }).success).toBe(false);
  });
});

describe('Function: zodIssues', () => {
  it('names each issue by its dotted path, and the root by the label given', () => {
    const Doc = z.object({ tenants: z.array(z.object({ name: z.string().min(1) })) });
    const nested = Doc.safeParse({ tenants: [{ name: '' }] });
    const root = Doc.safeParse('not an object');
    if (nested.success || root.success) throw new Error('both must fail');
    expect(zodIssues(nested.error, '(file)')).toEqual([{ path: 'tenants.0.name', message: expect.stringMatching(/too small/i) }]);
    expect(zodIssues(root.error, '(file)')).toEqual([{ path: '(file)', message: expect.any(String) }]);
  });
});
