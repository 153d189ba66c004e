import type { ApprovalRequest } from '../core/approvals';
import type { PaneState } from '../core/panes/types';
import type { PaneMeta } from '../core/supervisor/paneMetadata';
import { panePhase } from './sidebarText';
import type { TaskSpec, TaskStatus } from '../core/supervisor/taskBoard';
import type { MCP_SERVER_STATES, McpServersView, McpServerView } from '../protocol/messages';
import type { McpRowState } from './mcpText';
import type {
  ApprovalsSnapshot,
  ApprovalView,
  DashboardSnapshot,
  EventView,
  PaneView,
  SupervisorView,
  TaskView,
} from '../protocol/messages';

/** The least the snapshots need of a pane (the registry's AgentPane has it all). */
export interface PaneLike {
  id: string;
  name: string;
  kind: string;
  branch: string | undefined;
  state: Pick<PaneState, 'name' | 'reason' | 'since'>;
}

export interface SnapshotSources {
  panes: readonly PaneLike[];
  meta: (paneId: string) => PaneMeta | undefined;
  tasks: readonly (TaskSpec & { status: TaskStatus })[];
  pending: readonly ApprovalRequest[];
  supervisor: SupervisorView;
  /** State changes the host saw, newest first. */
  events: readonly EventView[];
  /** The window's MCP servers (McpHost.rows()); missing when the window has none to show. */
  mcp?: McpRowsLike;
  now?: Date;
}

/** The least the dashboard needs of the MCP Servers view's rows (extension/vscode/mcpHost.ts McpServerRow). */
export interface McpRowLike {
  alias: string;
  state: McpRowState;
  transport?: string;
  lastError?: string;
  nextAttemptAt?: number;
  tools?: readonly unknown[];
  problem?: { message: string };
  sessionDisabled: boolean;
}

export interface McpRowsLike {
  servers: readonly McpRowLike[];
  fileProblems: readonly { message: string }[];
}

// Both directions: a state added on either side (the view's or the protocol's) is a compile error here.
type SameWords<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const mcpStatesMatch: SameWords<McpRowState, (typeof MCP_SERVER_STATES)[number]> = true;
void mcpStatesMatch;

const TRANSPORTS = new Set(['stdio', 'http', 'sse']);

/**
 * The MCP servers as the dashboard shows them: state, transport, tool count, last error, the time of the next
 * attempt while reconnecting (the page counts down to it) and a broken entry's problem.
 */
export function mcpServersView(rows: McpRowsLike | undefined): McpServersView {
  if (!rows) return { servers: [], fileProblems: [] };
  return {
    servers: rows.servers.map((r): McpServerView => ({
      alias: r.alias,
      state: r.state,
      ...(r.transport && TRANSPORTS.has(r.transport)
        ? { transport: r.transport as NonNullable<McpServerView['transport']> }
        : {}),
      tools: r.state === 'connected' ? (r.tools?.length ?? 0) : 0,
      ...(r.lastError ? { lastError: r.lastError } : {}),
      ...(r.state === 'reconnecting' && r.nextAttemptAt !== undefined && Number.isFinite(r.nextAttemptAt)
        ? { nextRetryAt: new Date(r.nextAttemptAt).toISOString() }
        : {}),
      ...(r.problem ? { problem: r.problem.message } : {}),
      sessionDisabled: r.sessionDisabled,
    })),
    fileProblems: rows.fileProblems.map((p) => p.message),
  };
}

/** How many events the dashboard shows: enough to read what just happened, few enough to paint at once. */
export const DASHBOARD_EVENTS = 50;
/** The last lines of an excerpt are the ones that show the question; the store keeps at most 4000 chars. */
const EXCERPT_CHARS = 4000;

/**
 * The dashboard's whole picture (seed 000/001 "Orchestrator column"): each pane's own state with the
 * supervisor's metadata, the task board, and recent events (the host's state changes merged with the
 * supervisor's actions). Pure: the host calls it on every change and the webview gets a whole snapshot.
 */
export function dashboardSnapshot(sources: SnapshotSources): DashboardSnapshot {
  const taskByPane = new Map<string, TaskSpec & { status: TaskStatus }>();
  for (const task of sources.tasks) {
    const runner = task.status.pane ?? task.pane;
    if (runner) taskByPane.set(runner, task);
  }
  const pendingByPane = new Map<string, number>();
  for (const r of sources.pending) pendingByPane.set(r.pane, (pendingByPane.get(r.pane) ?? 0) + 1);

  const actions: EventView[] = [];
  const panes = sources.panes.map((pane): PaneView => {
    const meta = sources.meta(pane.id);
    const task =
      (meta?.task ? sources.tasks.find((t) => t.id === meta.task) : undefined) ?? taskByPane.get(pane.id);
    for (const a of meta?.recent_actions ?? [])
      actions.push({ at: a.ts, pane: pane.id, kind: a.action, text: a.detail });
    const branch = pane.branch ?? meta?.branch;
    const phase = panePhase(meta?.phase, task?.status.phase) as PaneView['phase'];
    const owner = task?.owner;
    const last = meta?.last_command_result;
    return {
      id: pane.id,
      name: pane.name,
      kind: pane.kind,
      ...(branch ? { branch } : {}),
      state: pane.state.name,
      ...(pane.state.reason ? { reason: pane.state.reason } : {}),
      stateSince: pane.state.since,
      ...(phase ? { phase } : {}),
      ...(task ? { taskId: task.id } : {}),
      ...(owner ? { owner } : {}),
      blockers: (meta?.blockers ?? []).map((b) => ({
        kind: b.kind,
        reason: b.reason,
        retries: b.retries,
        since: b.since,
      })),
      nextActions: meta?.next_actions ?? [],
      queued: (meta?.queued_commands ?? []).map((q) => ({
        id: q.id,
        text: q.text,
        kind: q.kind,
        risk: q.risk,
        source: q.source,
        queuedAt: q.queued_at,
        ...(q.approval_id ? { approvalId: q.approval_id } : {}),
      })),
      ...(last
        ? { lastResult: { text: last.text, result: last.result, detail: last.detail, at: last.ts } }
        : {}),
      recentActions: (meta?.recent_actions ?? [])
        .slice(-5)
        .map((a) => ({ at: a.ts, action: a.action, detail: a.detail })),
      failureStreak: meta?.failure_streak ?? 0,
      pendingApprovals: pendingByPane.get(pane.id) ?? 0,
    };
  });

  const phaseOf = new Map(sources.tasks.map((t) => [t.id, t.status.phase]));
  const tasks = sources.tasks.map((t): TaskView => {
    const dependsOn = t.depends_on ?? [];
    const pane = t.status.pane ?? t.pane;
    return {
      id: t.id,
      title: t.title,
      phase: t.status.phase,
      status: taskStatusWord(t.status.phase, dependsOn, phaseOf, pane),
      ...(t.owner ? { owner: t.owner } : {}),
      ...(pane ? { pane } : {}),
      ...(t.branch ? { branch: t.branch } : {}),
      dependsOn,
    };
  });

  const events = [...sources.events, ...actions]
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))
    .slice(0, DASHBOARD_EVENTS);

  return {
    supervisor: sources.supervisor,
    panes,
    tasks,
    events,
    pendingApprovals: sources.pending.length,
    mcp: mcpServersView(sources.mcp),
    updatedAt: (sources.now ?? new Date()).toISOString(),
  };
}

/**
 * The `bridge.state-change` lines of the dashboard's recent events: one per server whose state moved since the
 * last call (`seen`, updated in place; a server seen for the first time or after a reload has no "before").
 * Called on every change of the MCP rows, which also fire once a second for a countdown: those add nothing.
 */
export function mcpStateEvents(seen: Map<string, string>, rows: McpRowsLike, at: string): EventView[] {
  const out: EventView[] = [];
  const present = new Set<string>();
  for (const row of rows.servers) {
    present.add(row.alias);
    const before = seen.get(row.alias);
    seen.set(row.alias, row.state);
    if (before === undefined || before === row.state) continue;
    const why = row.state !== 'connected' && row.lastError ? `: ${row.lastError}` : '';
    out.push({ at, kind: 'bridge.state-change', text: `MCP ${row.alias}: ${before} → ${row.state}${why}` });
  }
  for (const alias of [...seen.keys()]) if (!present.has(alias)) seen.delete(alias);
  return out;
}

/** The approvals queue with everything a person needs to decide, oldest first. */
export function approvalsSnapshot(
  sources: Pick<SnapshotSources, 'panes' | 'pending' | 'supervisor' | 'now'>,
): ApprovalsSnapshot {
  const names = new Map(sources.panes.map((p) => [p.id, p.name]));
  return {
    supervisor: sources.supervisor,
    pending: sources.pending.map((r): ApprovalView => {
      const paneName = names.get(r.pane);
      return {
        id: r.id,
        pane: r.pane,
        ...(paneName ? { paneName } : {}),
        ...(r.branch ? { branch: r.branch } : {}),
        agent: r.agent,
        kind: r.kind,
        ...(r.command !== undefined ? { command: r.command } : {}),
        ...(r.reason !== undefined ? { reason: r.reason } : {}),
        risk: r.risk,
        reasons: r.reasons,
        source: r.source,
        requestedAt: r.requestedAt,
        ...(r.transcriptExcerpt ? { transcriptExcerpt: r.transcriptExcerpt.slice(-EXCERPT_CHARS) } : {}),
      };
    }),
    updatedAt: (sources.now ?? new Date()).toISOString(),
  };
}

/** A ring of the newest events, newest first; the host keeps one for the dashboard. */
export class EventRing {
  private readonly items: EventView[] = [];
  constructor(private readonly size = DASHBOARD_EVENTS) {}

  add(event: EventView): void {
    this.items.unshift(event);
    if (this.items.length > this.size) this.items.length = this.size;
  }

  list(): readonly EventView[] {
    return this.items;
  }
}

/** One word for where a task stands: done, blocked, waiting (on a dependency), running (a pane has it) or ready. */
function taskStatusWord(
  phase: string,
  dependsOn: readonly string[],
  phaseOf: ReadonlyMap<string, string>,
  pane: string | undefined,
): 'done' | 'blocked' | 'waiting' | 'running' | 'ready' {
  if (phase === 'DONE') return 'done';
  if (phase === 'BLOCKED') return 'blocked';
  if (dependsOn.some((d) => phaseOf.get(d) !== 'DONE')) return 'waiting';
  return pane ? 'running' : 'ready';
}
