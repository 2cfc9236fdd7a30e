import { describe, expect, it } from 'vitest';
import { evaluate, type Plan } from '../../lib/policy/index.js';
import type { PolicyInput } from '../../lib/policy/schema.js';
import { NOW, ago, execution, group, observations, policy } from './factories.js';

const RULE: PolicyInput['rules'] = [
  {
    id: 'stale',
    resource: 'executions',
    match: { all: [{ status: ['RUNNING'] }, { olderThan: { field: 'startTime', age: '1d' } }] },
    action: 'stop',
  },
];

/** `n` stale runs; run i started (i + 2) days ago, so e00 is the youngest. */
function runs(prefix: string, n: number, idle = 0) {
  return [
    ...Array.from({ length: n }, (_, i) => execution(`${prefix}${String(i).padStart(2, '0')}`, { startTime: ago(24 * (i + 2)) })),
    ...Array.from({ length: idle }, (_, i) => execution(`${prefix}idle${i}`, { status: 'COMPLETED' })),
  ];
}

function run(caps: PolicyInput['caps'], groups: Array<[string, number, number?]>, actionsToday = 0): Plan {
  const fleet = groups.map(([name, n, idle]) => group(name, { executions: runs(name, n, idle ?? 0) }));
  return evaluate({ fleet, policy: policy({ caps, rules: RULE }), now: NOW, observations: observations({ actionsToday }) });
}

const applied = (p: Plan) =>
  p.aborted === null ? p.groups.filter((g) => g.aborted === null).reduce((n, g) => n + g.actions.length, 0) : 0;

describe('Caps', () => {
  it('has documented defaults that allow a normal run', () => {
    const p = run(undefined, [['a', 50, 50]]);
    expect(p.aborted).toBeNull();
    expect(applied(p)).toBe(50);
  });

  describe('onCapExceeded: abort', () => {
    it('aborts a group over maxActionsPerGroup; other groups are unaffected', () => {
      const p = run({ maxActionsPerGroup: 3 }, [
        ['a', 4],
        ['b', 3],
      ]);
      expect(p.groups[0]?.aborted).toEqual({
        cap: 'maxActionsPerGroup',
        limit: 3,
        selected: 4,
        reason: '4 actions planned in the group, more than maxActionsPerGroup 3',
      });
      expect(p.groups[0]?.actions).toHaveLength(4); // listed, but not applied
      expect(p.groups[1]?.aborted).toBeNull();
      expect(applied(p)).toBe(3);
    });

    it('aborts a group over maxPercentOfGroup, counting unparseable items in the denominator', () => {
      const fleet = [group('a', { executions: runs('a', 5, 4), unparseable: [{ type: 'executions', id: 'x', reason: 'bad' }] })];
      const p = evaluate({
        fleet,
        policy: policy({ caps: { maxPercentOfGroup: 40 }, rules: RULE }),
        now: NOW,
        observations: observations(),
      });
      expect(p.groups[0]?.aborted).toMatchObject({ cap: 'maxPercentOfGroup', limit: 4, selected: 5 });
      const ok = evaluate({
        fleet,
        policy: policy({ caps: { maxPercentOfGroup: 50 }, rules: RULE }),
        now: NOW,
        observations: observations(),
      });
      expect(ok.groups[0]?.aborted).toBeNull();
    });

    it('aborts the whole run over maxActionsPerRun, counting only groups that were not aborted', () => {
      const p = run({ maxActionsPerRun: 5, maxActionsPerGroup: 3 }, [
        ['a', 4],
        ['b', 3],
        ['c', 2],
      ]);
      expect(p.groups[0]?.aborted?.cap).toBe('maxActionsPerGroup');
      expect(p.aborted).toBeNull(); // 3 + 2 = 5 ≤ 5
      const over = run({ maxActionsPerRun: 4 }, [
        ['a', 3],
        ['b', 2],
      ]);
      expect(over.aborted).toMatchObject({ cap: 'maxActionsPerRun', limit: 4, selected: 5 });
      expect(applied(over)).toBe(0);
    });

    it('aborts the run when today plus this run would pass maxActionsPerDay', () => {
      const p = run({ maxActionsPerDay: 10 }, [['a', 3]], 8);
      expect(p.aborted).toMatchObject({ cap: 'maxActionsPerDay', limit: 10, selected: 11 });
      expect(p.aborted?.reason).toBe('8 actions already today + 3 planned, more than maxActionsPerDay 10');
      expect(run({ maxActionsPerDay: 10 }, [['a', 2]], 8).aborted).toBeNull();
      expect(run({ maxActionsPerDay: 10 }, [['a', 0, 3]], 50).aborted).toBeNull(); // nothing planned, nothing to abort
    });

    it('treats an unreadable day count as no budget left', () => {
      expect(run({}, [['a', 1]], Number.NaN).aborted?.cap).toBe('maxActionsPerDay');
    });

    it('changes the plan hash when a scope is aborted', () => {
      const a = run({ maxActionsPerGroup: 5 }, [['a', 4]]);
      const b = run({ maxActionsPerGroup: 3 }, [['a', 4]]);
      expect(a.hash).not.toBe(b.hash);
    });
  });

  describe('onCapExceeded: oldest-first', () => {
    it('keeps the oldest N in a group (by the rule timestamp) and marks the rest capped', () => {
      const p = run({ maxActionsPerGroup: 2, onCapExceeded: 'oldest-first' }, [['a', 4]]);
      expect(p.groups[0]?.aborted).toBeNull();
      expect(p.groups[0]?.actions.map((a) => a.id)).toEqual(['a02', 'a03']);
      const capped = p.groups[0]?.skipped.filter((s) => s.kind === 'capped') ?? [];
      expect(capped.map((s) => s.id)).toEqual(['a00', 'a01']);
      expect(capped[0]?.reason).toContain('capped by maxActionsPerGroup');
      expect(capped[0]?.reason).toContain('kept the 2 oldest of 4');
    });

    it('breaks ties by id', () => {
      const same = ago(100);
      const fleet = [group('g', { executions: ['c', 'a', 'b'].map((id) => execution(id, { startTime: same })) })];
      const p = evaluate({
        fleet,
        policy: policy({ caps: { maxActionsPerGroup: 2, onCapExceeded: 'oldest-first' }, rules: RULE }),
        now: NOW,
        observations: observations(),
      });
      expect(p.groups[0]?.actions.map((a) => a.id)).toEqual(['a', 'b']);
    });

    it('keeps the oldest across groups for the run and day caps', () => {
      const p = run({ maxActionsPerRun: 3, onCapExceeded: 'oldest-first' }, [
        ['a', 2],
        ['b', 3],
      ]);
      expect(p.aborted).toBeNull();
      expect(p.groups.flatMap((g) => g.actions.map((a) => a.id)).sort()).toEqual(['a01', 'b01', 'b02']);
      const day = run({ maxActionsPerDay: 10, onCapExceeded: 'oldest-first' }, [['a', 4]], 8);
      expect(day.groups[0]?.actions.map((a) => a.id)).toEqual(['a02', 'a03']);
      expect(day.groups[0]?.skipped.find((s) => s.kind === 'capped')?.reason).toContain('maxActionsPerDay');
    });

    it('applies the tightest of several caps', () => {
      const p = run({ maxActionsPerGroup: 3, maxActionsPerRun: 2, onCapExceeded: 'oldest-first' }, [['a', 5]]);
      expect(p.groups[0]?.actions.map((a) => a.id)).toEqual(['a03', 'a04']);
    });
  });
});
