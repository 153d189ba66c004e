import type { Command } from 'commander';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { workspacePaths } from '../core/workspacePaths';
import { askYes, runBilingual, type Say } from './bilingualAction';
import type { CliIo } from './io';

interface WorkspaceOpts {
  workspace: string;
  json?: boolean;
}

/**
 * `fleet backup` (the state folder into a dated archive, old ones pruned, the week's logs archived),
 * `fleet backup:list` and `fleet restore ARCHIVE` (what would change, then the restore on confirmation: a prompt
 * on a terminal, --yes otherwise). Settings come from the `backup` section of .fleetai/orchestrator.json.
 */
export function registerBackupCommands(program: Command, io: CliIo): void {
  program
    .command('backup')
    .description(
      'pack .fleetai/state into .fleetai/backups/state-YYYYMMDD-HHMMSS.tar.gz, keep the newest per day for ' +
        'backup.keep_daily days, and archive .fleetai/logs once a week',
    )
    .option('-w, --workspace <dir>', 'workspace folder', process.cwd())
    .option('--json', 'print the result as one JSON object')
    .action((opts: WorkspaceOpts) => runBilingual(io, opts.json, (say) => backupCommand(io, opts, say)));

  program
    .command('backup:list')
    .description('list the state and log archives of the backups folder, newest first')
    .option('-w, --workspace <dir>', 'workspace folder', process.cwd())
    .option('--json', 'print JSON')
    .action((opts: WorkspaceOpts) => runBilingual(io, opts.json, (say) => listCommand(io, opts, say)));

  program
    .command('restore')
    .description(
      'restore .fleetai/state from an archive: prints the files it would add, change and remove, then asks ' +
        '(or needs --yes when not on a terminal); the current state is backed up first',
    )
    .argument('<archive>', 'a state archive: a path, or a name in the backups folder')
    .option('-w, --workspace <dir>', 'workspace folder', process.cwd())
    .option('-y, --yes', 'restore without asking')
    .option('--json', 'print the result as one JSON object')
    .action((archive: string, opts: WorkspaceOpts & { yes?: boolean }) =>
      runBilingual(io, opts.json, (say) => restoreCommand(io, archive, opts, say)),
    );
}

async function settingsOf(opts: WorkspaceOpts) {
  const { loadOrchestratorConfig } = await import('../core/config/orchestratorConfig');
  const { backupDirOf } = await import('../core/backup/backupSchedule');
  const workspace = path.resolve(opts.workspace);
  const paths = workspacePaths(workspace);
  const { config } = await loadOrchestratorConfig(paths.orchestratorConfig);
  return { workspace, paths, settings: config.backup, backupDir: backupDirOf(workspace, config.backup) };
}

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
}

async function backupCommand(io: CliIo, opts: WorkspaceOpts, say: Say): Promise<void> {
  const { backupNow } = await import('../core/backup/backupSchedule');
  const { createAppLog } = await import('../core/observability/appLog');
  const { workspace, paths, settings } = await settingsOf(opts);
  const log = createAppLog({ file: paths.appLog, sync: true });
  try {
    const result = await backupNow({ workspace, paths, settings, log });
    if (opts.json) {
      io.out(
        `${JSON.stringify(
          {
            ok: true,
            file: result.created.file,
            bytes: result.created.bytes,
            entries: result.created.entries,
            removed: result.removed,
            logs: result.logs.created
              ? { file: result.logs.created.file, bytes: result.logs.created.bytes }
              : null,
          },
          null,
          2,
        )}\n`,
      );
      return;
    }
    const { file, bytes, entries } = result.created;
    io.out(
      say(
        `backed up ${paths.stateDir} to ${file} (${size(bytes)}, ${entries} entries)\n`,
        `已将 ${paths.stateDir} 备份到 ${file}（${size(bytes)}，${entries} 项）\n`,
      ),
    );
    if (result.logs.created) {
      io.out(
        say(
          `logs of this week archived to ${result.logs.created.file}\n`,
          `本周日志已归档到 ${result.logs.created.file}\n`,
        ),
      );
    }
    for (const old of result.removed) io.out(say(`removed old archive ${old}\n`, `已删除旧归档 ${old}\n`));
  } finally {
    await log.close().catch(() => undefined);
  }
}

async function listCommand(io: CliIo, opts: WorkspaceOpts, say: Say): Promise<void> {
  const { listBackups } = await import('../core/backup/stateBackup');
  const { backupDir } = await settingsOf(opts);
  const backups = await listBackups(backupDir);
  if (opts.json) {
    io.out(`${JSON.stringify({ dir: backupDir, backups }, null, 2)}\n`);
    return;
  }
  if (backups.length === 0) {
    io.out(
      say(
        `no archives in ${backupDir} (fleet backup makes one)\n`,
        `${backupDir} 中没有归档（fleet backup 可创建）\n`,
      ),
    );
    return;
  }
  for (const b of backups) {
    const when = b.createdAt ? new Date(b.createdAt).toLocaleString() : (b.week ?? '');
    io.out(`${b.name}  ${size(b.bytes)}  ${when}\n`);
  }
}

/** An archive named on the command line: a path as given, else a file of that name in the backups folder. */
async function resolveArchive(arg: string, backupDir: string): Promise<string> {
  const direct = path.resolve(arg);
  if (
    await fs.stat(direct).then(
      (s) => s.isFile(),
      () => false,
    )
  )
    return direct;
  const inBackups = path.join(backupDir, arg);
  if (
    !path.isAbsolute(arg) &&
    (await fs.stat(inBackups).then(
      (s) => s.isFile(),
      () => false,
    ))
  )
    return inBackups;
  return direct;
}

async function restoreCommand(
  io: CliIo,
  archiveArg: string,
  opts: WorkspaceOpts & { yes?: boolean },
  say: Say,
): Promise<void> {
  const { planRestore, restoreBackup } = await import('../core/backup/stateBackup');
  const { ErrorCode, FleetError } = await import('../core/errors');
  const { paths, backupDir } = await settingsOf(opts);
  const archive = await resolveArchive(archiveArg, backupDir);
  const plan = await planRestore(archive, paths.stateDir);
  const total = plan.added.length + plan.changed.length + plan.removed.length;
  if (!opts.json) {
    io.out(
      say(
        `restoring ${archive} into ${paths.stateDir} would:\n`,
        `从 ${archive} 恢复到 ${paths.stateDir} 将会：\n`,
      ),
    );
    for (const p of plan.added) io.out(`  + ${p}\n`);
    for (const p of plan.changed) io.out(`  ~ ${p}\n`);
    for (const p of plan.removed) io.out(`  - ${p}\n`);
    io.out(
      say(
        `${plan.added.length} added, ${plan.changed.length} changed, ${plan.removed.length} removed, ${plan.unchanged} unchanged\n`,
        `新增 ${plan.added.length}，修改 ${plan.changed.length}，删除 ${plan.removed.length}，不变 ${plan.unchanged}\n`,
      ),
    );
  }
  if (total === 0) {
    if (opts.json) io.out(`${JSON.stringify({ ok: true, restored: false, plan }, null, 2)}\n`);
    else
      io.out(
        say('the state already matches the archive: nothing to restore\n', '状态已与归档一致：无需恢复\n'),
      );
    return;
  }
  if (!opts.yes) {
    if (!process.stdin.isTTY || opts.json) {
      throw new FleetError(
        ErrorCode.ConfigInvalid,
        say(
          'not a terminal: nothing was restored; run again with --yes to restore',
          '不是终端：未恢复任何内容；加 --yes 再运行以恢复',
        ),
        { archive, plan },
      );
    }
    if (
      !(await askYes(
        say(
          `Restore ${paths.stateDir} from ${archive}? [y/N] `,
          `从 ${archive} 恢复 ${paths.stateDir}？[y/N] `,
        ),
      ))
    ) {
      io.out(say('cancelled: nothing was restored\n', '已取消：未恢复任何内容\n'));
      return;
    }
  }
  const result = await restoreBackup(archive, {
    stateDir: paths.stateDir,
    logsDir: paths.logsDir,
    backupDir,
  });
  // The restore in the app log, with the backup that undoes it.
  const { createAppLog } = await import('../core/observability/appLog');
  const log = createAppLog({ file: paths.appLog, sync: true });
  log.info('backup', 'backup.restored', {
    file: archive,
    before: result.before?.file,
    added: result.plan.added.length,
    changed: result.plan.changed.length,
    removed: result.plan.removed.length,
  });
  await log.close().catch(() => undefined);
  if (opts.json) {
    io.out(
      `${JSON.stringify({ ok: true, restored: true, plan: result.plan, before: result.before?.file ?? null }, null, 2)}\n`,
    );
    return;
  }
  if (result.before) {
    io.out(
      say(
        `the state before the restore is in ${result.before.file}\n`,
        `恢复前的状态已备份到 ${result.before.file}\n`,
      ),
    );
  }
  io.out(say(`restored ${paths.stateDir} from ${archive}\n`, `已从 ${archive} 恢复 ${paths.stateDir}\n`));
}
