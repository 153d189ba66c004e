import * as path from 'node:path';
import * as vscode from 'vscode';
import { ErrorCode, describeError, isFleetError } from '../core/errors';
import type { Logger } from '../core/observability/appLog';
import type { Review } from '../core/review';
import { workspacePaths } from '../core/workspacePaths';
import type { DashboardReviewState, ReviewView } from '../protocol/messages';
import { DASHBOARD_REVIEW_COMMAND } from './reviewCommand';
import { restoredReviewState, reviewView } from './reviewView';

/** The dashboard's own copy of its last review in full, beside the core's `last.json` baseline. */
export const DASHBOARD_REVIEW_FILE = 'dashboard.json';

export interface ReviewDashboardOptions {
  folder: string | undefined;
  log: Logger;
  /** Makes the review; by default the palette command's (`windowReview` through its internal command). */
  run?: (options: { runTests: boolean }) => Promise<Review>;
}

/**
 * The host side of the dashboard's review section: its state (none, running, ready, failed), the review made
 * on request by the same code as FleetAI: Review Project, and on opening the last one the state folder
 * remembers (read, never re-run). One run at a time: a second request joins the running one.
 */
export class ReviewDashboard implements vscode.Disposable {
  private current: DashboardReviewState = { state: 'none' };
  private running: Promise<DashboardReviewState> | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when the state changes: the host pushes a new dashboard snapshot. */
  readonly onDidChange = this.changed.event;

  constructor(private readonly options: ReviewDashboardOptions) {}

  state(): DashboardReviewState {
    return this.current;
  }

  /**
   * Reads the remembered review each time the dashboard opens (two small files), so a review made meanwhile by
   * the palette or `fleet review` shows too. Never runs one.
   */
  async loadLast(): Promise<void> {
    try {
      await this.readLast();
    } catch (error) {
      // A state folder that cannot be read leaves the section as it was: "Run review" still works.
      this.options.log.warn('review', 'review.dashboard.load_failed', { error: describeError(error) });
    }
  }

  run(runTests: boolean): Promise<DashboardReviewState> {
    this.running ??= this.runOnce(runTests).finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async runOnce(runTests: boolean): Promise<DashboardReviewState> {
    const before = this.current;
    this.set({
      state: 'running',
      startedAt: new Date().toISOString(),
      runTests,
      ...(before.review ? { review: before.review } : {}),
    });
    try {
      const review = await (this.options.run ?? runThroughCommand)({ runTests });
      const view = reviewView(review, { testsRun: runTests });
      await this.remember(view);
      this.options.log.info('review', 'review.dashboard.shown', {
        source: view.source.kind,
        bottlenecks: view.bottlenecks.length,
        recommendations: view.recommendations.length,
        runTests,
      });
      return this.set({ state: 'ready', review: view });
    } catch (error) {
      const code =
        isFleetError(error) || hasCode(error) ? (error as { code: string }).code : ErrorCode.Internal;
      const message = describeError(error);
      this.options.log.warn('review', 'review.dashboard.failed', { code, error: message });
      // The review shown before stays readable under the error.
      return this.set({
        state: 'failed',
        error: { code, message },
        ...(before.review ? { review: before.review } : {}),
      });
    }
  }

  private async readLast(): Promise<void> {
    const { folder } = this.options;
    if (!folder) return;
    const [{ readLastReview }, { readJson }, { ReviewView }] = await Promise.all([
      import('../core/review'),
      import('../core/store/jsonStore'),
      import('../protocol/messages'),
    ]);
    const stateDir = workspacePaths(folder).stateDir;
    const [{ last }, full] = await Promise.all([
      readLastReview(stateDir),
      readJson(dashboardReviewFile(stateDir), ReviewView).catch((error: unknown) => {
        // An unreadable copy is only a cache: the summary of last.json still shows.
        this.options.log.warn('review', 'review.dashboard.copy_unreadable', { error: describeError(error) });
        return undefined;
      }),
    ]);
    // A run going on is newer than anything remembered, and a failure stays on screen until the next run.
    if (this.running || this.current.state === 'running' || this.current.state === 'failed') return;
    // The review in memory wins over an older copy (its save may have failed).
    const mine = this.current.review;
    const newest =
      mine && (!full || Date.parse(mine.generatedAt) > Date.parse(full.generatedAt)) ? mine : full;
    this.set(restoredReviewState(last, newest));
  }

  private async remember(view: ReviewView): Promise<void> {
    const { folder } = this.options;
    if (!folder) return;
    const { writeJsonAtomic } = await import('../core/store/jsonStore');
    await writeJsonAtomic(dashboardReviewFile(workspacePaths(folder).stateDir), view).catch(
      (error: unknown) =>
        this.options.log.warn('review', 'review.dashboard.save_failed', { error: describeError(error) }),
    );
  }

  private set(state: DashboardReviewState): DashboardReviewState {
    this.current = state;
    this.changed.fire();
    return state;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export function dashboardReviewFile(stateDir: string): string {
  return path.join(stateDir, 'review', DASHBOARD_REVIEW_FILE);
}

function hasCode(error: unknown): error is { code: string } {
  return (
    typeof error === 'object' &&
    error !== null &&
    'code' in error &&
    typeof error.code === 'string' &&
    error.code !== ''
  );
}

function runThroughCommand(options: { runTests: boolean }): Promise<Review> {
  return Promise.resolve(vscode.commands.executeCommand<Review>(DASHBOARD_REVIEW_COMMAND, options));
}
