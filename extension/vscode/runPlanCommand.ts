import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Logger } from '../core/observability/appLog';
import type { PlanGraphHost } from './planGraphHost';

export interface RunPlanDeps {
  folder: string | undefined;
  /** The `fleet` CLI of this extension (`dist/cli.js`). */
  cliPath: string;
  diagnostics: vscode.DiagnosticCollection;
  plans: PlanGraphHost;
  openGraph: () => Promise<void>;
  log: Logger;
}

export interface RunPlanOutcome {
  file: string;
  /** Errors found by the validator: the run did not start. */
  errors: number;
  warnings: number;
  /** The terminal the run goes on in, when it started. */
  terminal?: string;
}

/**
 * `FleetAI: Run Plan`: validates a plan file (the Problems panel gets its problems at their lines, a message
 * names the file and the first node at fault) and runs a valid one as `fleet run:auto FILE` in a terminal of
 * the window, where its node states scroll by; the plan graph opens on it. The run waits for approvals in the
 * workspace's ApprovalStore, so the graph's Approve (or any other answer) lets it go on.
 *
 * In a terminal rather than the extension host: the executor's libraries would nearly double the extension's
 * bundle (and its load at every activation), and the person sees the run's own output and can stop it there.
 */
export async function runPlanCommand(deps: RunPlanDeps, arg?: unknown): Promise<RunPlanOutcome | undefined> {
  if (!deps.folder) {
    void vscode.window.showErrorMessage(
      vscode.l10n.t('Open a folder first: FleetAI keeps plan runs in the workspace folder.'),
    );
    return undefined;
  }
  const uri = await pickPlanFile(arg);
  if (!uri) return undefined;
  const document = await vscode.workspace.openTextDocument(uri);
  // The run reads the file from disk: what the person sees in the editor is what runs.
  if (document.isDirty) await document.save();
  const { validatePlanText, formatPlanProblem, problemSubject, planLocaleFromTag } =
    await import('../core/plans');
  const locale = planLocaleFromTag(vscode.env.language);
  const validation = validatePlanText(document.getText(), { locale });
  const shown = vscode.workspace.asRelativePath(uri);
  deps.diagnostics.set(
    uri,
    validation.problems.map((problem) => {
      const line = Math.max(0, (problem.line ?? 1) - 1);
      const column = Math.max(0, (problem.column ?? 1) - 1);
      const end = document.lineAt(Math.min(line, document.lineCount - 1)).range.end;
      const subject = problemSubject(problem);
      const diagnostic = new vscode.Diagnostic(
        new vscode.Range(line, column, end.line, Math.max(end.character, column)),
        `${subject ? `${subject}: ` : ''}${problem.message}`,
        problem.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
      );
      diagnostic.source = 'FleetAI';
      diagnostic.code = problem.code;
      return diagnostic;
    }),
  );
  const errors = validation.problems.filter((p) => p.severity === 'error');
  const warnings = validation.problems.length - errors.length;
  if (!validation.ok || !validation.plan || errors.length > 0) {
    const [first] = errors;
    void vscode.window.showErrorMessage(
      vscode.l10n.t(
        'FleetAI did not run {0}: {1} ({2} problems in the Problems panel).',
        shown,
        first ? formatPlanProblem(first, shown, locale) : '?',
        errors.length,
      ),
    );
    deps.log.info('plan', 'plan.run.refused', { file: uri.fsPath, errors: errors.length });
    return { file: uri.fsPath, errors: errors.length, warnings };
  }
  const name = vscode.l10n.t('FleetAI plan: {0}', validation.plan.id);
  const terminal = vscode.window.createTerminal({
    name,
    shellPath: process.execPath,
    shellArgs: [deps.cliPath, 'run:auto', uri.fsPath],
    cwd: deps.folder,
    // VS Code's own executable is Electron: this makes it plain Node (code-server's is Node already).
    env: { ELECTRON_RUN_AS_NODE: '1', FLEETAI_LOCALE: locale },
    iconPath: new vscode.ThemeIcon('type-hierarchy'),
  });
  terminal.show(true);
  deps.log.info('plan', 'plan.run.started.vscode', { file: uri.fsPath, planId: validation.plan.id });
  // The graph shows the newest run: this one, as soon as its first record is written.
  deps.plans.choose(undefined);
  await deps.openGraph();
  return { file: uri.fsPath, errors: 0, warnings, terminal: name };
}

/** The file given (explorer context, a test), else the plan open in the editor, else one the person picks. */
async function pickPlanFile(arg: unknown): Promise<vscode.Uri | undefined> {
  if (arg instanceof vscode.Uri) return arg;
  if (typeof arg === 'string' && arg !== '') return vscode.Uri.file(arg);
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && active.fsPath.endsWith('.plan.json')) return active;
  const files = await vscode.workspace.findFiles('**/*.plan.json', '**/node_modules/**', 200);
  if (files.length === 0) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('There is no *.plan.json file in this workspace. Write one, e.g. in .fleetai/plans/.'),
    );
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    files
      .map((file) => ({
        label: path.basename(file.fsPath),
        description: vscode.workspace.asRelativePath(file),
        file,
      }))
      .sort((a, b) => a.description.localeCompare(b.description)),
    { title: vscode.l10n.t('FleetAI: Run Plan'), placeHolder: vscode.l10n.t('Which plan?') },
  );
  return picked?.file;
}
