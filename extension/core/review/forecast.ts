import type { Forecast, ForecastRange, ReviewFacts, TaskFact, TaskPhase } from './types';

/**
 * When the rest will be done, from the pace measured so far: the gaps between task completions (from the
 * supervisor's `task.done` lines, else the DONE tasks' last phase change). The k-th remaining task is expected
 * k median gaps from now, and no sooner than k shortest gaps nor later than k longest gaps: the range is the
 * spread the history itself shows. Fewer than 2 completions give no gap at all, and the forecast says so
 * instead of inventing one.
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

export function forecast(facts: ReviewFacts): Forecast {
  const now = Date.parse(facts.generatedAt);
  const times = completionTimes(facts);
  const order = remainingOrder(facts.tasks);
  const remaining = order.length;
  if (remaining === 0) {
    return {
      enoughHistory: times.length >= 2,
      completions: times.length,
      remaining: 0,
      tasks: [],
      note: facts.tasks.length === 0 ? 'No tasks are configured.' : 'Every task is done.',
    };
  }
  if (times.length < 2) {
    return {
      enoughHistory: false,
      completions: times.length,
      remaining,
      tasks: order.map((t, i) => ({ task: t.id, position: i + 1 })),
      note:
        `Not enough history: ${times.length} task${times.length === 1 ? '' : 's'} completed so far, and a pace ` +
        'needs at least 2 completions. The order below is the order the remaining work can finish in.',
    };
  }
  const gaps = times
    .slice(1)
    .map((t, i) => (t.at - times[i]!.at) / 1000)
    .sort((a, b) => a - b);
  const median =
    gaps.length % 2
      ? gaps[(gaps.length - 1) / 2]!
      : (gaps[gaps.length / 2 - 1]! + gaps[gaps.length / 2]!) / 2;
  // One gap has no spread: a range of zero width would claim a certainty nobody has. Half to twice the gap
  // then stands for the spread, and the note says so.
  const single = gaps.length === 1;
  const min = single ? median / 2 : gaps[0]!;
  const max = single ? median * 2 : gaps[gaps.length - 1]!;
  const spanSeconds = (times[times.length - 1]!.at - times[0]!.at) / 1000;
  const tasksPerDay = spanSeconds > 0 ? ((times.length - 1) / spanSeconds) * DAY : undefined;
  const at = (k: number): ForecastRange => ({
    expected: new Date(now + k * median * 1000).toISOString(),
    earliest: new Date(now + k * min * 1000).toISOString(),
    latest: new Date(now + k * max * 1000).toISOString(),
  });
  const few = gaps.length < 4;
  return {
    enoughHistory: true,
    completions: times.length,
    remaining,
    ...(tasksPerDay !== undefined ? { tasksPerDay: Math.round(tasksPerDay * 100) / 100 } : {}),
    intervalSeconds: { median, min, max },
    overall: at(remaining),
    tasks: order.map((t, i) => ({ task: t.id, position: i + 1, range: at(i + 1) })),
    note:
      `Measured from ${times.length} completions (${gaps.length} gap${gaps.length === 1 ? '' : 's'} between them); ` +
      (single
        ? 'one gap shows no spread, so the range is half to twice it; it assumes the fleet keeps its pace'
        : 'the range runs from the shortest to the longest gap seen, and assumes the fleet keeps its pace') +
      (few ? '. With this little history the range is wide: treat it as a rough guess.' : '.'),
  };
}
