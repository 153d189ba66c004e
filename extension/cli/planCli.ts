import type { Command } from 'commander';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describeError } from '../core/errors';
import type { DryRunReport, DryRunStatus } from '../core/plans/connectivity';
import type { PlanLocale } from '../core/plans/planMessages';
import type { PlanValidation } from '../core/plans/validatePlan';
import type { CliIo } from './io';

/**
 * `fleet plan:validate FILE` and `fleet plan:dry-run FILE`. Both print one line per problem, in node order,
 * as `FILE:LINE:COL: nodes[3] (id "test"): retries: ...` (editors and terminals open that place), then a
 * summary; `--json` prints one object instead. Exit code 1 when the plan is refused. Messages follow
 * FLEETAI_LOCALE, else LC_ALL / LC_MESSAGES / LANG (English or Simplified Chinese). The plans core is loaded
 * when a command runs, so `fleet --help` stays fast.
 */
export function registerPlanCommands(program: Command, io: CliIo): void {
  program
    .command('plan:validate')
    .description(
      'check a plan file without running anything: its structure (the Plan Schema), references between nodes, ' +
        'cycles outside loop nodes and nodes that never run; every problem names the node and the field',
    )
    .argument('<file>', 'the plan, e.g. config/plans/example.plan.json')
    .option('--json', 'print the result as one JSON object')
    .action(async (file: string, opts: { json?: boolean }) => {
      const plans = await import('../core/plans');
      const locale = plans.planLocaleFromEnv();
      const { validation } = await readAndValidate(file, locale);
      if (opts.json) io.out(`${JSON.stringify({ file, ...validation }, null, 2)}\n`);
      else {
        printProblems(io, file, validation, locale, plans.formatPlanProblem);
        io.out(`${validationSummary(file, validation, locale)}\n`);
      }
      if (!validation.ok) process.exitCode = 1;
    });

  program
    .command('plan:dry-run')
    .description(
      'validate a plan, then check what each node needs on this machine without running anything: programs ' +
        'on PATH, URLs, environment variables named for headers, agent profiles and their programs, panes, MCP ' +
        'server aliases (MCP tool names and registry agents are reported as not checked)',
    )
    .argument('<file>', 'the plan, e.g. config/plans/example.plan.json')
    .option('-w, --workspace <dir>', 'workspace the plan would run in', process.cwd())
    .option('--json', 'print the result as one JSON object')
    .action(async (file: string, opts: { workspace: string; json?: boolean }) => {
      const plans = await import('../core/plans');
      const { builtinProfilesDir } = await import('./resolveAgent');
      const locale = plans.planLocaleFromEnv();
      const workspace = path.resolve(opts.workspace);
      const { validation, text } = await readAndValidate(file, locale);
      const report =
        validation.ok && validation.plan
          ? await plans.dryRunPlan(validation.plan, {
              workspace,
              builtinProfilesDir: builtinProfilesDir(),
              locale,
            })
          : undefined;
      if (opts.json) {
        io.out(`${JSON.stringify({ file, workspace, validation, dryRun: report ?? null }, null, 2)}\n`);
      } else {
        printProblems(io, file, validation, locale, plans.formatPlanProblem);
        if (!report) io.out(`${validationSummary(file, validation, locale)}\n`);
        else {
          const places = plans.locatePaths(
            text,
            report.checks.map((check) => check.path),
          );
          const labels = STATUS_LABELS[locale];
          const width = Math.max(...Object.values(labels).map((label) => label.length));
          for (const [i, check] of report.checks.entries()) {
            const at = places[i];
            const where = `${file}${at ? `:${at.line}:${at.column}` : ''}`;
            io.out(
              `${labels[check.status].padEnd(width)}  ${where}: ${plans.problemSubject(check)}: ${check.message}\n`,
            );
          }
          io.out(`${dryRunSummary(file, report, locale)}\n`);
        }
      }
      if (!report?.ok) process.exitCode = 1;
    });
}

const STATUS_LABELS: Record<PlanLocale, Record<DryRunStatus, string>> = {
  en: { ok: 'ok', warning: 'warning', error: 'ERROR', not_checked: 'not checked' },
  'zh-cn': { ok: '通过', warning: '警告', error: '错误', not_checked: '未检查' },
};

async function readAndValidate(
  file: string,
  locale: PlanLocale,
): Promise<{ validation: PlanValidation; text: string }> {
  const { validatePlanText } = await import('../core/plans/planFile');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : describeError(error);
    const message = locale === 'zh-cn' ? `无法读取文件（${reason}）` : `cannot read the file (${reason})`;
    const validation: PlanValidation = {
      ok: false,
      problems: [{ severity: 'error', code: 'file', path: [], message }],
      errors: 1,
      warnings: 0,
    };
    return { validation, text: '' };
  }
  return { validation: validatePlanText(text, { locale }), text };
}

function printProblems(
  io: CliIo,
  file: string,
  validation: PlanValidation,
  locale: PlanLocale,
  format: (problem: PlanValidation['problems'][number], file: string, locale: PlanLocale) => string,
): void {
  for (const problem of validation.problems) io.out(`${format(problem, file, locale)}\n`);
}

function validationSummary(file: string, validation: PlanValidation, locale: PlanLocale): string {
  const { errors, warnings, plan } = validation;
  const zh = locale === 'zh-cn';
  if (validation.ok && plan) {
    const n = plan.nodes.length;
    return zh
      ? `${file}: 计划 "${plan.id}" 有效（${n} 个节点${warnings > 0 ? `，${warnings} 个警告` : ''}）`
      : `${file}: plan "${plan.id}" is valid (${n} node${s(n)}${warnings > 0 ? `, ${warnings} warning${s(warnings)}` : ''})`;
  }
  const nodes = new Set(
    validation.problems
      .filter((p) => p.severity === 'error' && p.nodeIndex !== undefined)
      .map((p) => p.nodeIndex),
  ).size;
  return zh
    ? `${file}: 不是有效的计划：${errors} 个错误${nodes > 0 ? `，涉及 ${nodes} 个节点` : ''}${warnings > 0 ? `，${warnings} 个警告` : ''}`
    : `${file}: not a valid plan: ${errors} error${s(errors)}${nodes > 0 ? ` in ${nodes} node${s(nodes)}` : ''}` +
        `${warnings > 0 ? `, ${warnings} warning${s(warnings)}` : ''}`;
}

function dryRunSummary(file: string, report: DryRunReport, locale: PlanLocale): string {
  const { ok, warning, error, not_checked } = report.counts;
  return locale === 'zh-cn'
    ? `${file}: 试运行${report.ok ? '通过' : '未通过'}（未执行任何操作）：${error} 个错误，${warning} 个警告，` +
        `${not_checked} 项未检查，${ok} 项通过`
    : `${file}: dry run ${report.ok ? 'passed' : 'failed'} (nothing was run): ${error} error${s(error)}, ` +
        `${warning} warning${s(warning)}, ${not_checked} not checked, ${ok} ok`;
}

function s(n: number): string {
  return n === 1 ? '' : 's';
}
