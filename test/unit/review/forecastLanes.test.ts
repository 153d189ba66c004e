import { describe, expect, it } from 'vitest';
import { forecast } from '../../../extension/core/review/forecast';
import { measureLanes } from '../../../extension/core/review/lanePace';
import type { ReviewFacts, TaskFact } from '../../../extension/core/review/types';

// The forecast per lane (who runs a task: owner, else pane, else branch) over facts written by hand; every
// expectation below is worked out in the comments next to it. The seeded workspace's version is in review.test.ts.
const NOW = Date.parse('2026-11-20T12:00:00.000Z');
const H = 3600;
// Durations in notes are review/bottlenecks.ts duration(): under 90 min in minutes ("60 min"), then hours.
const at = (hoursFromNow: number): string => new Date(NOW + hoursFromNow * H * 1000).toISOString();

function task(id: string, fields: Partial<TaskFact> = {}): TaskFact {
  return { id, title: id, phase: 'PLANNING', dependsOn: [], waitingOn: [], blockers: [], ...fields };
}

/** Only what the forecast reads (the time, the tasks, the completions); the rest is empty. */
function facts(tasks: TaskFact[], completions: { task: string; at: string }[]): ReviewFacts {
  return {
    workspace: '/w',
    generatedAt: at(0),
    supervisor: { running: false },
    tasks,
    panes: [],
    approvals: { pending: [], answered: [], answeredCount: 0 },
    plans: [],
    git: { available: false, branches: [] },
    tests: [],
    history: { lines: 0, malformed: 0, completions },
    problems: [],
  };
}

describe('forecast per lane', () => {
  // Finished: a1 on pane a (dispatched -10 h, done -8 h: 2 h), a2 on pane a (no dispatch; done -4 h, 4 h after
  // a1: 4 h), b1 on pane b (dispatched -7 h, done -6 h: 1 h). Lane a has 2 durations (median 3 h, 2 h to 4 h);
  // lane b has 1, owner carol none: both take the fleet's 3 durations [1 h, 2 h, 4 h] (median 2 h) widened to
  // 0.5 h .. 8 h. Left: a3 (pane a, EXECUTING), a4 (pane a, after b2), b2 (pane b), c1 (owner carol, though on
  // pane a: the owner decides, after a3).
  const board = facts(
    [
      task('a1', { pane: 'a', phase: 'DONE', startedAt: at(-10), doneAt: at(-8) }),
      task('a2', { pane: 'a', phase: 'DONE', doneAt: at(-4) }),
      task('b1', { pane: 'b', phase: 'DONE', startedAt: at(-7), doneAt: at(-6) }),
      task('a3', { pane: 'a', phase: 'EXECUTING', startedAt: at(-1) }),
      task('a4', { pane: 'a', dependsOn: ['b2'], waitingOn: ['b2'] }),
      task('b2', { pane: 'b' }),
      task('c1', { pane: 'a', owner: 'carol', dependsOn: ['a3'], waitingOn: ['a3'] }),
    ],
    [
      { task: 'a1', at: at(-8) },
      { task: 'b1', at: at(-6) },
      { task: 'a2', at: at(-4) },
    ],
  );

  it('measures each lane: dispatch to done, else the gap since the lane finished its previous task', () => {
    const lanes = measureLanes(
      board.tasks,
      new Map(board.history.completions.map((c) => [c.task, Date.parse(c.at)])),
    );
    expect([...lanes.values()].map((l) => [l.id, l.durations])).toEqual([
      ['pane:a', [2 * H, 4 * H]],
      ['pane:b', [1 * H]],
      ['owner:carol', []],
    ]);
  });

  it("runs lanes side by side at their own pace, the fleet's widened where a lane has too little history", () => {
    const f = forecast(board);
    expect(f.basis).toBe('lanes');
    expect(f.enoughHistory).toBe(true);
    expect(f.completions).toBe(3);
    expect(f.remaining).toBe(4);
    // Completion gaps stay reported as the fleet's throughput: -8 h, -6 h, -4 h: 2 h each, 2 in 4 h = 12 a day.
    expect(f.intervalSeconds).toEqual({ median: 2 * H, min: 2 * H, max: 2 * H });
    expect(f.tasksPerDay).toBe(12);
    // Order a3, b2, a4, c1 (dependencies first, work in progress first). Expected (medians: lane a 3 h, b and
    // carol 2 h): a3 0+3 = 3; b2 0+2 = 2; a4 starts when lane a is free (3) and b2 is done (2): 3+3 = 6; c1
    // starts when a3 is done: 3+2 = 5. Earliest (a 2 h, b and carol 0.5 h): a3 2; b2 0.5; a4 max(2, 0.5)+2 = 4;
    // c1 2+0.5 = 2.5. Latest (a 4 h, b and carol 8 h): a3 4; b2 8; a4 max(4, 8)+4 = 12; c1 4+8 = 12.
    expect(f.tasks.map((t) => [t.task, t.position, t.lane, t.paceFrom, t.range])).toEqual([
      ['b2', 1, 'pane:b', 'fleet', { expected: at(2), earliest: at(0.5), latest: at(8) }],
      ['a3', 2, 'pane:a', 'lane', { expected: at(3), earliest: at(2), latest: at(4) }],
      ['c1', 3, 'owner:carol', 'fleet', { expected: at(5), earliest: at(2.5), latest: at(12) }],
      ['a4', 4, 'pane:a', 'lane', { expected: at(6), earliest: at(4), latest: at(12) }],
    ]);
    // Overall: the last of them in each schedule.
    expect(f.overall).toEqual({ expected: at(6), earliest: at(4), latest: at(12) });
    expect(f.lanes).toEqual([
      {
        lane: 'pane:a',
        kind: 'pane',
        name: 'a',
        measured: 2,
        paceFrom: 'lane',
        secondsPerTask: { median: 3 * H, min: 2 * H, max: 4 * H },
        tasks: ['a3', 'a4'],
        finish: { expected: at(6), earliest: at(4), latest: at(12) },
      },
      {
        lane: 'pane:b',
        kind: 'pane',
        name: 'b',
        measured: 1,
        paceFrom: 'fleet',
        secondsPerTask: { median: 2 * H, min: 0.5 * H, max: 8 * H },
        tasks: ['b2'],
        finish: { expected: at(2), earliest: at(0.5), latest: at(8) },
      },
      {
        lane: 'owner:carol',
        kind: 'owner',
        name: 'carol',
        measured: 0,
        paceFrom: 'fleet',
        secondsPerTask: { median: 2 * H, min: 0.5 * H, max: 8 * H },
        tasks: ['c1'],
        finish: { expected: at(5), earliest: at(2.5), latest: at(12) },
      },
    ]);
    expect(f.note).toBe(
      'Per lane, lanes in parallel: 3 task durations measured (median 2 h, 60 min to 4 h). Paced by their own ' +
        "history: pane a (3 h a task). Fewer than 2 measured tasks, so the fleet's durations with a wider range " +
        '(half the shortest to twice the longest): pane b, owner carol. A task finishes no sooner than its ' +
        'dependencies; one in progress counts as a whole task from now. With this little history the range is ' +
        'wide: treat it as a rough guess.',
    );
  });

  it('never lets a task finish before its dependencies, even in a faster lane', () => {
    // Lane fast: 1 h and 1 h (dispatch to done); lane slow: 10 h and 10 h. Left: s (slow), f (fast, after s).
    // f waits for s (10 h) then takes 1 h: 11 h, not 1 h. Both lanes measured the same each time: no spread,
    // so earliest = expected = latest, and the forecast says how many durations it rests on.
    const f = forecast(
      facts(
        [
          task('f1', { pane: 'fast', phase: 'DONE', startedAt: at(-30), doneAt: at(-29) }),
          task('f2', { pane: 'fast', phase: 'DONE', startedAt: at(-20), doneAt: at(-19) }),
          task('s1', { pane: 'slow', phase: 'DONE', startedAt: at(-40), doneAt: at(-30) }),
          task('s2', { pane: 'slow', phase: 'DONE', startedAt: at(-15), doneAt: at(-5) }),
          task('s', { pane: 'slow' }),
          task('f', { pane: 'fast', dependsOn: ['s'], waitingOn: ['s'] }),
        ],
        [
          { task: 's1', at: at(-30) },
          { task: 'f1', at: at(-29) },
          { task: 'f2', at: at(-19) },
          { task: 's2', at: at(-5) },
        ],
      ),
    );
    expect(f.basis).toBe('lanes');
    expect(f.tasks.map((t) => [t.task, t.range?.expected])).toEqual([
      ['s', at(10)],
      ['f', at(11)],
    ]);
    expect(f.overall?.expected).toBe(at(11));
    expect(f.note).toMatch(
      /^Per lane, lanes in parallel: 4 task durations measured \(median 5 h 30 min, 60 min to 10 h\)/,
    );
  });

  it('falls back to the completion gaps when fewer than 2 task durations can be measured', () => {
    // Two unassigned tasks finished 6 h apart, never dispatched by the supervisor: no duration (the unassigned
    // lane does not chain completions), one gap of 6 h: half to twice it per task. Left: x, y: 6 h and 12 h.
    const f = forecast(
      facts(
        [
          task('d1', { phase: 'DONE', doneAt: at(-10) }),
          task('d2', { phase: 'DONE', doneAt: at(-4) }),
          task('x'),
          task('y'),
        ],
        [
          { task: 'd1', at: at(-10) },
          { task: 'd2', at: at(-4) },
        ],
      ),
    );
    expect(f.basis).toBe('completion_gaps');
    expect(f.lanes).toBeUndefined();
    expect(f.intervalSeconds).toEqual({ median: 6 * H, min: 3 * H, max: 12 * H });
    expect(f.overall).toEqual({ expected: at(12), earliest: at(6), latest: at(24) });
    expect(f.note).toContain('one gap shows no spread, so the range is half to twice it');
  });
});
