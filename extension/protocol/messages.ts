import { z } from 'zod';
// Plain vocabularies (no Node code), so the webview bundles can take them too.
import { PANE_STATES } from '../core/panes/types';
import { PHASES, RISKS } from '../core/supervisor/paneMetadata';

/**
 * Every message between the host and the webviews, declared once. Requests flow webview -> host and answer
 * `{ok:true,value}` or `{ok:false,error}`; events flow host -> webview and always carry a whole snapshot, never a
 * delta that could drift.
 */
export const HostInfo = z.object({
  name: z.literal('FleetAI'),
  version: z.string(),
  /** The editor's own version (`vscode.version`), or the CLI's host description. */
  hostVersion: z.string(),
  uiLanguage: z.string(),
  workspace: z.string().nullable(),
});
export type HostInfo = z.infer<typeof HostInfo>;

export const FleetSnapshot = z.object({
  heartbeat: z.enum(['idle', 'running', 'stale']),
  panes: z.number().int().nonnegative(),
  pendingApprovals: z.number().int().nonnegative(),
  updatedAt: z.iso.datetime(),
});
export type FleetSnapshot = z.infer<typeof FleetSnapshot>;

const Iso = z.string().min(1);
export const PaneStateWord = z.enum(PANE_STATES);
export const PhaseWord = z.enum(PHASES);
export const RiskWord = z.enum(RISKS);

/** Where the supervisor runs and whether it is alive (seed 000: orchestrator_heartbeat). */
export const SupervisorView = z.object({
  mode: z.enum(['off', 'window', 'elsewhere', 'failed']),
  heartbeat: z.enum(['idle', 'running', 'stale']),
  heartbeatAt: Iso.optional(),
  dryRun: z.boolean(),
  ownerPid: z.number().int().optional(),
  problem: z.string().optional(),
});
export type SupervisorView = z.infer<typeof SupervisorView>;

export const QueuedCommandView = z.object({
  id: z.string(),
  text: z.string(),
  kind: z.string(),
  risk: RiskWord,
  source: z.string(),
  queuedAt: Iso,
  /** Set while the command waits for a human's decision. */
  approvalId: z.string().optional(),
});

export const BlockerView = z.object({
  kind: z.string(),
  reason: z.string(),
  retries: z.number().int().nonnegative(),
  since: Iso,
});

export const ActionView = z.object({ at: Iso, action: z.string(), detail: z.string() });

/** One pane as the dashboard shows it: the pane's own state plus the supervisor's metadata (seed 000/001). */
export const PaneView = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  branch: z.string().optional(),
  state: PaneStateWord,
  reason: z.string().optional(),
  stateSince: Iso,
  phase: PhaseWord.optional(),
  taskId: z.string().optional(),
  owner: z.string().optional(),
  blockers: z.array(BlockerView),
  nextActions: z.array(z.string()),
  queued: z.array(QueuedCommandView),
  lastResult: z.object({ text: z.string(), result: z.string(), detail: z.string(), at: Iso }).optional(),
  recentActions: z.array(ActionView),
  failureStreak: z.number().int().nonnegative(),
  pendingApprovals: z.number().int().nonnegative(),
});
export type PaneView = z.infer<typeof PaneView>;

export const TaskView = z.object({
  id: z.string(),
  title: z.string(),
  phase: PhaseWord.optional(),
  status: z.string(),
  owner: z.string().optional(),
  pane: z.string().optional(),
  branch: z.string().optional(),
  dependsOn: z.array(z.string()),
});
export type TaskView = z.infer<typeof TaskView>;

export const EventView = z.object({
  at: Iso,
  pane: z.string().optional(),
  kind: z.string(),
  text: z.string(),
});
export type EventView = z.infer<typeof EventView>;

// The MCP Servers view's row states (extension/vscode/mcpText.ts McpRowState), repeated here rather than
// imported: the bridge's module loads the MCP SDK. webviewSnapshots.ts fails to compile if they drift apart.
export const MCP_SERVER_STATES = [
  'idle',
  'connecting',
  'connected',
  'reconnecting',
  'disconnected',
  'disabled',
  'broken',
] as const;

/** One configured MCP server as the window's bridge has it (issue 7: `bridge.state-change` in the webviews). */
export const McpServerView = z.object({
  alias: z.string().min(1),
  state: z.enum(MCP_SERVER_STATES),
  /** Missing for a broken entry. */
  transport: z.enum(['stdio', 'http', 'sse']).optional(),
  /** Tools listed while connected (0 otherwise). */
  tools: z.number().int().nonnegative(),
  lastError: z.string().optional(),
  /** While `reconnecting`: when the next attempt starts (the page counts down to it). */
  nextRetryAt: Iso.optional(),
  /** A broken entry's problem, naming file, alias and field. */
  problem: z.string().optional(),
  /** Turned off for this window's session only (not in the file). */
  sessionDisabled: z.boolean(),
});
export type McpServerView = z.infer<typeof McpServerView>;

export const McpServersView = z.object({
  servers: z.array(McpServerView),
  /** Problems of whole servers files (unreadable, not JSON), which name no alias. */
  fileProblems: z.array(z.string()),
});
export type McpServersView = z.infer<typeof McpServersView>;

// --- the project review on the dashboard (issue 9) -------------------------------------------------------
// What the dashboard shows of a review (extension/core/review/types.ts Review), trimmed to what it draws: the
// facts stay on the host. extension/vscode/reviewView.ts builds it; its types are checked against the core's.
export const REVIEW_BOTTLENECK_KINDS = [
  'supervisor_down',
  'blocked_task',
  'approval_wait',
  'stall',
  'failing_commands',
  'idle_agent',
  'dependency_chain',
  'failed_plan',
  'failing_tests',
  'long_running_task',
] as const;
export const REVIEW_ACTIONS = [
  'start_supervisor',
  'answer_approval',
  'nudge_pane',
  'unblock_pane',
  'split_task',
  'replan',
  'fix_tests',
  'unblock_dependency',
  'merge_branch',
  'other',
] as const;

export const ReviewRangeView = z.object({ expected: Iso, earliest: Iso, latest: Iso });
export type ReviewRangeView = z.infer<typeof ReviewRangeView>;

export const ReviewTaskView = z.object({
  id: z.string().min(1),
  title: z.string(),
  phase: PhaseWord,
  pane: z.string().optional(),
  paneState: z.string().optional(),
  branch: z.string().optional(),
  /** The branch's commits ahead of the base and its diff, when git was read. */
  ahead: z.number().int().nonnegative().optional(),
  insertions: z.number().int().nonnegative().optional(),
  deletions: z.number().int().nonnegative().optional(),
  doneAt: Iso.optional(),
  /** Its place in the remaining work and when it is expected (no range without enough history). */
  position: z.number().int().positive().optional(),
  expected: ReviewRangeView.optional(),
});
export type ReviewTaskView = z.infer<typeof ReviewTaskView>;

export const ReviewView = z.object({
  generatedAt: Iso,
  headline: z.string(),
  source: z.object({
    kind: z.enum(['rules', 'model']),
    model: z.string().optional(),
    note: z.string().optional(),
  }),
  /** Whether the configured test commands were run for this review. */
  testsRun: z.boolean(),
  progress: z.object({
    total: z.number().int().nonnegative(),
    done: z.number().int().nonnegative(),
    percent: z.number().min(0).max(100),
    byPhase: z.record(PhaseWord, z.number().int().nonnegative()),
  }),
  tasks: z.array(ReviewTaskView),
  branches: z.array(
    z.object({
      branch: z.string().min(1),
      ahead: z.number().int().nonnegative(),
      behind: z.number().int().nonnegative(),
      insertions: z.number().int().nonnegative(),
      deletions: z.number().int().nonnegative(),
      lastCommitAt: Iso.optional(),
    }),
  ),
  plans: z.array(
    z.object({
      planId: z.string().min(1),
      thread: z.string(),
      status: z.string(),
      nodes: z.number().int().nonnegative(),
      doneNodes: z.number().int().nonnegative(),
      failedNodes: z.number().int().nonnegative(),
      waitingNodes: z.number().int().nonnegative(),
    }),
  ),
  sinceLast: z.object({
    previousAt: Iso.optional(),
    newlyDone: z.array(z.string()),
    phaseChanges: z.array(z.object({ task: z.string(), from: z.string(), to: z.string() })),
    newCommits: z.array(z.object({ branch: z.string(), commits: z.number().int() })),
    newBottlenecks: z.array(z.string()),
    resolvedBottlenecks: z.array(z.string()),
    approvalsAnswered: z.number().int().nonnegative(),
  }),
  bottlenecks: z.array(
    z.object({
      kind: z.enum(REVIEW_BOTTLENECK_KINDS),
      key: z.string().min(1),
      summary: z.string(),
      weight: z.number(),
      task: z.string().optional(),
      pane: z.string().optional(),
      approvalId: z.string().optional(),
      plan: z.string().optional(),
      holds: z.array(z.string()).optional(),
      /** How long it has lasted (a wait, a stall), seconds. */
      seconds: z.number().nonnegative().optional(),
    }),
  ),
  forecast: z.object({
    enoughHistory: z.boolean(),
    completions: z.number().int().nonnegative(),
    remaining: z.number().int().nonnegative(),
    tasksPerDay: z.number().nonnegative().optional(),
    intervalSeconds: z
      .object({
        median: z.number().nonnegative(),
        min: z.number().nonnegative(),
        max: z.number().nonnegative(),
      })
      .optional(),
    overall: ReviewRangeView.optional(),
    note: z.string(),
  }),
  recommendations: z.array(
    z.object({
      rank: z.number().int().positive(),
      action: z.enum(REVIEW_ACTIONS),
      title: z.string(),
      reason: z.string(),
      command: z.string(),
      pane: z.string().optional(),
      task: z.string().optional(),
      approvalId: z.string().optional(),
    }),
  ),
  /** Sources that could not be read ("git: not a repository"): the review went on without them. */
  problems: z.array(z.string()),
});
export type ReviewView = z.infer<typeof ReviewView>;

/** The last review remembered in `.fleetai/state/review/last.json` (made by the palette or `fleet review`). */
export const ReviewSummaryView = z.object({
  at: Iso,
  headline: z.string(),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});
export type ReviewSummaryView = z.infer<typeof ReviewSummaryView>;

/**
 * The dashboard's review section: none yet, running, the newest review (with a summary of one made elsewhere
 * since, when there is one), or the failure of the last run with its coded error.
 */
export const DashboardReviewState = z.object({
  state: z.enum(['none', 'running', 'ready', 'failed']),
  /** While running: since when, and whether test commands run too. */
  startedAt: Iso.optional(),
  runTests: z.boolean().optional(),
  review: ReviewView.optional(),
  /** The newest remembered review when it is not the one in `review` (or there is none in full). */
  last: ReviewSummaryView.optional(),
  error: z.object({ code: z.string().min(1), message: z.string() }).optional(),
});
export type DashboardReviewState = z.infer<typeof DashboardReviewState>;

export const DashboardSnapshot = z.object({
  supervisor: SupervisorView,
  panes: z.array(PaneView),
  tasks: z.array(TaskView),
  /** Newest first, bounded by the host. */
  events: z.array(EventView),
  pendingApprovals: z.number().int().nonnegative(),
  /** The window's MCP servers; empty before the bridge opened (or without a folder). */
  mcp: McpServersView.default({ servers: [], fileProblems: [] }),
  /** The project review section (missing from hosts that have none). */
  review: DashboardReviewState.optional(),
  updatedAt: Iso,
});
export type DashboardSnapshot = z.infer<typeof DashboardSnapshot>;

export const ApprovalView = z.object({
  id: z.string(),
  pane: z.string(),
  paneName: z.string().optional(),
  branch: z.string().optional(),
  agent: z.string(),
  kind: z.enum(['command', 'edit', 'other']),
  command: z.string().optional(),
  reason: z.string().optional(),
  risk: RiskWord,
  reasons: z.array(z.string()),
  source: z.enum(['agent', 'fleet']),
  requestedAt: Iso,
  transcriptExcerpt: z.string().optional(),
});
export type ApprovalView = z.infer<typeof ApprovalView>;

export const ApprovalsSnapshot = z.object({
  supervisor: SupervisorView,
  /** Oldest first: the order the store keeps them in. */
  pending: z.array(ApprovalView),
  updatedAt: Iso,
});
export type ApprovalsSnapshot = z.infer<typeof ApprovalsSnapshot>;

export const DecisionWord = z.enum(['approve', 'deny']);
export const DecideResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), id: z.string(), decision: DecisionWord }),
  /** Refused (answered elsewhere first, expired, unknown): a message the person can read, and the code. */
  z.object({ ok: z.literal(false), id: z.string(), code: z.string(), message: z.string() }),
]);
export type DecideResult = z.infer<typeof DecideResult>;

export const PaneAction = z.enum(['focus', 'send', 'ask', 'nudge', 'restart', 'stop', 'openTranscript']);
export type PaneAction = z.infer<typeof PaneAction>;

// The plan vocabularies are repeated here rather than imported: the core's module carries the whole Plan Schema
// (and Node types), which the webviews should not load. test/unit/plans/planGraphSnapshot.test.ts checks both
// lists against extension/core/plans/planSchema.ts.
export const PLAN_NODE_TYPES = [
  'sequence',
  'parallel',
  'conditional',
  'loop',
  'human_approval',
  'local_task',
  'agent_invocation',
  'mcp_tool',
  'external_service',
  'join',
] as const;
export const PLAN_NODE_STATES = [
  'pending',
  'running',
  'waiting_approval',
  'done',
  'failed',
  'skipped',
] as const;

/** How two plan graph nodes are linked (`planFlow()` in extension/core/plans/planGraph.ts). */
export const PLAN_EDGE_KINDS = ['start', 'next', 'fork', 'join', 'then', 'else', 'body', 'repeat'] as const;

/** A node of the plan graph (extension/core/plans/planGraphSnapshot.ts builds them; webview/plan draws them). */
export const PlanGraphNodeView = z.object({
  id: z.string().min(1),
  type: z.enum(PLAN_NODE_TYPES),
  parent: z.string().min(1).optional(),
  title: z.string(),
  state: z.enum(PLAN_NODE_STATES),
  riskLevel: RiskWord,
  requiresApproval: z.boolean(),
  attempts: z.number().int().nonnegative(),
  outputExcerpt: z.string().max(8000).optional(),
  error: z.string().optional(),
  /** The approval request the node waits for. */
  requestId: z.string().optional(),
  startedAt: Iso.optional(),
  finishedAt: Iso.optional(),
});
export type PlanGraphNodeView = z.infer<typeof PlanGraphNodeView>;

export const PlanGraphSnapshot = z.object({
  runId: z.string().min(1),
  planId: z.string().min(1),
  planVersion: z.number().int().positive().optional(),
  planTitle: z.string(),
  runStatus: z.enum(['running', 'waiting_approval', 'done', 'failed']).optional(),
  updatedAt: Iso,
  nodes: z.array(PlanGraphNodeView),
  edges: z.array(
    z.object({
      from: z.string().min(1),
      to: z.string().min(1),
      kind: z.enum(PLAN_EDGE_KINDS),
    }),
  ),
});
export type PlanGraphSnapshot = z.infer<typeof PlanGraphSnapshot>;

/** One run of a plan in the workspace, newest first in `plan.listRuns`. */
export const PlanRunView = z.object({
  runId: z.string().min(1),
  planId: z.string().min(1),
  planVersion: z.number().int().positive().optional(),
  status: z.enum(['running', 'waiting_approval', 'done', 'failed']),
  started: Iso,
  updated: Iso,
  waits: z.number().int().nonnegative(),
});
export type PlanRunView = z.infer<typeof PlanRunView>;

export const requests = {
  'host.getInfo': { params: z.object({}), result: HostInfo },
  /** A cheap round trip the webviews use to tell that the host still answers. */
  'host.ping': { params: z.object({}), result: z.object({ at: Iso }) },
  'fleet.getSnapshot': { params: z.object({}), result: FleetSnapshot },
  'dashboard.getSnapshot': { params: z.object({}), result: DashboardSnapshot },
  'approvals.getSnapshot': { params: z.object({}), result: ApprovalsSnapshot },
  'approvals.decide': {
    params: z.object({
      id: z.string().min(1),
      decision: DecisionWord,
      note: z.string().max(2000).optional(),
    }),
    result: DecideResult,
  },
  /** Runs a pane action through the same command a person would use from the sidebar (its prompts included). */
  'pane.action': {
    params: z.object({ pane: z.string().min(1), action: PaneAction }),
    result: z.object({ done: z.boolean() }),
  },
  'host.openLog': { params: z.object({}), result: z.object({ opened: z.boolean() }) },
  'host.showApprovals': { params: z.object({}), result: z.object({ opened: z.boolean() }) },
  'host.showDashboard': { params: z.object({}), result: z.object({ opened: z.boolean() }) },
  /** Puts text (a recommended command) on the clipboard through the editor, which works in every webview. */
  'host.copyText': {
    params: z.object({ text: z.string().min(1).max(4000) }),
    result: z.object({ copied: z.boolean() }),
  },
  /**
   * Runs the project review as FleetAI: Review Project does (rules, or the configured model) and answers the
   * dashboard's review state afterwards: `ready` with the review, or `failed` with the coded error. A run that
   * is already going is joined, not started twice.
   */
  'review.run': {
    params: z.object({ runTests: z.boolean().default(false) }),
    result: DashboardReviewState,
  },
  /** The graph of a run: the one the panel shows (the newest run of the workspace unless a run was chosen). */
  'plan.getSnapshot': {
    params: z.object({ runId: z.string().min(1).optional() }),
    result: PlanGraphSnapshot,
  },
  'plan.listRuns': { params: z.object({}), result: z.object({ runs: z.array(PlanRunView) }) },
  /** Decides the approval a node waits for, through the same path as `approvals.decide` (exactly once). */
  'plan.approve': {
    params: z.object({
      runId: z.string().min(1),
      nodeId: z.string().min(1),
      decision: DecisionWord.default('approve'),
      note: z.string().max(2000).optional(),
    }),
    result: DecideResult,
  },
  /** Opens a read-only document with the node's state, output excerpt and log lines. */
  'plan.openNodeOutput': {
    params: z.object({ runId: z.string().min(1), nodeId: z.string().min(1) }),
    result: z.object({ opened: z.boolean() }),
  },
} as const;

export const events = {
  'fleet.snapshot': FleetSnapshot,
  'dashboard.snapshot': DashboardSnapshot,
  'approvals.snapshot': ApprovalsSnapshot,
  'plan.snapshot': PlanGraphSnapshot,
} as const;

export type RequestMap = typeof requests;
export type RequestMethod = keyof RequestMap;
export type RequestParams<M extends RequestMethod> = z.input<RequestMap[M]['params']>;
export type RequestResult<M extends RequestMethod> = z.output<RequestMap[M]['result']>;

export type EventMap = typeof events;
export type EventName = keyof EventMap;
export type EventPayload<N extends EventName> = z.output<EventMap[N]>;
