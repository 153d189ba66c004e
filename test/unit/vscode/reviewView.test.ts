import { describe, expect, it } from 'vitest';
import { runReview, type LastReview } from '../../../extension/core/review';
import { DashboardReviewState, ReviewView } from '../../../extension/protocol/messages';
import { restoredReviewState, reviewSummary, reviewView } from '../../../extension/vscode/reviewView';
import { useTempDirs } from '../helpers';
import { seedWorkspace } from '../review/seedWorkspace';

// What the dashboard gets of a real review: the seeded workspace of the review's own tests (tasks, a log
// history, approvals, plan runs and a git repository with branches), rules only.
const tempDir = useTempDirs();
const NOW = new Date('2026-11-20T12:00:00.000Z');

describe('reviewView: a review as the dashboard shows it', () => {
  it('keeps progress per task, branch and plan, bottlenecks, the forecast range and ranked steps, and fits the protocol', async () => {
    const { dir, pendingApprovalId } = await seedWorkspace(tempDir(), NOW);
    const review = await runReview({ workspace: dir, now: NOW, model: false, saveBaseline: false });
    const view = reviewView(review, { testsRun: false });

    // The protocol's own schema accepts it (the host's endpoint checks every snapshot the same way).
    expect(ReviewView.parse(view)).toEqual(view);
    expect(view.generatedAt).toBe(NOW.toISOString());
    expect(view.headline).toBe(review.headline);
    expect(view.source).toEqual({ kind: 'rules' });
    expect(view.progress).toMatchObject({ total: 8, done: 3 });
    expect(view.tasks.map((t) => t.id)).toEqual(review.facts.tasks.map((t) => t.id));
    const api = view.tasks.find((t) => t.id === 'api');
    expect(api).toMatchObject({
      phase: 'EXECUTING',
      pane: 'api',
      paneState: 'awaiting_approval',
      branch: 'feature/api',
    });
    const apiBranch = review.facts.git.branches.find((b) => b.branch === 'feature/api');
    expect(apiBranch?.ahead).toBeGreaterThan(0);
    expect(api).toMatchObject({
      ahead: apiBranch?.ahead,
      insertions: apiBranch?.insertions,
      deletions: apiBranch?.deletions,
    });
    // Unfinished tasks carry their place in the remaining work and, with enough history, a range.
    expect(review.forecast.enoughHistory).toBe(true);
    expect(view.forecast.overall).toEqual(review.forecast.overall);
    const expected = view.tasks.filter((t) => t.expected);
    expect(expected.length).toBe(review.forecast.tasks.filter((t) => t.range).length);
    expect(expected.length).toBeGreaterThan(0);
    for (const t of expected) {
      const range = t.expected!;
      expect(Date.parse(range.earliest)).toBeLessThanOrEqual(Date.parse(range.expected));
      expect(Date.parse(range.expected)).toBeLessThanOrEqual(Date.parse(range.latest));
    }
    expect(view.branches.map((b) => b.branch)).toEqual(review.facts.git.branches.map((b) => b.branch));
    expect(view.plans.length).toBe(review.facts.plans.length);

    // Bottlenecks keep their kind, subject, why and how long; the approval the seed left waiting is one.
    expect(view.bottlenecks.map((b) => b.key)).toEqual(review.bottlenecks.map((b) => b.key));
    const approval = view.bottlenecks.find((b) => b.kind === 'approval_wait');
    expect(approval).toMatchObject({ approvalId: pendingApprovalId, pane: 'api' });
    expect(approval?.seconds).toBeGreaterThan(0);
    expect(approval?.summary).toContain(pendingApprovalId);

    // Ranked steps with their commands, in the review's order.
    expect(view.recommendations.map((r) => r.rank)).toEqual(view.recommendations.map((_, i) => i + 1));
    const answer = view.recommendations.find((r) => r.action === 'answer_approval');
    expect(answer?.command).toBe(`fleet approvals:approve ${pendingApprovalId}`);
    expect(view.testsRun).toBe(false);
  });

  it('keeps the model as the source, with its note', async () => {
    const { dir } = await seedWorkspace(tempDir(), NOW);
    const review = await runReview({ workspace: dir, now: NOW, model: false, saveBaseline: false });
    const view = reviewView(
      {
        ...review,
        source: { kind: 'rules', model: 'gpt-x', note: 'The model could not be used (timeout).' },
      },
      { testsRun: true },
    );
    expect(view.source).toEqual({
      kind: 'rules',
      model: 'gpt-x',
      note: 'The model could not be used (timeout).',
    });
    expect(view.testsRun).toBe(true);
  });
});

const last = (at: string): LastReview => ({
  version: 1,
  at,
  headline: `review of ${at}`,
  tasks: {},
  branches: {},
  bottlenecks: [],
  approvalsAnswered: 0,
  done: 1,
  total: 4,
});

describe('restoredReviewState: what the dashboard shows when it opens', () => {
  const full = (generatedAt: string): ReviewView =>
    ({ generatedAt, headline: `full ${generatedAt}` }) as unknown as ReviewView;

  it('shows nothing when nothing is remembered', () => {
    expect(restoredReviewState(undefined, undefined)).toEqual({ state: 'none' });
  });

  it('shows the summary of a review made elsewhere (palette, fleet review) when there is no full one', () => {
    const state = restoredReviewState(last('2026-11-20T10:00:00.000Z'), undefined);
    expect(state).toEqual({ state: 'none', last: reviewSummary(last('2026-11-20T10:00:00.000Z')) });
    expect(DashboardReviewState.parse(state)).toEqual(state);
  });

  it("shows the dashboard's own full review when it is the remembered one", () => {
    const view = full('2026-11-20T10:00:00.000Z');
    expect(restoredReviewState(last('2026-11-20T10:00:00.000Z'), view)).toEqual({
      state: 'ready',
      review: view,
    });
  });

  it('adds the summary of a newer review made elsewhere, and leaves out an older one', () => {
    const view = full('2026-11-20T10:00:00.000Z');
    expect(restoredReviewState(last('2026-11-20T11:00:00.000Z'), view)).toEqual({
      state: 'ready',
      review: view,
      last: reviewSummary(last('2026-11-20T11:00:00.000Z')),
    });
    expect(restoredReviewState(last('2026-11-20T09:00:00.000Z'), view)).toEqual({
      state: 'ready',
      review: view,
    });
  });
});
