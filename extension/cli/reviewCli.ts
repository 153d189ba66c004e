import { Option, type Command } from 'commander';
import * as path from 'node:path';
import { describeError, isFleetError } from '../core/errors';
import type { CliIo } from './io';

interface ReviewCliOptions {
  workspace: string;
  json?: boolean;
  markdown?: boolean;
  runTests?: boolean;
  model: boolean;
  save: boolean;
  lang?: 'en' | 'zh-cn';
}

/**
 * `fleet review`: the project review of a workspace (progress, bottlenecks, forecast, next steps with their
 * commands). Text for a terminal, `--markdown` for a report, `--json` for machines. The model of the workspace
 * config ranks the next steps when one is configured; `--no-model` keeps to the rules. Each review is
 * remembered (`.fleetai/state/review/last.json`) so the next one says what changed; `--no-save` leaves it.
 */
export function registerReviewCommand(program: Command, io: CliIo): void {
  program
    .command('review')
    .description(
      'review the project: progress per task, branch and plan, bottlenecks, a forecast with its range, and ' +
        'ranked next steps with the command for each',
    )
    .option('-w, --workspace <dir>', 'workspace to review', process.cwd())
    .addOption(new Option('--json', 'print the review as one JSON object').conflicts('markdown'))
    .option('--markdown', 'print the review as Markdown')
    .option(
      '--run-tests',
      "run the configured test commands (tasks' acceptance.command, review.test_command)",
    )
    .option('--no-model', 'recommend by the rules only, even when a model is configured')
    .option('--no-save', 'do not remember this review as the baseline for the next one')
    .addOption(
      new Option('--lang <lang>', 'language of the headings (default: FLEETAI_LANG or the locale)').choices([
        'en',
        'zh-cn',
      ]),
    )
    .action(async (opts: ReviewCliOptions) => {
      const { runReview, renderMarkdown, renderText, reviewLangFromEnv } = await import('../core/review');
      try {
        const review = await runReview({
          workspace: path.resolve(opts.workspace),
          ...(opts.runTests ? { runTests: true } : {}),
          ...(opts.model ? {} : { model: false }),
          saveBaseline: opts.save,
        });
        const lang = opts.lang ?? reviewLangFromEnv();
        if (opts.json) io.out(`${JSON.stringify(review, null, 2)}\n`);
        else if (opts.markdown) io.out(renderMarkdown(review, lang));
        else io.out(renderText(review, lang));
      } catch (error) {
        process.exitCode = 1;
        const code = isFleetError(error) ? `${error.code}: ` : '';
        io.err(`fleet review: ${code}${describeError(error)}\n`);
      }
    });
}
