import type { TaskFact } from './types';

/**
 * The pace of each lane of work: who runs a task (its owner, else its pane, else its branch; `unassigned` when
 * none is known) and how long that one's finished tasks took. A task's duration is measured from its dispatch
 * (the supervisor's `task.dispatched` line) to its completion; without a dispatch, in a named lane, from the
 * lane's previous completion (a lane works on one task at a time). The unassigned lane has no "previous": its
 * tasks may have run side by side on any pane, so only dispatch-to-done counts there.
 */

/** A lane needs this many measured durations for a pace of its own; fewer take the fleet's, widened. */
export const MIN_LANE_DURATIONS = 2;

export type LaneKind = 'owner' | 'pane' | 'branch' | 'unassigned';

export interface Pace {
  /** Seconds per task: median, shortest and longest measured. */
  median: number;
  min: number;
  max: number;
  /** How many durations were measured. */
  samples: number;
}

export interface Lane {
  /** `owner:alice`, `pane:api`, `branch:feature/docs`, or `unassigned`. */
  id: string;
  kind: LaneKind;
  /** The owner, pane or branch ('' for unassigned). */
  name: string;
  /** Measured durations of its finished tasks, in seconds, in completion order. */
  durations: number[];
}

export function laneOf(task: Pick<TaskFact, 'owner' | 'pane' | 'branch'>): {
  id: string;
  kind: LaneKind;
  name: string;
} {
  if (task.owner) return { id: `owner:${task.owner}`, kind: 'owner', name: task.owner };
  if (task.pane) return { id: `pane:${task.pane}`, kind: 'pane', name: task.pane };
  if (task.branch) return { id: `branch:${task.branch}`, kind: 'branch', name: task.branch };
  return { id: 'unassigned', kind: 'unassigned', name: '' };
}

/** "pane api", "owner alice", "unassigned tasks": how a note names a lane. */
export function laneLabel(lane: { kind: LaneKind; name: string }): string {
  return lane.kind === 'unassigned' ? 'unassigned tasks' : `${lane.kind} ${lane.name}`;
}

/**
 * Every lane of the board with the durations measured in it. `doneAt` gives each finished task's completion
 * (ms since the epoch, from completionTimes).
 */
export function measureLanes(
  tasks: readonly TaskFact[],
  doneAt: ReadonlyMap<string, number>,
): Map<string, Lane> {
  const lanes = new Map<string, Lane>();
  const finished: { task: TaskFact; lane: Lane; at: number }[] = [];
  for (const task of tasks) {
    const where = laneOf(task);
    let lane = lanes.get(where.id);
    if (!lane) lanes.set(where.id, (lane = { ...where, durations: [] }));
    const at = doneAt.get(task.id);
    if (task.phase === 'DONE' && at !== undefined) finished.push({ task, lane, at });
  }
  finished.sort((a, b) => a.at - b.at);
  const previous = new Map<string, number>();
  for (const { task, lane, at } of finished) {
    const started = task.startedAt ? Date.parse(task.startedAt) : NaN;
    const before = lane.kind === 'unassigned' ? undefined : previous.get(lane.id);
    const from = !Number.isNaN(started) && started < at ? started : before;
    if (from !== undefined && from < at) lane.durations.push((at - from) / 1000);
    previous.set(lane.id, at);
  }
  return lanes;
}

/** Median, shortest and longest of `durations` (undefined when empty). */
export function paceOf(durations: readonly number[]): Pace | undefined {
  if (durations.length === 0) return undefined;
  const sorted = [...durations].sort((a, b) => a - b);
  const n = sorted.length;
  const median = n % 2 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  return { median, min: sorted[0]!, max: sorted[n - 1]!, samples: n };
}
