import type { Bottleneck, Progress, ReviewFacts, TaskFact, TaskPhase } from './types';

/**
 * Progress and bottlenecks from the facts, by rules a lead engineer would use. Each bottleneck has a weight in
 * seconds lost or at stake, multiplied by the work waiting on it, so the list reads worst first.
 */

/** Below this an agent waiting for input is just between turns, not idle. */
export const IDLE_AFTER_SECONDS = 5 * 60;
/** A task executing longer than this is probably too big for one agent turn: split it. */
export const LONG_TASK_SECONDS = 24 * 3600;
const HOUR = 3600;

export function measureProgress(facts: ReviewFacts): Progress {
  const byPhase: Record<TaskPhase, number> = { PLANNING: 0, EXECUTING: 0, VERIFYING: 0, BLOCKED: 0, DONE: 0 };
  for (const task of facts.tasks) byPhase[task.phase]++;
  const total = facts.tasks.length;
  const done = byPhase.DONE;
  const latest = new Map<string, (typeof facts.plans)[number]>();
  // The newest run of each plan tells where that plan stands; older runs are history.
  for (const run of [...facts.plans].sort((a, b) => a.started.localeCompare(b.started)))
    latest.set(run.planId, run);
  const runs = [...latest.values()];
  return {
    tasks: { total, done, byPhase, percent: total === 0 ? 0 : Math.round((done / total) * 100) },
    plans: {
      total: runs.length,
      done: runs.filter((r) => r.status === 'done').length,
      failed: runs.filter((r) => r.status === 'failed').length,
      waiting: runs.filter((r) => r.status === 'waiting_approval').length,
      running: runs.filter((r) => r.status === 'running').length,
    },
    branches: facts.git.branches.map((b) => ({
      branch: b.branch,
      ahead: b.ahead,
      insertions: b.insertions,
      deletions: b.deletions,
      ...(b.lastCommitAt ? { lastCommitAt: b.lastCommitAt } : {}),
    })),
  };
}

/** Unfinished tasks that (transitively) wait for `id`. */
export function dependentsOf(tasks: readonly TaskFact[], id: string): string[] {
  const found = new Set<string>();
  const visit = (target: string): void => {
    for (const task of tasks) {
      if (task.phase === 'DONE' || found.has(task.id) || !task.dependsOn.includes(target)) continue;
      found.add(task.id);
      visit(task.id);
    }
  };
  visit(id);
  return [...found];
}

export function findBottlenecks(facts: ReviewFacts): Bottleneck[] {
  const now = Date.parse(facts.generatedAt);
  const since = (iso: string | undefined): number =>
    iso === undefined || Number.isNaN(Date.parse(iso))
      ? 0
      : Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  const taskOfPane = (pane: string): TaskFact | undefined =>
    facts.tasks.find((t) => t.pane === pane) ??
    facts.tasks.find((t) => t.id === facts.panes.find((p) => p.pane === pane)?.task);
  const holdsFor = (task: TaskFact | undefined): string[] => (task ? dependentsOf(facts.tasks, task.id) : []);
  const found: Bottleneck[] = [];

  // Nothing moves while no supervisor runs: no nudges, no recoveries, approvals answered to nobody. Only when one
  // ran here before (a heartbeat) and work is left: a workspace never supervised is not "down".
  const unfinished = facts.tasks.filter((t) => t.phase !== 'DONE');
  if (!facts.supervisor.running && facts.supervisor.heartbeat && unfinished.length > 0) {
    const seconds = since(facts.supervisor.heartbeat);
    found.push({
      kind: 'supervisor_down',
      key: 'supervisor',
      weight: 24 * HOUR + seconds,
      seconds,
      summary:
        `no supervisor is running (last heartbeat ${duration(seconds)} ago${facts.supervisor.detail ? `; ${facts.supervisor.detail}` : ''}) ` +
        `while ${unfinished.length} task${unfinished.length === 1 ? ' is' : 's are'} unfinished`,
    });
  }

  for (const approval of facts.approvals.pending) {
    const task = taskOfPane(approval.pane);
    const holds = holdsFor(task);
    found.push({
      kind: 'approval_wait',
      key: `approval:${approval.id}`,
      // An answer takes a person seconds and frees the agent at once: an hour's worth on top of the wait.
      weight: (approval.waitSeconds + HOUR) * (1 + holds.length),
      seconds: approval.waitSeconds,
      summary:
        `approval ${approval.id} on pane ${approval.pane} has waited ${duration(approval.waitSeconds)}` +
        `${approval.command ? ` to run \`${clip(approval.command, 60)}\`` : ''} (${approval.risk} risk)`,
      pane: approval.pane,
      approvalId: approval.id,
      ...(task ? { task: task.id } : {}),
      ...(holds.length ? { holds } : {}),
    });
  }

  for (const task of facts.tasks) {
    if (task.phase === 'DONE') continue;
    const holds = holdsFor(task);
    const blockers = task.blockers.filter((b) => b.kind !== 'approval');
    if (task.phase === 'BLOCKED' || blockers.length > 0) {
      const oldest = blockers.map((b) => b.since).sort()[0] ?? task.phaseSince;
      const seconds = since(oldest);
      found.push({
        kind: 'blocked_task',
        key: `blocked:${task.id}`,
        weight: Math.min(seconds, 24 * HOUR) / 2 + HOUR * (1 + holds.length),
        seconds,
        summary:
          `task ${task.id} is blocked${seconds ? ` for ${duration(seconds)}` : ''}: ` +
          (blockers.length
            ? blockers.map((b) => `${b.kind} (${b.reason})`).join('; ')
            : 'its pane is blocked'),
        task: task.id,
        ...(task.pane ? { pane: task.pane } : {}),
        ...(holds.length ? { holds } : {}),
      });
    }
    // The head of a chain: it could move (nothing it needs is missing) and others wait for it.
    if (holds.length > 0 && task.waitingOn.length === 0) {
      found.push({
        kind: 'dependency_chain',
        key: `chain:${task.id}`,
        weight: HOUR * 2 * holds.length,
        summary: `task ${task.id} (${task.phase}) holds ${holds.length} other task${holds.length === 1 ? '' : 's'}: ${holds.join(', ')}`,
        task: task.id,
        ...(task.pane ? { pane: task.pane } : {}),
        holds,
      });
    }
    const running = task.phase === 'EXECUTING' ? since(task.startedAt ?? task.phaseSince) : 0;
    if (running >= LONG_TASK_SECONDS) {
      found.push({
        kind: 'long_running_task',
        key: `long:${task.id}`,
        weight: running / 30,
        seconds: running,
        summary: `task ${task.id} has been EXECUTING for ${duration(running)}`,
        task: task.id,
        ...(task.pane ? { pane: task.pane } : {}),
      });
    }
  }

  for (const pane of facts.panes) {
    const task = taskOfPane(pane.pane);
    const unfinished = task !== undefined && task.phase !== 'DONE';
    const holds = holdsFor(task);
    const inState = since(pane.stateSince);
    if (pane.state === 'stalled') {
      found.push({
        kind: 'stall',
        key: `stall:${pane.pane}`,
        weight: inState * (1 + holds.length) + HOUR / 2,
        seconds: inState,
        summary:
          `pane ${pane.pane} is stalled${inState ? ` for ${duration(inState)}` : ''}` +
          `${pane.stalls > 1 ? ` (${pane.stalls} stalls in the log)` : ''}`,
        pane: pane.pane,
        ...(task ? { task: task.id } : {}),
      });
    } else if (pane.stalls >= 3) {
      found.push({
        kind: 'stall',
        key: `stalls:${pane.pane}`,
        weight: (pane.longestStallSeconds ?? 0) / 2 + pane.stalls * 300,
        summary:
          `pane ${pane.pane} stalled ${pane.stalls} times` +
          `${pane.longestStallSeconds ? `, the longest for ${duration(pane.longestStallSeconds)}` : ''}`,
        pane: pane.pane,
        ...(task ? { task: task.id } : {}),
      });
    }
    // A task that waits for its dependencies, or is blocked, keeps its agent idle by design: the chain or the
    // blocker is the bottleneck then.
    if (
      unfinished &&
      task.waitingOn.length === 0 &&
      task.phase !== 'BLOCKED' &&
      // An exited agent while no supervisor runs is part of that bigger problem, reported once above.
      (pane.state === 'awaiting_input' || (pane.state === 'exited' && facts.supervisor.running)) &&
      inState >= IDLE_AFTER_SECONDS
    ) {
      found.push({
        kind: 'idle_agent',
        key: `idle:${pane.pane}`,
        weight: inState * (1 + holds.length) + HOUR,
        seconds: inState,
        summary: `pane ${pane.pane} has been ${pane.state === 'exited' ? 'exited' : 'idle'} for ${duration(inState)} with task ${task.id} (${task.phase}) unfinished`,
        pane: pane.pane,
        task: task.id,
        ...(holds.length ? { holds } : {}),
      });
    }
    if (pane.failureStreak >= 2) {
      const last = pane.lastFailure ?? pane.lastCommand;
      found.push({
        kind: 'failing_commands',
        key: `failing:${pane.pane}`,
        weight: 600 * pane.failureStreak + 120 * pane.failedCommands,
        summary:
          `pane ${pane.pane}: ${pane.failureStreak} failed commands in a row` +
          `${last && 'text' in last && last.text ? `, last \`${clip(last.text, 50)}\`` : ''}` +
          `${last?.detail ? ` (${clip(last.detail, 80)})` : ''}`,
        pane: pane.pane,
        ...(task ? { task: task.id } : {}),
      });
    }
  }

  const latestRun = new Map<string, (typeof facts.plans)[number]>();
  for (const run of [...facts.plans].sort((a, b) => a.started.localeCompare(b.started)))
    latestRun.set(run.planId, run);
  for (const run of latestRun.values()) {
    if (run.status !== 'failed') continue;
    const failed = run.failedNodes.map((n) => `${n.node}${n.error ? ` (${clip(n.error, 60)})` : ''}`);
    found.push({
      kind: 'failed_plan',
      key: `plan:${run.planId}:${run.thread}`,
      weight: HOUR * 2 + since(run.updated) / 4,
      seconds: since(run.updated),
      summary: `plan ${run.planId} run ${run.thread} failed${failed.length ? ` at ${failed.join(', ')}` : ''}`,
      plan: run.planId,
    });
  }

  for (const test of facts.tests) {
    if (test.result !== 'failed') continue;
    const task = facts.tasks.find((t) => t.id === test.task);
    found.push({
      kind: 'failing_tests',
      key: `tests:${test.task ?? 'workspace'}`,
      weight: HOUR * 1.5,
      summary: `\`${clip(test.command, 60)}\` fails (exit ${test.exitCode ?? '?'})${test.task ? ` for task ${test.task}` : ''}`,
      ...(test.task ? { task: test.task } : {}),
      ...(task?.pane ? { pane: task.pane } : {}),
    });
  }

  return found.sort((a, b) => b.weight - a.weight || a.key.localeCompare(b.key));
}

/** "42 min", "3 h 05 min", "2.5 days": how people say a wait. */
export function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 90 * 60) return `${Math.round(seconds / 60)} min`;
  if (seconds < 36 * 3600) {
    const h = Math.floor(seconds / 3600);
    const m = Math.round((seconds % 3600) / 60);
    return `${h} h${m ? ` ${String(m).padStart(2, '0')} min` : ''}`;
  }
  return `${Math.round((seconds / 86400) * 10) / 10} days`;
}

export function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
