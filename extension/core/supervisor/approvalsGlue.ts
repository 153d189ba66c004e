import type { CommandRiskVerdict } from './promptRisk';
import { classifyPromptOrCommand } from './promptRisk';
import type { OrchestratorConfig } from '../config/orchestratorConfig';
import type { Logger } from '../observability/appLog';
import type { WorkspacePaths } from '../workspacePaths';
import type { ApprovalsPort } from './ports';
import type { Disposable } from '../panes/events';
import { storeApprovalsPort } from './storeApprovals';

/** The approval rules of a workspace config as the orchestrator's `classify`. */
export function createClassifier(
  config: OrchestratorConfig,
  workspaceRoot: string,
): (input: {
  text: string;
  kind: 'command' | 'edit' | 'other' | 'prompt' | 'shell';
  cwd: string;
}) => CommandRiskVerdict {
  return (input) =>
    classifyPromptOrCommand(input, {
      workspaceRoot,
      allow: config.approvals.allow,
      deny: config.approvals.deny,
      medium: config.approvals.medium,
    });
}

export function createApprovalsPort(paths: WorkspacePaths, log: Logger): ApprovalsPort & Disposable {
  return storeApprovalsPort(paths, log);
}
