import { describe, expect, it } from 'vitest';
import { Progress } from '../../cli/progress.js';
import { capturedIo } from '../helpers/captured-io.js';

const MESSAGES = [
  'listing 2 resource group(s)',
  '  team-a: 3 item(s)',
  '  team-b: 0 item(s) (listing failed: HTTP 500)',
  'applying 3 action(s)',
];

describe('Class: Progress', () => {
  it('prints plain lines when stderr is not a terminal, and a planning line once every group is listed', () => {
    const io = capturedIo();
    const progress = Progress.for(io, false);
    for (const m of MESSAGES) progress.message(m);
    expect(progress.mode).toBe('lines');
    expect(io.stderr().split('\n')).toEqual([
      'listing 2 resource group(s)',
      '  team-a: 3 item(s)',
      '  team-b: 0 item(s) (listing failed: HTTP 500)',
      'planning 3 item(s)',
      'applying 3 action(s)',
    ]);
  });

  it('draws a bar on a terminal, keeps a failed group as a line of its own, and clears the bar', () => {
    const io = capturedIo();
    const drawn: string[] = [];
    const progress = Progress.for({ ...io, statusLine: true, status: (t) => void drawn.push(t) }, false);
    for (const m of MESSAGES) progress.message(m);
    progress.clear();
    expect(progress.mode).toBe('bar');
    expect(drawn.some((t) => /listing +█{12}░{12} 1\/2 groups, 3 items/.test(t))).toBe(true);
    expect(drawn.at(-1)).toBe('\r\x1b[2K');
    expect(io.stderr()).toBe('team-b: 0 item(s) (listing failed: HTTP 500)');
  });

  it('prints nothing with --json', () => {
    const io = capturedIo();
    const progress = Progress.for(io, true);
    for (const m of MESSAGES) progress.message(m);
    progress.note('state: local');
    expect(io.stderr()).toBe('');
  });
});
