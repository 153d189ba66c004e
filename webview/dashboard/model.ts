import type {
  DashboardReviewState,
  EventView,
  PaneAction,
  PaneView,
  ReviewRangeView,
  ReviewView,
  TaskView,
} from '../../extension/protocol/messages';
import { naturalCompare } from '../shared/naturalCompare';

/** The pane states in the order the counts line lists them: what needs a person first. */
export const STATE_ORDER: readonly PaneView['state'][] = [
  'awaiting_approval',
  'error',
  'stalled',
  'awaiting_input',
  'working',
  'starting',
  'exited',
];

export interface PaneGroup {
  /** Stable React key: the branch, or '' for panes without one. */
  key: string;
  branch: string | undefined;
  panes: PaneView[];
}

const byName = (a: PaneView, b: PaneView): number =>
  naturalCompare(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/**
 * Panes grouped by branch (branches in name order, panes without a branch last), each group in name order.
 * The order does not depend on state on purpose: snapshots arrive several times a second, and rows that jump
 * when a state changes cannot be clicked.
 */
export function groupPanes(panes: readonly PaneView[]): PaneGroup[] {
  const groups = new Map<string, PaneView[]>();
  for (const pane of panes) {
    const key = pane.branch ?? '';
    let list = groups.get(key);
    if (!list) groups.set(key, (list = []));
    list.push(pane);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === '' ? 1 : b === '' ? -1 : naturalCompare(a, b)))
    .map(([key, list]) => ({ key, branch: key === '' ? undefined : key, panes: list.sort(byName) }));
}

/** How many panes are in each state, in STATE_ORDER, states with none left out. */
export function stateCounts(panes: readonly PaneView[]): { state: PaneView['state']; count: number }[] {
  const counts = new Map<PaneView['state'], number>();
  for (const pane of panes) counts.set(pane.state, (counts.get(pane.state) ?? 0) + 1);
  return STATE_ORDER.filter((s) => counts.has(s)).map((state) => ({ state, count: counts.get(state) ?? 0 }));
}

export interface TaskDependency {
  id: string;
  title: string | undefined;
  done: boolean;
}

export interface TaskRow {
  task: TaskView;
  dependencies: TaskDependency[];
}

/** Each task with its dependencies resolved to their titles and whether they are done. */
export function taskRows(tasks: readonly TaskView[]): TaskRow[] {
  const byId = new Map(tasks.map((t) => [t.id, t]));
  return tasks.map((task) => ({
    task,
    dependencies: task.dependsOn.map((id) => {
      const dep = byId.get(id);
      return { id, title: dep?.title, done: dep?.phase === 'DONE' || dep?.status === 'done' };
    }),
  }));
}

/** Newest first, whatever order the host used; equal times keep the host's order. */
export function newestFirst(events: readonly EventView[]): EventView[] {
  return events
    .map((event, index) => ({ event, index, at: Date.parse(event.at) || 0 }))
    .sort((a, b) => b.at - a.at || a.index - b.index)
    .map((x) => x.event);
}

/** A stable key for an event row (events carry no id): its time, pane, kind and position among equals. */
export function eventKeys(events: readonly EventView[]): string[] {
  const seen = new Map<string, number>();
  return events.map((e) => {
    const base = `${e.at}|${e.pane ?? ''}|${e.kind}|${e.text}`;
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    return n === 0 ? base : `${base}|${n}`;
  });
}

/** Which pane actions make sense in a state (typing into, nudging or stopping an exited pane does nothing). */
export function actionsFor(state: PaneView['state']): Record<PaneAction, boolean> {
  const alive = state !== 'exited';
  return {
    focus: true,
    send: alive,
    ask: alive,
    nudge: alive,
    restart: true,
    stop: alive,
    openTranscript: true,
  };
}

/**
 * Milliseconds until an MCP server's next reconnect attempt, rounded up to whole seconds so that the countdown
 * reads "1s" until the attempt rather than "0s" for a second; 0 once due, undefined without a (valid) time.
 */
export function retryRemainingMs(nextRetryAt: string | undefined, now: number): number | undefined {
  if (nextRetryAt === undefined) return undefined;
  const at = Date.parse(nextRetryAt);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - now) / 1000) * 1000);
}

// --- the review section ---------------------------------------------------------------------------------------

type Recommendation = ReviewView['recommendations'][number];
type Bottleneck = ReviewView['bottlenecks'][number];

/**
 * The button a recommendation gets when the dashboard can do it itself: nudge a live pane of this window, or open
 * the approvals queue. Anything else is shown as its command with a copy button.
 */
export function reviewButton(
  rec: Recommendation,
  panes: readonly Pick<PaneView, 'id' | 'state'>[],
): { kind: 'nudge'; pane: string } | { kind: 'approvals' } | undefined {
  if (rec.action === 'answer_approval') return { kind: 'approvals' };
  if (rec.action === 'nudge_pane' && rec.pane) {
    const pane = panes.find((p) => p.id === rec.pane);
    if (pane && actionsFor(pane.state).nudge) return { kind: 'nudge', pane: pane.id };
  }
  return undefined;
}

/** What a bottleneck is about, most specific first: `approval a1`, `pane api`, `task ui`, `plan p`. */
export function bottleneckSubject(
  b: Bottleneck,
): { kind: 'approval' | 'pane' | 'task' | 'plan'; id: string } | undefined {
  if (b.approvalId) return { kind: 'approval', id: b.approvalId };
  if (b.pane) return { kind: 'pane', id: b.pane };
  if (b.task) return { kind: 'task', id: b.task };
  if (b.plan) return { kind: 'plan', id: b.plan };
  return undefined;
}

/**
 * A forecast range as milliseconds from `now` (never negative: a time already passed reads "now"), for "in about
 * 2h (1h to 4h)".
 */
export function rangeFromNow(
  range: ReviewRangeView,
  now: number,
): { expectedMs: number; earliestMs: number; latestMs: number } {
  const from = (iso: string): number => {
    const at = Date.parse(iso);
    return Number.isNaN(at) ? 0 : Math.max(0, at - now);
  };
  return { expectedMs: from(range.expected), earliestMs: from(range.earliest), latestMs: from(range.latest) };
}

/** Whether the section's buttons can start a run: connected and no run going. */
export function canRunReview(review: DashboardReviewState | undefined, connected: boolean): boolean {
  return connected && review?.state !== 'running';
}

/** Tasks in the order the review section lists them: unfinished first in forecast order, then done ones. */
export function reviewTaskOrder(tasks: ReviewView['tasks']): ReviewView['tasks'] {
  const rank = (t: ReviewView['tasks'][number]): number =>
    t.phase === 'DONE' ? Number.MAX_SAFE_INTEGER : (t.position ?? Number.MAX_SAFE_INTEGER - 1);
  return tasks
    .map((task, index) => ({ task, index }))
    .sort((a, b) => rank(a.task) - rank(b.task) || a.index - b.index)
    .map((x) => x.task);
}

/**
 * The review's sentences quote commands in Markdown backticks (`touch approved.txt`): split into plain text and
 * code parts so the page shows them as code. An unpaired backtick stays as it is.
 */
export function codeSpans(text: string): { code: boolean; text: string }[] {
  const parts = text.split('`');
  if (parts.length < 3) return [{ code: false, text }];
  const out: { code: boolean; text: string }[] = [];
  // An even count of pieces means an odd count of backticks: the last one has no partner.
  const paired = parts.length % 2 === 1 ? parts : [...parts.slice(0, -2), `${parts.at(-2)}\`${parts.at(-1)}`];
  paired.forEach((part, i) => {
    if (part !== '') out.push({ code: i % 2 === 1, text: part });
  });
  return out;
}
