import * as vscode from 'vscode';
import { ErrorCode, FleetError, describeError } from '../core/errors';
import type { Logger } from '../core/observability/appLog';
import type { Review } from '../core/review';
import type { WorkspacePaths } from '../core/workspacePaths';

export interface ReviewCommandDeps {
  folder: string | undefined;
  paths: WorkspacePaths | undefined;
  log: Logger;
  /** The model key from SecretStorage, asked only when the config's api_key_env variable is not set. */
  storedApiKey: () => Promise<string | undefined>;
}

/** What the command returns (the integration tests read it). */
export interface ReviewCommandResult {
  headline: string;
  markdown: string;
  source: 'rules' | 'model';
  recommendations: number;
  bottlenecks: number;
}

/**
 * The command the dashboard's "Run review" reaches (extension/vscode/reviewDashboard.ts): the same review as the
 * palette's, made here because this is where the model key's SecretStorage is at hand. Internal: not in the
 * palette, answers the core's Review object.
 */
export const DASHBOARD_REVIEW_COMMAND = 'fleetai.runReviewForDashboard';

/**
 * FleetAI: Review Project — the review `fleet review --markdown` prints (progress, bottlenecks, forecast, ranked
 * next steps with their commands), in the window's language, opened as a Markdown preview beside the editor.
 */
export function registerReviewCommand(deps: ReviewCommandDeps): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('fleetai.reviewProject', () => reviewProject(deps)),
    vscode.commands.registerCommand(DASHBOARD_REVIEW_COMMAND, (options?: { runTests?: boolean }) =>
      windowReview(deps, { runTests: options?.runTests === true }),
    ),
  );
}

/**
 * The window's review, for the palette and the dashboard alike: the workspace config, its model when one is
 * configured (the key from the variable its `api_key_env` names, else from SecretStorage), else the rules.
 */
export async function windowReview(
  deps: ReviewCommandDeps,
  options: { runTests?: boolean } = {},
): Promise<Review> {
  const { folder, paths } = deps;
  if (!folder || !paths)
    throw new FleetError(ErrorCode.ConfigInvalid, vscode.l10n.t('FleetAI: open a workspace folder first.'));
  const [{ loadOrchestratorConfig }, { modelSettingsFromConfig }, { runReview, createReviewModel }] =
    await Promise.all([
      import('../core/config/orchestratorConfig'),
      import('../core/decisions/modelSettings'),
      import('../core/review'),
    ]);
  const { config } = await loadOrchestratorConfig(paths.orchestratorConfig);
  const stored = process.env[config.model.api_key_env]
    ? undefined
    : await deps.storedApiKey().catch(() => undefined);
  const settings = await modelSettingsFromConfig(config.model, process.env, stored);
  return runReview({
    workspace: folder,
    paths,
    config,
    model: settings ? createReviewModel(settings, { log: deps.log }) : false,
    log: deps.log,
    ...(options.runTests ? { runTests: true } : {}),
  });
}

async function reviewProject(deps: ReviewCommandDeps): Promise<ReviewCommandResult | undefined> {
  const { folder, paths } = deps;
  if (!folder || !paths) {
    void vscode.window.showErrorMessage(vscode.l10n.t('FleetAI: open a workspace folder first.'));
    return undefined;
  }
  try {
    const review = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('FleetAI: reviewing the project…'),
      },
      () => windowReview(deps),
    );
    const { renderMarkdown } = await import('../core/review');
    const markdown = renderMarkdown(
      review,
      vscode.env.language.toLowerCase().startsWith('zh') ? 'zh-cn' : 'en',
    );
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: markdown });
    await vscode.window.showTextDocument(document, { preview: true });
    // The rendered page reads best; the source stays open for copying commands.
    await vscode.commands.executeCommand('markdown.showPreviewToSide', document.uri).then(undefined, () => {
      /* no Markdown preview in this editor: the source is open */
    });
    deps.log.info('review', 'review.shown', {
      source: review.source.kind,
      bottlenecks: review.bottlenecks.length,
      recommendations: review.recommendations.length,
    });
    return {
      headline: review.headline,
      markdown,
      source: review.source.kind,
      recommendations: review.recommendations.length,
      bottlenecks: review.bottlenecks.length,
    };
  } catch (error) {
    deps.log.warn('review', 'review.failed', { error: describeError(error) });
    void vscode.window.showErrorMessage(
      vscode.l10n.t('FleetAI: the review failed: {0}', describeError(error)),
    );
    return undefined;
  }
}
