import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError } from '../core/errors';
import type { DetectedCli, InitResult } from '../core/init';
import type { Logger } from '../core/observability/appLog';

export interface InitCommandDeps {
  folder: string | undefined;
  /** The FleetAI folder's name (setting fleetai.stateDirectory). */
  directoryName: string;
  /** The shipped profiles (`<extension>/agents-config`). */
  builtinProfilesDir: string;
  log: Logger;
}

/**
 * The answers the dialogs would give, for the integration tests (the harness cannot click a quick pick):
 * the agent kinds to add panes for, and whether to change `.gitignore`. From the palette there are none.
 */
export interface InitWorkspaceAnswers {
  profiles: string[];
  gitignore: boolean;
}

/** What the command returns (the integration tests read it). */
export interface InitWorkspaceResult extends InitResult {
  clis: DetectedCli[];
  /** The config opened in the editor. */
  opened: string;
}

/**
 * FleetAI: Initialize Workspace — what `fleet init` does, with the choices asked in the window: which of the
 * agent CLIs found get a pane (a quick pick), whether `.gitignore` gets FleetAI's lines; then
 * `.fleetai/orchestrator.json` opens. Existing files are never replaced (see extension/core/init).
 */
export function registerInitCommand(deps: InitCommandDeps): vscode.Disposable {
  return vscode.commands.registerCommand('fleetai.initWorkspace', (answers?: unknown) =>
    initWorkspace(deps, isAnswers(answers) ? answers : undefined),
  );
}

function isAnswers(value: unknown): value is InitWorkspaceAnswers {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return (
    Array.isArray(v.profiles) &&
    v.profiles.every((p) => typeof p === 'string') &&
    typeof v.gitignore === 'boolean'
  );
}

async function initWorkspace(
  deps: InitCommandDeps,
  answers: InitWorkspaceAnswers | undefined,
): Promise<InitWorkspaceResult | undefined> {
  const { folder, log } = deps;
  if (!folder) {
    void vscode.window.showErrorMessage(vscode.l10n.t('FleetAI: open a workspace folder first.'));
    return undefined;
  }
  try {
    const { planInit, applyInit, detectAgentClis } = await import('../core/init');
    const base = {
      workspace: folder,
      directoryName: deps.directoryName,
      builtinProfilesDir: deps.builtinProfilesDir,
    };
    const clis = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: vscode.l10n.t('FleetAI: looking for agent CLIs…'),
      },
      async () => {
        const { workspacePaths } = await import('../core/workspacePaths');
        return detectAgentClis({
          builtinProfilesDir: deps.builtinProfilesDir,
          workspaceProfilesDir: path.join(workspacePaths(folder, deps.directoryName).root, 'agents'),
        });
      },
    );
    // A first plan with no pane chosen says which CLIs already have one (not offered again).
    const preview = await planInit({ ...base, detected: clis, profiles: [] });
    const offered = preview.profiles.filter((p) => p.status !== 'present');
    const configExists = preview.files.some((f) => f.role === 'orchestrator' && f.action !== 'create');

    let profiles: string[];
    if (answers) profiles = answers.profiles;
    else if (offered.length === 0) profiles = [];
    else {
      const picked = await vscode.window.showQuickPick(
        offered.map((p) => ({
          label: p.agent,
          description: p.version ?? vscode.l10n.t('version unknown'),
          detail: p.path ?? '',
          // A new config gets every CLI found; an existing one only what the user ticks now.
          picked: !configExists,
          agent: p.agent,
        })),
        {
          canPickMany: true,
          ignoreFocusOut: true,
          title: vscode.l10n.t('FleetAI: Initialize Workspace'),
          placeHolder: vscode.l10n.t(
            'Agent CLIs found on PATH: add a pane for each one ticked (autostart off: nothing starts by itself)',
          ),
        },
      );
      if (!picked) return undefined;
      profiles = picked.map((p) => p.agent);
    }

    let gitignore = false;
    if (preview.gitignore.missing.length > 0) {
      if (answers) gitignore = answers.gitignore;
      else {
        const add = vscode.l10n.t('Add to .gitignore');
        const choice = await vscode.window.showInformationMessage(
          vscode.l10n.t('FleetAI: add these lines to .gitignore?'),
          { modal: true, detail: preview.gitignore.missing.join('\n') },
          add,
          vscode.l10n.t('Do not add'),
        );
        gitignore = choice === add;
      }
    }

    const plan = await planInit({ ...base, detected: clis, profiles });
    const result = await applyInit(plan, { gitignore });
    log.info('init', 'init.applied', {
      written: result.written.map((w) => `${w.action} ${w.relative}`),
      skipped: result.skipped.map((s) => `${s.relative}: ${s.reason}`),
      gitignoreAdded: result.gitignoreAdded,
      clis: clis.map((c) => ({ name: c.name, found: c.found, version: c.version })),
      profiles,
    });
    const config = plan.files.find((f) => f.role === 'orchestrator');
    const opened = config?.path ?? '';
    if (opened) await vscode.window.showTextDocument(vscode.Uri.file(opened), { preview: false });
    const problem = plan.files.find((f) => f.problem)?.problem;
    if (problem)
      void vscode.window.showWarningMessage(
        vscode.l10n.t(
          'FleetAI: {0} was left as it is: {1}',
          config?.relative ?? '',
          problem.split('\n')[0] ?? '',
        ),
      );
    else
      void vscode.window.showInformationMessage(
        vscode.l10n.t(
          'FleetAI: workspace initialized ({0} files written, {1} .gitignore lines added). Set "autostart": true on the panes to start.',
          result.written.length,
          result.gitignoreAdded.length,
        ),
      );
    return { ...result, clis, opened };
  } catch (error) {
    log.error('init', 'init.failed', { error: describeError(error) });
    void vscode.window.showErrorMessage(
      vscode.l10n.t('FleetAI: could not initialize the workspace: {0}', describeError(error)),
    );
    return undefined;
  }
}
