import type { BottleneckKind, LastReview, RecommendationAction, Review, TaskForecast } from '../core/review';
import type {
  DashboardReviewState,
  REVIEW_ACTIONS,
  REVIEW_BOTTLENECK_KINDS,
  ReviewSummaryView,
  ReviewTaskView,
  ReviewView,
} from '../protocol/messages';

// Both directions: a kind or action added on either side (the core's or the protocol's) fails to compile here.
type SameWords<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const kindsMatch: SameWords<BottleneckKind, (typeof REVIEW_BOTTLENECK_KINDS)[number]> = true;
const actionsMatch: SameWords<RecommendationAction, (typeof REVIEW_ACTIONS)[number]> = true;
void kindsMatch;
void actionsMatch;

/** The protocol does not allow negative counts; the core never makes them, but a bad clock could. */
const count = (n: number): number => Math.max(0, Math.round(n));

/**
 * What the dashboard shows of a review: progress per task (with its pane, branch and forecast), branch and plan,
 * what changed since the last review, the bottlenecks, the forecast with its range, and the ranked next steps.
 * The raw facts (log lines, test output, every approval) stay on the host. Pure, so it is unit-tested.
 */
export function reviewView(review: Review, options: { testsRun: boolean }): ReviewView {
  const { facts, progress, forecast } = review;
  const paneState = new Map(facts.panes.map((p) => [p.pane, p.state]));
  const branches = new Map(facts.git.branches.map((b) => [b.branch, b]));
  const expected = new Map<string, TaskForecast>(forecast.tasks.map((t) => [t.task, t]));
  const tasks = facts.tasks.map((task): ReviewTaskView => {
    const branch = task.branch ? branches.get(task.branch) : undefined;
    const state = task.pane ? paneState.get(task.pane) : undefined;
    const ahead = expected.get(task.id);
    return {
      id: task.id,
      title: task.title,
      phase: task.phase,
      ...(task.pane ? { pane: task.pane } : {}),
      ...(state ? { paneState: state } : {}),
      ...(task.branch ? { branch: task.branch } : {}),
      ...(branch
        ? {
            ahead: count(branch.ahead),
            insertions: count(branch.insertions),
            deletions: count(branch.deletions),
          }
        : {}),
      ...(task.doneAt ? { doneAt: task.doneAt } : {}),
      ...(ahead ? { position: ahead.position } : {}),
      ...(ahead?.range ? { expected: ahead.range } : {}),
    };
  });
  return {
    generatedAt: facts.generatedAt,
    headline: review.headline,
    source: {
      kind: review.source.kind,
      ...(review.source.model ? { model: review.source.model } : {}),
      ...(review.source.note ? { note: review.source.note } : {}),
    },
    testsRun: options.testsRun,
    progress: {
      total: progress.tasks.total,
      done: progress.tasks.done,
      percent: Math.min(100, Math.max(0, progress.tasks.percent)),
      byPhase: { ...progress.tasks.byPhase },
    },
    tasks,
    branches: facts.git.branches.map((b) => ({
      branch: b.branch,
      ahead: count(b.ahead),
      behind: count(b.behind),
      insertions: count(b.insertions),
      deletions: count(b.deletions),
      ...(b.lastCommitAt ? { lastCommitAt: b.lastCommitAt } : {}),
    })),
    plans: facts.plans.map((p) => ({
      planId: p.planId,
      thread: p.thread,
      status: p.status,
      nodes: count(p.nodes),
      doneNodes: count(p.doneNodes),
      failedNodes: p.failedNodes.length,
      waitingNodes: p.waitingNodes.length,
    })),
    sinceLast: {
      ...(review.sinceLast.previousAt ? { previousAt: review.sinceLast.previousAt } : {}),
      newlyDone: review.sinceLast.newlyDone,
      phaseChanges: review.sinceLast.phaseChanges,
      newCommits: review.sinceLast.newCommits,
      newBottlenecks: review.sinceLast.newBottlenecks,
      resolvedBottlenecks: review.sinceLast.resolvedBottlenecks,
      approvalsAnswered: count(review.sinceLast.approvalsAnswered),
    },
    bottlenecks: review.bottlenecks.map((b) => ({
      kind: b.kind,
      key: b.key,
      summary: b.summary,
      weight: b.weight,
      ...(b.task ? { task: b.task } : {}),
      ...(b.pane ? { pane: b.pane } : {}),
      ...(b.approvalId ? { approvalId: b.approvalId } : {}),
      ...(b.plan ? { plan: b.plan } : {}),
      ...(b.holds && b.holds.length > 0 ? { holds: b.holds } : {}),
      ...(b.seconds !== undefined && Number.isFinite(b.seconds) ? { seconds: Math.max(0, b.seconds) } : {}),
    })),
    forecast: {
      enoughHistory: forecast.enoughHistory,
      completions: count(forecast.completions),
      remaining: count(forecast.remaining),
      ...(forecast.tasksPerDay !== undefined ? { tasksPerDay: Math.max(0, forecast.tasksPerDay) } : {}),
      ...(forecast.intervalSeconds ? { intervalSeconds: forecast.intervalSeconds } : {}),
      ...(forecast.overall ? { overall: forecast.overall } : {}),
      note: forecast.note,
    },
    recommendations: review.recommendations.map((r, i) => ({
      // The model's ranks are checked by the core, but a rank of 0 would fail the protocol: fall back to order.
      rank: r.rank > 0 ? r.rank : i + 1,
      action: r.action,
      title: r.title,
      reason: r.reason,
      command: r.command,
      ...(r.pane ? { pane: r.pane } : {}),
      ...(r.task ? { task: r.task } : {}),
      ...(r.approvalId ? { approvalId: r.approvalId } : {}),
    })),
    problems: facts.problems,
  };
}

/** The remembered review (`last.json`) as the dashboard's summary of it. */
export function reviewSummary(last: LastReview): ReviewSummaryView {
  return { at: last.at, headline: last.headline, done: last.done, total: last.total };
}

/**
 * What the dashboard shows when it opens, from what the state folder remembers (never a new run): the full
 * review the dashboard last made, and the newest review's summary when one was made since (the palette or
 * `fleet review` remember only that) or when there is no full one.
 */
export function restoredReviewState(
  last: LastReview | undefined,
  full: ReviewView | undefined,
): DashboardReviewState {
  const summary = last && last.at !== full?.generatedAt ? reviewSummary(last) : undefined;
  // The remembered summary is older than the dashboard's own review (a `--no-save` run is never remembered).
  if (full && summary && Date.parse(summary.at) < Date.parse(full.generatedAt))
    return { state: 'ready', review: full };
  return {
    state: full ? 'ready' : 'none',
    ...(full ? { review: full } : {}),
    ...(summary ? { last: summary } : {}),
  };
}
