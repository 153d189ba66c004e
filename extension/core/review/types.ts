/**
 * The project review's data, declared once: the facts gathered from the workspace, the analysis made of them and
 * the review a person reads. The CLI prints it, the palette command and the dashboard show it; all of them take
 * these types from `extension/core/review/index.ts`.
 */

export type TaskPhase = 'PLANNING' | 'EXECUTING' | 'VERIFYING' | 'BLOCKED' | 'DONE';

export interface TaskFact {
  id: string;
  title: string;
  branch?: string;
  pane?: string;
  owner?: string;
  phase: TaskPhase;
  /** When the phase last changed (the supervisor's state), when known. */
  phaseSince?: string;
  dependsOn: string[];
  /** Dependencies not DONE yet. */
  waitingOn: string[];
  /** Blockers of the task's pane ("stall: no output for 10 min"). */
  blockers: { kind: string; reason: string; since: string }[];
  acceptanceCommand?: string;
  /** When the log says it was dispatched to a pane (first time) and finished (last time). */
  startedAt?: string;
  doneAt?: string;
}

export interface PaneFact {
  pane: string;
  branch?: string;
  agent?: string;
  task?: string;
  /** The newest state known: from the supervisor's state, else the log. */
  state?: string;
  stateSince?: string;
  failureStreak: number;
  lastCommand?: { text: string; result: string; detail: string; ts: string };
  /** From the app log's `pane.state` lines. */
  stateChanges: number;
  stalls: number;
  /** The longest stall (from entering `stalled` to the next state), seconds. */
  longestStallSeconds?: number;
  errors: number;
  failedCommands: number;
  lastFailure?: { ts: string; text?: string; detail?: string };
}

export interface ApprovalFact {
  id: string;
  pane: string;
  branch?: string;
  command?: string;
  reason?: string;
  risk: string;
  requestedAt: string;
  /** Pending: seconds waited until now; answered: seconds from request to answer. */
  waitSeconds: number;
  decision?: string;
  decidedBy?: string;
}

export interface ApprovalsFact {
  pending: ApprovalFact[];
  /** The most recent answered ones (newest first). */
  answered: ApprovalFact[];
  answeredCount: number;
  /** Median and longest answer latency of the answered ones, seconds. */
  medianLatencySeconds?: number;
  maxLatencySeconds?: number;
}

export interface PlanRunFact {
  planId: string;
  thread: string;
  status: string;
  started: string;
  updated: string;
  nodes: number;
  doneNodes: number;
  failedNodes: { node: string; error?: string }[];
  waitingNodes: { node: string; approvalId: string }[];
}

export interface BranchFact {
  branch: string;
  /** Commits on the branch that the base does not have. */
  ahead: number;
  /** Commits on the base that the branch does not have. */
  behind: number;
  lastCommitAt?: string;
  lastCommitSubject?: string;
  filesChanged: number;
  insertions: number;
  deletions: number;
}

export interface GitFact {
  available: boolean;
  /** Why git facts are missing (not a repository, git not installed). */
  problem?: string;
  base?: string;
  current?: string;
  branches: BranchFact[];
}

export interface TestFact {
  /** The task it proves, or undefined for `review.test_command`. */
  task?: string;
  command: string;
  /** 'skipped' when the command was judged too risky to run unattended. */
  result: 'passed' | 'failed' | 'skipped';
  exitCode?: number;
  /** The last lines of its output. */
  tail: string;
  seconds?: number;
}

export interface HistoryFact {
  /** The app log read (absent when there is none). */
  file?: string;
  lines: number;
  malformed: number;
  span?: { first: string; last: string };
  /** Task completions (`task.done`), oldest first. */
  completions: { task: string; at: string }[];
}

export interface SupervisorFact {
  /** A supervisor answers on the workspace's control socket (or this process is the supervisor). */
  running: boolean;
  /** Its last heartbeat in the saved state: absent when no supervisor ever ran here. */
  heartbeat?: string;
  /** Why it is not running, when known ("process 123 is gone"). */
  detail?: string;
}

export interface ReviewFacts {
  workspace: string;
  generatedAt: string;
  supervisor: SupervisorFact;
  tasks: TaskFact[];
  panes: PaneFact[];
  approvals: ApprovalsFact;
  plans: PlanRunFact[];
  git: GitFact;
  tests: TestFact[];
  history: HistoryFact;
  /** Facts that could not be read, one line each (a broken state file...): the review goes on without them. */
  problems: string[];
}

// --- analysis ------------------------------------------------------------------------------------------------

export interface Progress {
  tasks: { total: number; done: number; byPhase: Record<TaskPhase, number>; percent: number };
  plans: { total: number; done: number; failed: number; waiting: number; running: number };
  branches: { branch: string; ahead: number; insertions: number; deletions: number; lastCommitAt?: string }[];
}

export type BottleneckKind =
  | 'supervisor_down'
  | 'blocked_task'
  | 'approval_wait'
  | 'stall'
  | 'failing_commands'
  | 'idle_agent'
  | 'dependency_chain'
  | 'failed_plan'
  | 'failing_tests'
  | 'long_running_task';

export interface Bottleneck {
  kind: BottleneckKind;
  /** Stable id ("approval:a1", "task:api"), so "since the last review" can tell new ones from old ones. */
  key: string;
  /** Larger is worse: seconds lost or at stake, weighted by how much work waits on it. */
  weight: number;
  summary: string;
  task?: string;
  pane?: string;
  approvalId?: string;
  plan?: string;
  /** Tasks held up by it (dependency chains). */
  holds?: string[];
  seconds?: number;
}

export interface ForecastRange {
  /** ISO times: expected, and the range from the spread of completion intervals. */
  expected: string;
  earliest: string;
  latest: string;
}

export interface TaskForecast {
  task: string;
  /** Position in the remaining work (1 = next to finish). */
  position: number;
  range?: ForecastRange;
  /** The lane that runs it (per-lane model): `owner:alice`, `pane:codex`… */
  lane?: string;
  /** Whose pace it took: its lane's own, or the fleet's widened when the lane has too little history. */
  paceFrom?: 'lane' | 'fleet';
}

/** One lane's share of the forecast (per-lane model). */
export interface LaneForecast {
  lane: string;
  kind: 'owner' | 'pane' | 'branch' | 'unassigned';
  name: string;
  /** Finished tasks whose duration was measured in this lane. */
  measured: number;
  /** `lane`: its own durations; `fleet`: too little history, the fleet's durations widened. */
  paceFrom: 'lane' | 'fleet';
  /** Seconds per task used: expected (median), shortest and longest. */
  secondsPerTask: { median: number; min: number; max: number };
  /** Its remaining tasks, in the order they run. */
  tasks: string[];
  /** When its last remaining task is expected done. */
  finish: ForecastRange;
}

export interface Forecast {
  /** False when fewer than 2 completions are known: no range can be measured. */
  enoughHistory: boolean;
  completions: number;
  remaining: number;
  /** Tasks per day measured over the completions. */
  tasksPerDay?: number;
  /** Seconds between completions: median, shortest, longest. */
  intervalSeconds?: { median: number; min: number; max: number };
  overall?: ForecastRange;
  tasks: TaskForecast[];
  /** One sentence on how sure this is. */
  note: string;
  /** What it was made from: lanes in parallel, the fleet's completion gaps, or nothing measurable. */
  basis?: 'lanes' | 'completion_gaps' | 'none';
  lanes?: LaneForecast[];
}

export interface SinceLast {
  /** When the previous review was made; absent on the first review. */
  previousAt?: string;
  newlyDone: string[];
  phaseChanges: { task: string; from: string; to: string }[];
  newCommits: { branch: string; commits: number }[];
  newBottlenecks: string[];
  resolvedBottlenecks: string[];
  approvalsAnswered: number;
}

export type RecommendationAction =
  | 'start_supervisor'
  | 'answer_approval'
  | 'nudge_pane'
  | 'unblock_pane'
  | 'split_task'
  | 'replan'
  | 'fix_tests'
  | 'unblock_dependency'
  | 'merge_branch'
  | 'other';

export interface Recommendation {
  rank: number;
  action: RecommendationAction;
  title: string;
  reason: string;
  /** The exact command to run (a `fleet ...` line, or git). */
  command: string;
  pane?: string;
  task?: string;
  approvalId?: string;
}

export interface Review {
  facts: ReviewFacts;
  progress: Progress;
  bottlenecks: Bottleneck[];
  forecast: Forecast;
  sinceLast: SinceLast;
  recommendations: Recommendation[];
  /** One sentence a lead would open with. */
  headline: string;
  /** Where the recommendations came from; a model answer that failed says why, and the rules stood in. */
  source: { kind: 'rules' | 'model'; model?: string; note?: string };
}
