import type { Command } from 'commander';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describeError } from '../core/errors';
import type { DryRunReport, DryRunStatus } from '../core/plans/connectivity';
import type { PlanLocale } from '../core/plans/planMessages';
import type { PlanValidation } from '../core/plans/validatePlan';
import type { ExecutorEvent, RunResult } from '../core/plans/executor';
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
        'server aliases; with --check-mcp-tools the MCP servers are started or connected to and the tools looked ' +
        'up (registry agents are reported as not checked)',
    )
    .argument('<file>', 'the plan, e.g. config/plans/example.plan.json')
    .option('-w, --workspace <dir>', 'workspace the plan would run in', process.cwd())
    .option('--check-mcp-tools', 'start or connect to the MCP servers the plan names and look its tools up')
    .option('--json', 'print the result as one JSON object')
    .action(async (file: string, opts: { workspace: string; json?: boolean; checkMcpTools?: boolean }) => {
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
              shippedMcpConfig: path.join(path.dirname(builtinProfilesDir()), 'config', 'mcp.servers.json'),
              locale,
              ...(opts.checkMcpTools ? { connectMcp: true } : {}),
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

  registerRunCommands(program, io);
}

/** Exit code of `run:auto --no-wait` when the run stopped at an approval (0 done, 1 failed or refused). */
export const EXIT_WAITING_APPROVAL = 2;

/**
 * `fleet run:auto FILE`, `fleet plan:status [RUN]` and `fleet plan:rollback ID VERSION`: the executor from the
 * command line. run:auto validates the plan (refused with its problems, exit 1), saves it as a plan version,
 * runs it with JSON checkpoints and prints one line per node state change. By default it waits for approval
 * decisions (made with `fleet approvals:approve ID`, in VS Code, ...) and finishes the run; with --no-wait it
 * returns at the first approval with exit code 2, and `--resume THREAD` continues that run later.
 */
function registerRunCommands(program: Command, io: CliIo): void {
  program
    .command('run:auto')
    .description(
      'validate a plan, save it as a new version and run it: to the end, or (with --no-wait) to the first ' +
        'approval; prints each node state change; exit 0 done, 1 failed or refused, 2 waiting for an approval',
    )
    .argument('<file>', 'the plan, e.g. config/plans/auto.plan.json')
    .option('-w, --workspace <dir>', 'workspace the plan runs in', process.cwd())
    .option('--no-wait', 'return when the run waits for an approval instead of waiting for the decision')
    .option('--resume <thread>', 'continue this run (thread id) from its last checkpoint')
    .option('--memory', 'keep checkpoints in memory only (a crash loses the run)')
    .action(
      async (
        file: string,
        opts: { workspace: string; wait: boolean; resume?: string; memory?: boolean },
      ): Promise<void> => {
        const plans = await import('../core/plans');
        const executor = await import('../core/plans/executor');
        const { workspacePaths } = await import('../core/workspacePaths');
        const { ApprovalStore } = await import('../core/approvals');
        const locale = plans.planLocaleFromEnv();
        const zh = locale === 'zh-cn';
        const { validation } = await readAndValidate(file, locale);
        if (!validation.ok || !validation.plan) {
          printProblems(io, file, validation, locale, plans.formatPlanProblem);
          io.out(`${validationSummary(file, validation, locale)}\n`);
          process.exitCode = 1;
          return;
        }
        const workspace = path.resolve(opts.workspace);
        const paths = workspacePaths(workspace);
        await fs.mkdir(paths.approvalsDir, { recursive: true });
        const saved = await new plans.PlanStore({ stateDir: paths.stateDir }).save(validation.plan, {
          note: `run:auto ${file}`,
        });
        const approvals = ApprovalStore.forWorkspace(paths);
        const thread = opts.resume ?? executor.newThreadId(validation.plan.id);
        // Agent nodes (panes this run starts, ended below whatever the outcome; the agent registry) and MCP tools
        // (the bridge connects to a server only when a node calls one of its tools).
        const { openPlanPorts } = await import('../core/plans/planPorts');
        const { createAppLog } = await import('../core/observability/appLog');
        const { builtinProfilesDir } = await import('./resolveAgent');
        const log = createAppLog({ file: paths.appLog });
        const ports = await openPlanPorts({
          workspace,
          paths,
          builtinProfilesDir: builtinProfilesDir(),
          log,
          approvals,
        });
        io.out(
          zh
            ? `运行计划 "${validation.plan.id}"（版本 v${saved.version}），运行 ${thread}\n`
            : `running plan "${validation.plan.id}" (v${saved.version}) as ${thread}\n`,
        );
        let result: RunResult;
        try {
          result = await executor.runPlan({
            plan: validation.plan,
            workspace,
            stateDir: paths.stateDir,
            thread,
            planVersion: saved.version,
            approvals,
            agents: ports.agents,
            mcp: ports.mcp,
            log,
            wait: opts.wait,
            checkpointer: opts.memory ? 'memory' : 'json',
            onEvent: (event) => io.out(`${formatEvent(event, zh)}\n`),
          });
        } finally {
          await ports.close();
          await log.close();
        }
        io.out(`${runSummary(result, zh)}\n`);
        process.exitCode =
          result.status === 'done' ? 0 : result.status === 'waiting_approval' ? EXIT_WAITING_APPROVAL : 1;
      },
    );

  program
    .command('plan:resume')
    .description(
      'resume the plan runs whose approvals are all answered and that no process runs (left by run:auto ' +
        '--no-wait, a closed terminal); each goes on until it ends or waits for another approval',
    )
    .argument('[runs...]', 'runs (thread ids) to resume; all such runs of the workspace by default')
    .option('-w, --workspace <dir>', 'workspace of the runs', process.cwd())
    .action(async (runs: string[], opts: { workspace: string }) => {
      const { resumeDecidedRuns } = await import('../core/plans/executor/resumeRuns');
      const { openPlanPorts } = await import('../core/plans/planPorts');
      const { workspacePaths } = await import('../core/workspacePaths');
      const { ApprovalStore } = await import('../core/approvals');
      const { createAppLog } = await import('../core/observability/appLog');
      const { builtinProfilesDir } = await import('./resolveAgent');
      const zh = (await import('../core/plans')).planLocaleFromEnv() === 'zh-cn';
      const workspace = path.resolve(opts.workspace);
      const paths = workspacePaths(workspace);
      const approvals = ApprovalStore.forWorkspace(paths);
      const log = createAppLog({ file: paths.appLog });
      try {
        const results = await resumeDecidedRuns({
          workspace,
          stateDir: paths.stateDir,
          approvals,
          log,
          ...(runs.length > 0 ? { threads: runs } : {}),
          ports: () =>
            openPlanPorts({ workspace, paths, builtinProfilesDir: builtinProfilesDir(), log, approvals }),
        });
        if (results.length === 0)
          io.out(zh ? '没有可以继续的运行\n' : 'no run to resume (none decided and left without a runner)\n');
        for (const result of results) io.out(`${runSummary(result, zh)}\n`);
        // A paused run has not finished either: a script should not read it as done.
        process.exitCode = results.some((result) => result.status === 'failed' || result.status === 'paused')
          ? 1
          : 0;
      } finally {
        await log.close();
      }
    });

  program
    .command('plan:status')
    .description('show the plan runs of the workspace (newest first), or one run node by node')
    .argument('[run]', 'a run (thread id) to show in detail')
    .option('-w, --workspace <dir>', 'workspace of the runs', process.cwd())
    .option('--json', 'print JSON')
    .action(async (run: string | undefined, opts: { workspace: string; json?: boolean }) => {
      const { listRuns } = await import('../core/plans/executor/runRecord');
      const { workspacePaths } = await import('../core/workspacePaths');
      const zh = (await import('../core/plans')).planLocaleFromEnv() === 'zh-cn';
      const runs = await listRuns(workspacePaths(path.resolve(opts.workspace)).stateDir);
      const chosen = run === undefined ? runs : runs.filter((each) => each.thread === run);
      if (run !== undefined && chosen.length === 0) {
        io.err(zh ? `没有运行 ${run}\n` : `no run ${run}\n`);
        process.exitCode = 1;
        return;
      }
      if (opts.json) {
        io.out(`${JSON.stringify(run === undefined ? chosen : chosen[0], null, 2)}\n`);
        return;
      }
      if (chosen.length === 0) io.out(zh ? '没有计划运行\n' : 'no plan runs\n');
      for (const each of chosen) {
        const waits = each.waits.map((wait) => `${wait.node} (approval ${wait.requestId})`).join(', ');
        io.out(
          `${each.thread}  ${each.status}  v${each.planVersion ?? '?'}  ${each.started}` +
            `${waits ? `  ${zh ? '等待' : 'waiting for'}: ${waits}` : ''}\n`,
        );
        if (run === undefined) continue;
        for (const [node, state] of Object.entries(each.nodes)) {
          const detail = [
            state.attempts !== undefined ? `attempts ${state.attempts}` : '',
            state.error ?? '',
          ].filter(Boolean);
          io.out(`  ${node.padEnd(24)} ${state.status}${detail.length ? `  ${detail.join('  ')}` : ''}\n`);
        }
        for (const marked of each.markedForHuman) {
          io.out(`  ${zh ? '需要人工处理' : 'needs a person'}: ${marked.node}: ${marked.error}\n`);
        }
      }
    });

  program
    .command('plan:rollback')
    .description(
      'make an earlier version of a plan the newest again (saved as a new version; nothing is lost)',
    )
    .argument('<id>', 'plan id')
    .argument('<version>', 'version number to restore')
    .option('-w, --workspace <dir>', 'workspace of the plan', process.cwd())
    .action(async (id: string, version: string, opts: { workspace: string }) => {
      const plans = await import('../core/plans');
      const { workspacePaths } = await import('../core/workspacePaths');
      const zh = plans.planLocaleFromEnv() === 'zh-cn';
      const n = Number(version);
      if (!Number.isInteger(n) || n <= 0) {
        io.err(
          zh ? `版本必须是正整数：${version}\n` : `version must be a positive whole number: ${version}\n`,
        );
        process.exitCode = 1;
        return;
      }
      try {
        const store = new plans.PlanStore({
          stateDir: workspacePaths(path.resolve(opts.workspace)).stateDir,
        });
        const saved = await store.restore(id, n);
        io.out(
          saved.created
            ? zh
              ? `计划 "${id}" 已回滚到 v${n}（保存为 v${saved.version}）\n`
              : `plan "${id}" rolled back to v${n} (saved as v${saved.version})\n`
            : zh
              ? `计划 "${id}" 的最新版本已是 v${n}\n`
              : `plan "${id}" is already at v${n}\n`,
        );
      } catch (error) {
        io.err(`${describeError(error)}\n`);
        process.exitCode = 1;
      }
    });
}

function formatEvent(event: ExecutorEvent, zh: boolean): string {
  const time = new Date().toISOString().slice(11, 19);
  const extra = [
    event.attempt !== undefined ? (zh ? `第 ${event.attempt} 次尝试` : `attempt ${event.attempt}`) : '',
    event.requestId ? (zh ? `审批 ${event.requestId}` : `approval ${event.requestId}`) : '',
    event.error ?? '',
  ].filter(Boolean);
  return `${time}  ${event.node.padEnd(24)} ${event.status}${extra.length ? `  ${extra.join('  ')}` : ''}`;
}

function runSummary(result: RunResult, zh: boolean): string {
  switch (result.status) {
    case 'done':
      return zh ? `运行 ${result.thread} 已完成` : `run ${result.thread} done`;
    case 'failed':
      return zh ? `运行 ${result.thread} 失败` : `run ${result.thread} failed`;
    case 'waiting_approval': {
      const ids = result.waits.map((wait) => wait.requestId).join(' ');
      return zh
        ? `运行 ${result.thread} 等待审批：fleet approvals:approve ${ids}，然后 fleet run:auto FILE --resume ${result.thread}`
        : `run ${result.thread} waits for approval: fleet approvals:approve ${ids}, then ` +
            `fleet run:auto FILE --resume ${result.thread}`;
    }
    case 'paused': {
      const file = result.record.paused?.file ?? '.fleetai/state';
      return zh
        ? `运行 ${result.thread} 已暂停：状态不可写（${file}）；可写后运行 fleet plan:resume ${result.thread}`
        : `run ${result.thread} paused: the state cannot be written (${file}); once it can, ` +
            `fleet plan:resume ${result.thread}`;
    }
    default:
      return `run ${result.thread}: ${result.status}`;
  }
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
