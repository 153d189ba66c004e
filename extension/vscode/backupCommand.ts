import * as vscode from 'vscode';
import { ErrorCode, FleetError, describeError, isFleetError } from '../core/errors';
import type { Logger } from '../core/observability/appLog';
import type { WorkspacePaths } from '../core/workspacePaths';

export interface BackupCommandDeps {
  folder: string | undefined;
  paths: WorkspacePaths | undefined;
  log: Logger;
}

/** What the command returns (integration tests read it); undefined when it failed (the window said why). */
export interface BackupCommandResult {
  file: string;
  bytes: number;
  removed: string[];
}

/**
 * FleetAI: Back Up State Now — the backup `fleet backup` makes (the state folder into `backup.dir`, old archives
 * pruned, the week's logs archived), with the workspace's `backup` settings, whether or not a supervisor runs.
 */
export function registerBackupCommand(deps: BackupCommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand('fleetai.backupNow', () => backupStateNow(deps));
}

async function backupStateNow(deps: BackupCommandDeps): Promise<BackupCommandResult | undefined> {
  const { folder, paths, log } = deps;
  try {
    if (!folder || !paths)
      throw new FleetError(ErrorCode.ConfigInvalid, vscode.l10n.t('FleetAI: open a workspace folder first.'));
    const [{ loadOrchestratorConfig }, { backupNow }] = await Promise.all([
      import('../core/config/orchestratorConfig'),
      import('../core/backup/backupSchedule'),
    ]);
    const { config } = await loadOrchestratorConfig(paths.orchestratorConfig);
    const run = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('FleetAI: backing up the state…'),
      },
      () => backupNow({ workspace: folder, paths, settings: config.backup, log }),
    );
    const { file, bytes } = run.created;
    const size = bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KiB`;
    const reveal = vscode.l10n.t('Reveal in Explorer');
    void vscode.window
      .showInformationMessage(vscode.l10n.t('FleetAI: state backed up to {0} ({1}).', file, size), reveal)
      .then((choice) => {
        if (choice === reveal) void vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(file));
      });
    return { file, bytes, removed: run.removed };
  } catch (error) {
    const code = isFleetError(error) ? `${error.code}: ` : '';
    void vscode.window.showErrorMessage(
      vscode.l10n.t('FleetAI: the backup failed: {0}', `${code}${describeError(error)}`),
    );
    return undefined;
  }
}
