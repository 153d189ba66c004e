import { duration } from './bottlenecks';
import {
  laneLabel,
  laneOf,
  measureLanes,
  MIN_LANE_DURATIONS,
  paceOf,
  type Lane,
  type Pace,
} from './lanePace';
import type {
  Forecast,
  ForecastRange,
  LaneForecast,
  ReviewFacts,
  TaskFact,
  TaskForecast,
  TaskPhase,
} from './types';

export type { LaneForecast };

/**
 * When the rest will be done, from the pace measured so far. Two models, the better one the history allows:
 *
 * - **Per lane** (at least 2 task durations measured anywhere): each lane of work (a task's owner, else its pane,
 *   else its branch; see lanePace.ts) runs its tasks one after another at its own measured pace, lanes run side
 *   by side, and a task never finishes before its dependencies. A lane with fewer than 2 measured tasks takes
 *   the fleet's durations with a wider range (half the shortest to twice the longest). Three schedules, with the
 *   median, the shortest and the longest durations, give the expected time and the range.
 * - **Completion gaps** (fewer durations, at least 2 completions): the k-th remaining task is expected k median
 *   gaps from now, and no sooner than k shortest gaps nor later than k longest gaps.
 *
 * Fewer than 2 completions give no pace at all, and the forecast says so instead of inventing one.
 */

const DAY = 86_400;

/** Work closest to done first: a task being verified finishes before one not started. */
const PHASE_ORDER: Record<TaskPhase, number> = {
  VERIFYING: 0,
  EXECUTING: 1,
  BLOCKED: 2,
  PLANNING: 3,
  DONE: 4,
};

export function completionTimes(facts: ReviewFacts): { task: string; at: number }[] {
  const last = new Map<string, number>();
  for (const c of facts.history.completions) {
    const at = Date.parse(c.at);
    if (!Number.isNaN(at)) last.set(c.task, at);
  }
  // Tasks DONE in the state without a `task.done` line (a log rotated away, a task marked done in the config).
  for (const task of facts.tasks) {
    if (task.phase !== 'DONE' || last.has(task.id) || task.doneAt === undefined) continue;
    const at = Date.parse(task.doneAt);
    if (!Number.isNaN(at) && at > 0) last.set(task.id, at);
  }
  return [...last].map(([task, at]) => ({ task, at })).sort((a, b) => a.at - b.at);
}

/** Remaining tasks in the order they can finish: never before a task they depend on, closest to done first. */
export function remainingOrder(tasks: readonly TaskFact[]): TaskFact[] {
  const open = tasks.filter((t) => t.phase !== 'DONE');
  const openIds = new Set(open.map((t) => t.id));
  const placed = new Set<string>();
  const order: TaskFact[] = [];
  while (order.length < open.length) {
    const ready = open
      .filter((t) => !placed.has(t.id) && t.dependsOn.every((d) => !openIds.has(d) || placed.has(d)))
      .sort((a, b) => PHASE_ORDER[a.phase] - PHASE_ORDER[b.phase]);
    // A cycle (the config refuses one, but the state may be older): place the rest as they come.
    const next = ready[0] ?? open.find((t) => !placed.has(t.id))!;
    placed.add(next.id);
    order.push(next);
  }
  return order;
}

/** The forecast with what it was made from: the per-lane fields of Forecast, always filled here. */
export type PacedTaskForecast = TaskForecast;
export interface PacedForecast extends Forecast {
  basis: 'lanes' | 'completion_gaps' | 'none';
  tasks: PacedTaskForecast[];
}

export function forecast(facts: ReviewFacts): PacedForecast {
  const now = Date.parse(facts.generatedAt);
  const times = completionTimes(facts);
  const order = remainingOrder(facts.tasks);
  const remaining = order.length;
  if (remaining === 0) {
    return {
      basis: 'none',
      enoughHistory: times.length >= 2,
      completions: times.length,
      remaining: 0,
      tasks: [],
      note: facts.tasks.length === 0 ? 'No tasks are configured.' : 'Every task is done.',
    };
  }
  if (times.length < 2) {
    return {
      basis: 'none',
      enoughHistory: false,
      completions: times.length,
      remaining,
      tasks: order.map((t, i) => ({ task: t.id, position: i + 1 })),
      note:
        `Not enough history: ${times.length} task${times.length === 1 ? '' : 's'} completed so far, and a pace ` +
        'needs at least 2 completions. The order below is the order the remaining work can finish in.',
    };
  }
  const gaps = completionGaps(times);
  const lanes = measureLanes(facts.tasks, new Map(times.map((t) => [t.task, t.at])));
  const pooled = paceOf([...lanes.values()].flatMap((l) => l.durations));
  if (pooled && pooled.samples >= MIN_LANE_DURATIONS) {
    return {
      ...gaps.summary,
      ...laneForecast(now, order, lanes, pooled),
      completions: times.length,
      remaining,
    };
  }
  return { ...gaps.summary, ...gapForecast(now, order, gaps.pace), completions: times.length, remaining };
}

/** The seconds between successive completions, and the fleet's throughput they show. */
function completionGaps(times: readonly { at: number }[]): {
  pace: Pace;
  summary: Pick<Forecast, 'tasksPerDay' | 'intervalSeconds'>;
} {
  const gaps = times.slice(1).map((t, i) => (t.at - times[i]!.at) / 1000);
  const measured = paceOf(gaps)!;
  // One gap has no spread: a range of zero width would claim a certainty nobody has. Half to twice the gap
  // then stands for the spread, and the note says so.
  const pace =
    measured.samples === 1 ? { ...measured, min: measured.median / 2, max: measured.median * 2 } : measured;
  const spanSeconds = (times[times.length - 1]!.at - times[0]!.at) / 1000;
  const tasksPerDay = spanSeconds > 0 ? ((times.length - 1) / spanSeconds) * DAY : undefined;
  return {
    pace,
    summary: {
      ...(tasksPerDay !== undefined ? { tasksPerDay: Math.round(tasksPerDay * 100) / 100 } : {}),
      intervalSeconds: { median: pace.median, min: pace.min, max: pace.max },
    },
  };
}

/** The fleet as one queue: the k-th remaining task k gaps from now. */
function gapForecast(
  now: number,
  order: readonly TaskFact[],
  pace: Pace,
): Pick<PacedForecast, 'basis' | 'enoughHistory' | 'overall' | 'tasks' | 'note'> {
  const at = (k: number): ForecastRange => ({
    expected: iso(now + k * pace.median * 1000),
    earliest: iso(now + k * pace.min * 1000),
    latest: iso(now + k * pace.max * 1000),
  });
  const gaps = pace.samples;
  return {
    basis: 'completion_gaps',
    enoughHistory: true,
    overall: at(order.length),
    tasks: order.map((t, i) => ({ task: t.id, position: i + 1, range: at(i + 1) })),
    note:
      `Measured from ${gaps + 1} completions (${gaps} gap${gaps === 1 ? '' : 's'} between them); ` +
      (gaps === 1
        ? 'one gap shows no spread, so the range is half to twice it; it assumes the fleet keeps its pace'
        : 'the range runs from the shortest to the longest gap seen, and assumes the fleet keeps its pace') +
      (gaps < 4 ? '. With this little history the range is wide: treat it as a rough guess.' : '.'),
  };
}

/**
 * Lanes side by side, each one task at a time, a task starting once its lane is free and its dependencies are
 * done. A task in progress counts as a whole task from now: the time it has run is not subtracted, since a task
 * that runs long is more often stuck than nearly done.
 */
function laneForecast(
  now: number,
  order: readonly TaskFact[],
  lanes: ReadonlyMap<string, Lane>,
  fleet: Pace,
): Pick<PacedForecast, 'basis' | 'enoughHistory' | 'overall' | 'tasks' | 'lanes' | 'note'> {
  const fleetWide = { median: fleet.median, min: fleet.min / 2, max: fleet.max * 2 };
  const paceFor = new Map<string, { from: 'lane' | 'fleet'; seconds: LaneForecast['secondsPerTask'] }>();
  for (const lane of lanes.values()) {
    const own = lane.durations.length >= MIN_LANE_DURATIONS ? paceOf(lane.durations) : undefined;
    paceFor.set(
      lane.id,
      own
        ? { from: 'lane', seconds: { median: own.median, min: own.min, max: own.max } }
        : { from: 'fleet', seconds: fleetWide },
    );
  }
  const laneIdOf = (t: TaskFact): string => laneOf(t).id;
  const finish = (which: 'median' | 'min' | 'max'): Map<string, number> => {
    const free = new Map<string, number>();
    const done = new Map<string, number>();
    for (const task of order) {
      const lane = laneIdOf(task);
      const start = Math.max(free.get(lane) ?? 0, ...task.dependsOn.map((d) => done.get(d) ?? 0));
      const end = start + paceFor.get(lane)!.seconds[which];
      done.set(task.id, end);
      free.set(lane, end);
    }
    return done;
  };
  const expected = finish('median');
  const earliest = finish('min');
  const latest = finish('max');
  const range = (id: string): ForecastRange => ({
    expected: iso(now + expected.get(id)! * 1000),
    earliest: iso(now + earliest.get(id)! * 1000),
    latest: iso(now + latest.get(id)! * 1000),
  });
  const last = (of: Map<string, number>, ids: readonly string[]): number =>
    Math.max(...ids.map((id) => of.get(id)!));
  const ids = order.map((t) => t.id);
  const overall: ForecastRange = {
    expected: iso(now + last(expected, ids) * 1000),
    earliest: iso(now + last(earliest, ids) * 1000),
    latest: iso(now + last(latest, ids) * 1000),
  };
  // Next to finish first; the dependency order breaks ties.
  const tasks = order
    .map((t, i) => ({ t, i }))
    .sort((a, b) => expected.get(a.t.id)! - expected.get(b.t.id)! || a.i - b.i)
    .map(({ t }, i): PacedTaskForecast => {
      const lane = laneIdOf(t);
      return { task: t.id, position: i + 1, range: range(t.id), lane, paceFrom: paceFor.get(lane)!.from };
    });
  const laneRows: LaneForecast[] = [];
  for (const lane of lanes.values()) {
    const mine = order.filter((t) => laneIdOf(t) === lane.id).map((t) => t.id);
    if (mine.length === 0) continue;
    const pace = paceFor.get(lane.id)!;
    laneRows.push({
      lane: lane.id,
      kind: lane.kind,
      name: lane.name,
      measured: lane.durations.length,
      paceFrom: pace.from,
      secondsPerTask: pace.seconds,
      tasks: mine,
      finish: {
        expected: iso(now + last(expected, mine) * 1000),
        earliest: iso(now + last(earliest, mine) * 1000),
        latest: iso(now + last(latest, mine) * 1000),
      },
    });
  }
  const own = laneRows.filter((l) => l.paceFrom === 'lane');
  const borrowed = laneRows.filter((l) => l.paceFrom === 'fleet');
  const named = (rows: LaneForecast[]): string =>
    rows.map((l) => `${laneLabel(l)} (${duration(l.secondsPerTask.median)} a task)`).join(', ');
  return {
    basis: 'lanes',
    enoughHistory: true,
    overall,
    tasks,
    lanes: laneRows,
    note:
      `Per lane, lanes in parallel: ${fleet.samples} task durations measured (median ${duration(fleet.median)}, ` +
      `${duration(fleet.min)} to ${duration(fleet.max)}). ` +
      (own.length ? `Paced by their own history: ${named(own)}. ` : '') +
      (borrowed.length
        ? `Fewer than ${MIN_LANE_DURATIONS} measured tasks, so the fleet's durations with a wider range ` +
          `(half the shortest to twice the longest): ${borrowed.map(laneLabel).join(', ')}. `
        : '') +
      'A task finishes no sooner than its dependencies; one in progress counts as a whole task from now' +
      (fleet.samples < 4 ? '. With this little history the range is wide: treat it as a rough guess.' : '.'),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
