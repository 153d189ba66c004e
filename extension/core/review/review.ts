import * as path from 'node:path';
import { loadOrchestratorConfig, type OrchestratorConfig } from '../config/orchestratorConfig';
import { describeError } from '../errors';
import { createMemoryLog, type Logger } from '../observability/appLog';
import { workspacePaths, type WorkspacePaths } from '../workspacePaths';
import { duration, findBottlenecks, measureProgress } from './bottlenecks';
import { forecast } from './forecast';
import { gatherFacts } from './gatherFacts';
import { compareWithLast, readLastReview, snapshotReview, writeLastReview } from './lastReview';
import {
  REVIEW_INSTRUCTIONS,
  checkAnswer,
  createReviewModel,
  recommendationsFromAnswer,
  reviewModelInput,
  type ReviewModelCall,
} from './modelReview';
import { recommendByRules } from './recommend';
import type { Bottleneck, Forecast, Progress, Review } from './types';

export interface ReviewOptions {
  workspace: string;
  paths?: WorkspacePaths;
  /** The workspace config; read from `.fleetai/orchestrator.json` when left out. */
  config?: OrchestratorConfig;
  now?: Date;
  /** Run the configured test commands (`--run-tests`). */
  runTests?: boolean;
  /**
   * The model for the recommendations: a model, `false` for rules only (`--no-model`), or left out for the
   * config's `model` section (none configured: rules).
   */
  model?: ReviewModelCall | false;
  /** Remember this review as the baseline of "since the last review" (default true). */
  saveBaseline?: boolean;
  log?: Logger;
}

/**
 * The project review: gather the facts, measure progress, find the bottlenecks, forecast, compare with the last
 * review and recommend next steps (the model's when configured and valid, else the rules').
 */
export async function runReview(options: ReviewOptions): Promise<Review> {
  const workspace = path.resolve(options.workspace);
  const paths = options.paths ?? workspacePaths(workspace);
  const config = options.config ?? (await loadOrchestratorConfig(paths.orchestratorConfig)).config;
  const now = options.now ?? new Date();
  const log = options.log ?? createMemoryLog();
  const facts = await gatherFacts({
    workspace,
    paths,
    config,
    now,
    ...(options.runTests ? { runTests: true } : {}),
  });
  const progress = measureProgress(facts);
  const bottlenecks = findBottlenecks(facts);
  const expected = forecast(facts);
  const previous = await readLastReview(paths.stateDir).catch((error: unknown) => ({
    problem: `last review: ${describeError(error)}`,
  }));
  if ('problem' in previous && previous.problem) facts.problems.push(previous.problem);
  const sinceLast = compareWithLast('last' in previous ? previous.last : undefined, facts, bottlenecks);
  const rules = recommendByRules(facts, bottlenecks);
  let headline = ruleHeadline(progress, bottlenecks, expected, facts.generatedAt);
  let recommendations = rules;
  let source: Review['source'] = { kind: 'rules' };

  const model = options.model === false ? undefined : (options.model ?? (await modelFromConfig(config, log)));
  if (model) {
    const result = await model.call({
      instructions: REVIEW_INSTRUCTIONS,
      input: reviewModelInput({ facts, progress, bottlenecks, forecast: expected, sinceLast, rules }),
    });
    const problems = result.ok ? checkAnswer(result.value, facts) : [];
    if (result.ok && problems.length === 0) {
      recommendations = recommendationsFromAnswer(result.value);
      headline = result.value.headline;
      source = { kind: 'model', model: model.name };
    } else {
      const why = result.ok ? problems.join('; ') : `${result.error.code}: ${result.error.message}`;
      source = {
        kind: 'rules',
        model: model.name,
        note: `The model's answer could not be used (${why}); these are the rules' recommendations.`,
      };
      log.warn('review', 'review.model_fallback', { model: model.name, reason: why });
    }
  }

  const review: Review = {
    facts,
    progress,
    bottlenecks,
    forecast: expected,
    sinceLast,
    recommendations,
    headline,
    source,
  };
  if (options.saveBaseline !== false) {
    await writeLastReview(paths.stateDir, snapshotReview(facts, progress, bottlenecks, headline)).catch(
      (error: unknown) => facts.problems.push(`could not save the review baseline: ${describeError(error)}`),
    );
  }
  return review;
}

/** The config's model (the key from the variable its `api_key_env` names), or none. */
async function modelFromConfig(
  config: OrchestratorConfig,
  log: Logger,
): Promise<ReviewModelCall | undefined> {
  const { modelSettingsFromConfig } = await import('../decisions/modelSettings');
  const settings = await modelSettingsFromConfig(config.model);
  return settings ? createReviewModel(settings, { log }) : undefined;
}

/** "3 of 7 tasks done (43%); worst now: approval a1 on pane api has waited 42 min; all done around ..." */
export function ruleHeadline(
  progress: Progress,
  bottlenecks: readonly Bottleneck[],
  expected: Forecast,
  now: string,
): string {
  const { total, done, percent } = progress.tasks;
  const parts: string[] = [];
  if (total === 0) parts.push('No tasks are configured');
  else if (done === total) parts.push(`All ${total} tasks are done`);
  else parts.push(`${done} of ${total} tasks done (${percent}%)`);
  const worst = bottlenecks[0];
  if (worst)
    parts.push(
      `${bottlenecks.length} bottleneck${bottlenecks.length === 1 ? '' : 's'}, the worst: ${worst.summary}`,
    );
  else if (done < total) parts.push('nothing is stuck');
  if (expected.overall) {
    // The pace says nothing about when a person answers: the date holds only if the approval is answered now.
    const held = worst?.kind === 'approval_wait' ? 'if it is answered now, ' : '';
    parts.push(`${held}the rest is expected ${relativeRange(expected.overall, now)}`);
  } else if (done < total && !expected.enoughHistory) parts.push('not enough history for a forecast yet');
  return `${parts.join('; ')}.`;
}

/** "in about 7.5 days (5 to 10 days), around Nov 28 00:00 UTC": how long from now, then when. */
export function relativeRange(
  range: { expected: string; earliest: string; latest: string },
  now: string,
): string {
  const from = Date.parse(now);
  const span = (iso: string): string => duration(Math.max(0, (Date.parse(iso) - from) / 1000));
  return `in about ${span(range.expected)} (${span(range.earliest)} to ${span(range.latest)}), around ${day(range.expected)}`;
}

/** "Nov 24 14:00" in UTC: short, and the same wherever the review is read. */
export function day(iso: string): string {
  const d = new Date(iso);
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${month} ${d.getUTCDate()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

export { duration };
