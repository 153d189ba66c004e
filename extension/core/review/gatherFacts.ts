import { ApprovalStore, type ApprovalRequest, type CompletedApproval } from '../approvals';
import type { OrchestratorConfig } from '../config/orchestratorConfig';
import { findSupervisorOwner } from '../control/supervisorOwner';
import { describeError } from '../errors';
import { listRuns } from '../plans/executor/runRecord';
import * as path from 'node:path';
import type { PaneMeta, SupervisorState } from '../supervisor/paneMetadata';
import { readSupervisorState } from '../supervisor/stateStore';
import type { WorkspacePaths } from '../workspacePaths';
import { gatherGitFacts } from './gitFacts';
import { readLogHistory, type LogHistory } from './logHistory';
import { runConfiguredTests } from './testRuns';
import type {
  ApprovalFact,
  ApprovalsFact,
  PaneFact,
  PlanRunFact,
  ReviewFacts,
  TaskFact,
  TaskPhase,
  TestFact,
} from './types';

export interface GatherOptions {
  workspace: string;
  paths: WorkspacePaths;
  config: OrchestratorConfig;
  now: Date;
  /** Run the configured test commands (`--run-tests`). */
  runTests?: boolean;
  gitBase?: string;
}

/**
 * Every fact the review looks at, each source read on its own: a source that cannot be read (a broken state
 * file, no git) becomes a line in `problems` and the review goes on with the others.
 */
export async function gatherFacts(options: GatherOptions): Promise<ReviewFacts> {
  const { paths, config, now, workspace } = options;
  const problems: string[] = [];
  const state = await readSupervisorState(paths.stateDir).catch((error: unknown) => {
    problems.push(`supervisor state: ${describeError(error)}`);
    return undefined;
  });
  const history = await readLogHistory(paths.appLog);
  if (history.problem) problems.push(`app log: ${history.problem}`);
  if (history.malformed > 0) problems.push(`app log: ${history.malformed} malformed line(s) skipped`);

  const approvals = await gatherApprovals(paths, now).catch((error: unknown) => {
    problems.push(`approvals: ${describeError(error)}`);
    return { pending: [], answered: [], answeredCount: 0 } satisfies ApprovalsFact;
  });
  const plans = await gatherPlans(paths.stateDir).catch((error: unknown) => {
    problems.push(`plan runs: ${describeError(error)}`);
    return [] as PlanRunFact[];
  });
  const preferred = config.tasks.flatMap((t) => (t.branch ? [t.branch] : []));
  const git = await gatherGitFacts(workspace, {
    preferred,
    ...(options.gitBase ? { base: options.gitBase } : {}),
  }).catch((error: unknown) => ({
    available: false,
    problem: describeError(error),
    branches: [],
  }));
  if (git.problem) problems.push(`git: ${git.problem}`);
  let tests: TestFact[] = [];
  if (options.runTests) {
    tests = await runConfiguredTests({ workspace, config }).catch((error: unknown) => {
      problems.push(`tests: ${describeError(error)}`);
      return [];
    });
  }

  const panes = paneFacts(config, state, history);
  const owner = await findSupervisorOwner(path.join(paths.stateDir, 'control.json'));
  // Inside the supervisor's own process (the daily digest) its control file names this process.
  const running = owner.state === 'live' || (owner.state === 'stale' && owner.control.pid === process.pid);
  const heartbeat = state?.orchestrator_heartbeat;
  const detail = owner.state === 'stale' || owner.state === 'unreadable' ? owner.reason : undefined;
  return {
    workspace,
    generatedAt: now.toISOString(),
    supervisor: {
      running,
      ...(heartbeat ? { heartbeat } : {}),
      ...(!running && detail ? { detail } : {}),
    },
    tasks: taskFacts(config, state, history, panes),
    panes,
    approvals,
    plans,
    git,
    tests,
    history: {
      ...(history.found ? { file: history.file } : {}),
      lines: history.lines,
      malformed: history.malformed,
      ...(history.span ? { span: history.span } : {}),
      completions: history.completions,
    },
    problems,
  };
}

function paneMetas(state: SupervisorState | undefined): PaneMeta[] {
  return state ? Object.values(state.panes) : [];
}

function paneFacts(
  config: OrchestratorConfig,
  state: SupervisorState | undefined,
  history: LogHistory,
): PaneFact[] {
  const ids = new Set<string>([
    ...config.panes.map((p) => p.id),
    ...paneMetas(state).map((m) => m.pane),
    ...history.panes.keys(),
  ]);
  const facts: PaneFact[] = [];
  for (const id of ids) {
    const configured = config.panes.find((p) => p.id === id);
    const meta = paneMetas(state).find((m) => m.pane === id);
    const logged = history.panes.get(id);
    const branch = meta?.branch ?? configured?.branch ?? logged?.branch;
    const agent = meta?.agent ?? configured?.agent ?? logged?.agent;
    const task =
      meta?.task ??
      configured?.task ??
      config.tasks.find((t) => t.pane === id || (branch !== undefined && t.branch === branch))?.id;
    // The log is written as things happen; the state file is saved a moment later. The newer one wins.
    const fromLog = logged?.lastState;
    const useLog = fromLog && (!meta || fromLog.ts > meta.state_since);
    const stateName = useLog ? fromLog.state : meta?.state;
    const stateSince = useLog ? fromLog.ts : meta?.state_since;
    const last = meta?.last_command_result;
    facts.push({
      pane: id,
      ...(branch ? { branch } : {}),
      ...(agent ? { agent } : {}),
      ...(task ? { task } : {}),
      ...(stateName ? { state: stateName } : {}),
      ...(stateSince ? { stateSince } : {}),
      // The saved state knows about successes the log may no longer hold (rotated): it wins when there is one.
      failureStreak: meta?.failure_streak ?? logged?.failureStreak ?? 0,
      ...(last
        ? { lastCommand: { text: last.text, result: last.result, detail: last.detail, ts: last.ts } }
        : {}),
      stateChanges: logged?.stateChanges ?? 0,
      stalls: logged?.stalls ?? 0,
      ...(logged?.longestStallSeconds !== undefined
        ? { longestStallSeconds: logged.longestStallSeconds }
        : {}),
      errors: logged?.errors ?? 0,
      failedCommands: logged?.failedCommands ?? 0,
      ...(logged?.lastFailure ? { lastFailure: logged.lastFailure } : {}),
    });
  }
  return facts.sort((a, b) => a.pane.localeCompare(b.pane));
}

function taskFacts(
  config: OrchestratorConfig,
  state: SupervisorState | undefined,
  history: LogHistory,
  panes: PaneFact[],
): TaskFact[] {
  const lastDone = new Map<string, string>();
  for (const c of history.completions) lastDone.set(c.task, c.at);
  const phaseOf = (id: string): TaskPhase => {
    const saved = state?.tasks[id]?.phase;
    if (saved) return saved;
    if (lastDone.has(id)) return 'DONE';
    return config.tasks.find((t) => t.id === id)?.phase ?? 'PLANNING';
  };
  return config.tasks.map((task) => {
    const saved = state?.tasks[task.id];
    const paneId =
      saved?.pane ??
      task.pane ??
      panes.find((p) => p.task === task.id || (task.branch && p.branch === task.branch))?.pane;
    const meta = paneMetas(state).find((m) => m.pane === paneId);
    const phase = phaseOf(task.id);
    const dispatched = history.dispatched.get(task.id);
    const doneAt = phase === 'DONE' ? (lastDone.get(task.id) ?? saved?.updated_at) : undefined;
    return {
      id: task.id,
      title: task.title,
      ...(task.branch ? { branch: task.branch } : {}),
      ...(paneId ? { pane: paneId } : {}),
      ...(task.owner ? { owner: task.owner } : {}),
      phase,
      ...(saved && Date.parse(saved.updated_at) > 0 ? { phaseSince: saved.updated_at } : {}),
      dependsOn: task.depends_on,
      waitingOn: task.depends_on.filter((dep) => phaseOf(dep) !== 'DONE'),
      blockers: (meta?.blockers ?? []).map((b) => ({ kind: b.kind, reason: b.reason, since: b.since })),
      ...(task.acceptance?.command ? { acceptanceCommand: task.acceptance.command } : {}),
      ...(dispatched ? { startedAt: dispatched.at } : {}),
      ...(doneAt && Date.parse(doneAt) > 0 ? { doneAt } : {}),
    };
  });
}

async function gatherApprovals(paths: WorkspacePaths, now: Date): Promise<ApprovalsFact> {
  const store = ApprovalStore.forWorkspace(paths);
  const [pending, completed] = await Promise.all([store.pending(), store.completed({ limit: 500 })]);
  const seconds = (from: string, to: number): number =>
    Math.max(0, Math.round((to - Date.parse(from)) / 1000));
  const fact = (record: ApprovalRequest, waitSeconds: number): ApprovalFact => ({
    id: record.id,
    pane: record.pane,
    ...(record.branch ? { branch: record.branch } : {}),
    ...(record.command ? { command: record.command } : {}),
    ...(record.reason ? { reason: record.reason } : {}),
    risk: record.risk,
    requestedAt: record.requestedAt,
    waitSeconds,
  });
  // Answers by a person tell how long the fleet waits for one; the rules' and the model's answer at once.
  const byPeople = completed.filter((c) => !['rule', 'model', 'terminal'].includes(c.decidedBy));
  const latencies = byPeople
    .map((c) => seconds(c.requestedAt, Date.parse(c.decidedAt)))
    .sort((a, b) => a - b);
  const answered = [...completed]
    .sort((a, b) => b.decidedAt.localeCompare(a.decidedAt))
    .slice(0, 20)
    .map((c: CompletedApproval): ApprovalFact => ({
      ...fact(c, seconds(c.requestedAt, Date.parse(c.decidedAt))),
      decision: c.decision,
      decidedBy: c.decidedBy,
    }));
  return {
    pending: pending
      .map((p) => fact(p, seconds(p.requestedAt, now.getTime())))
      .sort((a, b) => b.waitSeconds - a.waitSeconds),
    answered,
    answeredCount: completed.length,
    ...(latencies.length
      ? {
          medianLatencySeconds: latencies[Math.floor((latencies.length - 1) / 2)]!,
          maxLatencySeconds: latencies[latencies.length - 1]!,
        }
      : {}),
  };
}

async function gatherPlans(stateDir: string): Promise<PlanRunFact[]> {
  const runs = await listRuns(stateDir);
  return runs.map((run) => {
    const nodes = Object.entries(run.nodes);
    return {
      planId: run.planId,
      thread: run.thread,
      status: run.status,
      started: run.started,
      updated: run.updated,
      nodes: nodes.length,
      doneNodes: nodes.filter(([, n]) => n.status === 'done').length,
      failedNodes: nodes
        .filter(([, n]) => n.status === 'failed')
        .map(([node, n]) => ({ node, ...(n.error ? { error: n.error } : {}) })),
      waitingNodes: run.waits.map((w) => ({ node: w.node, approvalId: w.requestId })),
    };
  });
}
