import type { Command } from 'commander';
import { ErrorCode, describeError, isFleetError } from '../core/errors';
import type { InitPlan, InitResult, PlannedFile } from '../core/init';
import { askYes, type Say } from './bilingualAction';
import type { CliIo } from './io';

interface InitOptions {
  workspace: string;
  yes?: boolean;
  json?: boolean;
  /** False with --no-gitignore. */
  gitignore: boolean;
  probeTimeout: number;
}

/**
 * `fleet init`: writes `.fleetai/orchestrator.json` and `.fleetai/mcp.servers.json` (with their schemas), offers
 * panes for the agent CLIs found, and proposes the `.gitignore` lines for what FleetAI writes as it runs. New
 * files only: a file that exists stays as it is (what it lacks is reported). `.gitignore` is changed with --yes or
 * after a yes on a terminal.
 */
export function registerInitCommand(program: Command, io: CliIo): void {
  program
    .command('init')
    .description(
      'set up a workspace: .fleetai/orchestrator.json and .fleetai/mcp.servers.json (with $schema), panes ' +
        'offered for the agent CLIs found on PATH (codex, claude, gemini, aider; autostart off), and the ' +
        '.gitignore lines for .fleetai/state/, logs/ and backups/. Never overwrites an existing file',
    )
    .option('-w, --workspace <dir>', 'workspace folder', process.cwd())
    .option('-y, --yes', 'add the .gitignore lines without asking')
    .option('--json', 'print what was done as JSON (never asks)')
    .option('--no-gitignore', 'leave .gitignore alone')
    .option('--probe-timeout <ms>', 'deadline of each `<cli> --version` probe', (v) => Number(v), 8000)
    .action(async (opts: InitOptions) => {
      const { planLocaleFromEnv } = await import('../core/plans/planMessages');
      const zh = planLocaleFromEnv() === 'zh-cn';
      const say: Say = (en, cn) => (zh ? cn : en);
      try {
        await runInit(io, opts, say);
      } catch (error) {
        process.exitCode = 1;
        const fleet = isFleetError(error)
          ? { code: error.code, message: error.message, details: error.details ?? {} }
          : { code: ErrorCode.Internal, message: describeError(error), details: {} };
        if (opts.json) io.out(`${JSON.stringify({ ok: false, error: fleet }, null, 2)}\n`);
        else io.err(`${say('error', '错误')} ${fleet.code}: ${fleet.message}\n`);
      }
    });
}

async function runInit(io: CliIo, opts: InitOptions, say: Say): Promise<void> {
  const [{ planInit, applyInit }, { builtinProfilesDir }] = await Promise.all([
    import('../core/init'),
    import('./resolveAgent'),
  ]);
  const plan = await planInit({
    workspace: opts.workspace,
    builtinProfilesDir: builtinProfilesDir(),
    ...(Number.isFinite(opts.probeTimeout) && opts.probeTimeout > 0 ? { timeoutMs: opts.probeTimeout } : {}),
  });
  const missing = plan.gitignore.missing;
  let gitignore: 'added' | 'declined' | 'skipped' | 'not-asked' | 'complete' = 'complete';
  if (missing.length > 0) {
    if (!opts.gitignore) gitignore = 'skipped';
    else if (opts.yes) gitignore = 'added';
    else if (!opts.json && process.stdin.isTTY && process.stdout.isTTY)
      gitignore = (await askGitignore(io, plan, say)) ? 'added' : 'declined';
    else gitignore = 'not-asked';
  }
  const result = await applyInit(plan, { gitignore: gitignore === 'added' });
  const problems = plan.files.filter((f) => f.problem !== undefined);
  if (problems.length > 0) process.exitCode = 1;
  if (opts.json) {
    io.out(
      `${JSON.stringify(
        {
          ok: problems.length === 0,
          workspace: plan.workspace,
          clis: plan.clis,
          profiles: plan.profiles,
          files: plan.files.map(({ content: _content, before: _before, ...file }) => ({
            ...file,
            action: finalAction(file, result),
          })),
          gitignore: {
            path: plan.gitignore.path,
            proposed: plan.gitignore.proposed,
            missing,
            decision: gitignore,
            added: result.gitignoreAdded,
          },
          written: result.written,
          skipped: result.skipped,
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  io.out(printPlan(plan, result, gitignore, say));
}

/** The file's action after applying: a create that lost a race is reported as kept. */
function finalAction(file: PlannedFile, result: InitResult): string {
  return result.skipped.some((s) => s.path === file.path) ? 'keep' : file.action;
}

async function askGitignore(io: CliIo, plan: InitPlan, say: Say): Promise<boolean> {
  return askYes(
    say(
      `Add to ${plan.gitignore.path}:\n  ${plan.gitignore.missing.join('\n  ')}\n[y/N] `,
      `添加到 ${plan.gitignore.path}：\n  ${plan.gitignore.missing.join('\n  ')}\n[y/N] `,
    ),
    (error) => io.err(`${describeError(error)}\n`),
  );
}

function printPlan(plan: InitPlan, result: InitResult, gitignore: string, say: Say): string {
  const lines: string[] = [say(`FleetAI init: ${plan.workspace}`, `FleetAI 初始化：${plan.workspace}`), ''];
  lines.push(say('Agent CLIs on PATH:', 'PATH 中的 agent CLI：'));
  for (const cli of plan.clis) {
    const status = !cli.found
      ? say('not found', '未找到')
      : `${cli.version ?? say('version unknown', '版本未知')}  ${cli.path ?? ''}${cli.problem ? `  (${cli.problem})` : ''}`;
    lines.push(`  ${cli.name.padEnd(8)}${status}`);
  }
  lines.push('', say('Files:', '文件：'));
  for (const file of plan.files) {
    const action = finalAction(file, result);
    const word =
      action === 'create'
        ? say('created', '已创建')
        : action === 'update'
          ? say('updated', '已更新')
          : action === 'merge'
            ? say('merged', '已合并')
            : action === 'unchanged'
              ? say('unchanged', '未变')
              : say('kept', '保留');
    let line = `  ${word.padEnd(10)}${file.relative}`;
    if (file.role === 'orchestrator') {
      const added = plan.profiles.filter((p) => p.status === 'add').map((p) => p.pane.id);
      if (added.length > 0 && action !== 'keep')
        line += say(
          `  (panes added, autostart off: ${added.join(', ')})`,
          `（已添加 pane，未开启自动启动：${added.join('、')}）`,
        );
    }
    if (action === 'keep' && file.missing.length > 0)
      line += say(
        `  (yours, left as is; it has no ${file.missing.join(', ')})`,
        `（用户文件，保持不变；缺少 ${file.missing.join('、')}）`,
      );
    else if (action === 'keep' && !file.problem)
      line += say('  (yours, left as is)', '（用户文件，保持不变）');
    lines.push(line);
    if (file.problem) lines.push(`      ${say('problem', '问题')}: ${file.problem.split('\n')[0] ?? ''}`);
  }
  const offered = plan.profiles.filter((p) => p.status === 'offered');
  if (offered.length > 0) {
    lines.push(
      '',
      say(
        'Panes offered for CLIs found, not added to your existing config (add them to "panes" if you want them):',
        '为已找到的 CLI 提供的 pane（未加入现有配置，如需请加入 "panes"）：',
      ),
    );
    for (const p of offered) lines.push(`  ${JSON.stringify(p.pane)}`);
  }
  lines.push('', '.gitignore:');
  const missing = plan.gitignore.missing;
  if (gitignore === 'complete')
    lines.push(say('  already ignores', '  已忽略') + ` ${plan.gitignore.proposed.join(' ')}`);
  else if (gitignore === 'added')
    lines.push(`  ${say('added', '已添加')} ${result.gitignoreAdded.join(' ')}`);
  else if (gitignore === 'skipped')
    lines.push(`  ${say('left alone (--no-gitignore)', '未改动（--no-gitignore）')}`);
  else if (gitignore === 'declined') lines.push(`  ${say('left alone (declined)', '未改动（已拒绝）')}`);
  else
    lines.push(
      `  ${say('would add', '将添加')} ${missing.join(' ')}  ${say('(run `fleet init --yes` to add them)', '（运行 `fleet init --yes` 以添加）')}`,
    );
  lines.push(
    '',
    say(
      'Next: set "autostart": true on the panes to start, then `fleet doctor` and `fleet orchestrator` (or FleetAI: Start Orchestrator).',
      '下一步：为要启动的 pane 设置 "autostart": true，然后运行 `fleet doctor` 与 `fleet orchestrator`（或 FleetAI: Start Orchestrator）。',
    ),
    '',
  );
  return lines.join('\n');
}
