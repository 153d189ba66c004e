import * as path from 'node:path';

/** Where a workspace keeps FleetAI's data (ARCHITECTURE.md, "Where a user's data lives"). */
export interface WorkspacePaths {
  root: string;
  stateDir: string;
  /** Approval requests waiting (`pending.json`) and answered (`completed.json`). */
  approvalsDir: string;
  logsDir: string;
  appLog: string;
  paneLogsDir: string;
  /** The supervisor's settings (JSONC), see extension/core/config/orchestratorConfig.ts. */
  orchestratorConfig: string;
}

export function workspacePaths(workspaceFolder: string, directoryName = '.fleetai'): WorkspacePaths {
  const root = path.resolve(workspaceFolder, directoryName);
  const logsDir = path.join(root, 'logs');
  const stateDir = path.join(root, 'state');
  return {
    root,
    stateDir,
    approvalsDir: path.join(stateDir, 'approvals'),
    logsDir,
    appLog: path.join(logsDir, 'app.jsonl'),
    paneLogsDir: path.join(logsDir, 'panes'),
    orchestratorConfig: path.join(root, 'orchestrator.json'),
  };
}
