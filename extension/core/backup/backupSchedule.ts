import * as path from 'node:path';
import type { OrchestratorConfig } from '../config/orchestratorConfig';
import { describeError, isFleetError } from '../errors';
import type { Logger } from '../observability/appLog';
import { startDigestScheduler, type DigestClock, type DigestScheduler } from '../review/digest';
import type { NotifierPort } from '../supervisor/ports';
import type { WorkspacePaths } from '../workspacePaths';
import { runBackup, type BackupRun } from './stateBackup';

export type BackupSettings = OrchestratorConfig['backup'];

/** `backup.dir` is relative to the workspace folder (".fleetai/backups"). */
export function backupDirOf(workspace: string, settings: BackupSettings): string {
  return path.resolve(workspace, settings.dir);
}

/** One backup as the schedule, `fleet backup` and the palette make it: logged, and a failure names its file. */
export async function backupNow(options: {
  workspace: string;
  paths: Pick<WorkspacePaths, 'stateDir' | 'logsDir'>;
  settings: BackupSettings;
  log: Logger;
  now?: () => Date;
}): Promise<BackupRun> {
  const { log, settings } = options;
  const backupDir = backupDirOf(options.workspace, settings);
  try {
    const run = await runBackup({
      stateDir: options.paths.stateDir,
      logsDir: options.paths.logsDir,
      backupDir,
      keepDaily: settings.keep_daily,
      keepWeeklyLogs: settings.keep_weekly_logs,
      ...(options.now ? { now: options.now } : {}),
    });
    log.info('backup', 'backup.created', {
      file: run.created.file,
      bytes: run.created.bytes,
      entries: run.created.entries,
      removed: run.removed,
      ...(run.logs.created ? { logs: run.logs.created.file, logs_bytes: run.logs.created.bytes } : {}),
    });
    return run;
  } catch (error) {
    const details = isFleetError(error) ? error.details : undefined;
    const file = typeof details?.file === 'string' ? details.file : backupDir;
    log.error('backup', 'backup.failed', { file, error: describeError(error) });
    throw error;
  }
}

/**
 * The daily backup of `fleet orchestrator` and the window's supervisor, at `backup.time` local time, on the same
 * scheduler as the review digest. A failed backup is a warning notification naming the file; the next day's
 * runs all the same.
 */
export function startBackupSchedule(options: {
  workspace: string;
  paths: Pick<WorkspacePaths, 'stateDir' | 'logsDir'>;
  settings: BackupSettings;
  log: Logger;
  notifier: NotifierPort;
  clock?: DigestClock;
}): DigestScheduler {
  const { log, settings, clock } = options;
  const scheduler = startDigestScheduler({
    digestTime: settings.time,
    ...(clock ? { clock } : {}),
    run: async () => {
      await backupNow({ ...options, ...(clock ? { now: () => clock.now() } : {}) });
    },
    onError: (error) => {
      const details = isFleetError(error) ? error.details : undefined;
      const file =
        typeof details?.file === 'string' ? details.file : backupDirOf(options.workspace, settings);
      options.notifier.notify({
        severity: 'warning',
        // Both languages, like the supervisor's other alerts: it may reach a phone rather than this window.
        title: 'FleetAI backup failed / FleetAI 备份失败',
        message:
          `${file}: ${describeError(error)}. Check the disk and the folder, then run fleet backup. ` +
          `(检查磁盘与该文件夹后运行 fleet backup)`,
        requires_confirmation: false,
      });
    },
  });
  log.info('backup', 'backup.scheduled', { at: scheduler.next?.toISOString(), time: settings.time });
  return scheduler;
}
