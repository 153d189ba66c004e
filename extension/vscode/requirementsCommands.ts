import type { ConfigModelSection } from '../core/decisions/modelSettings';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { describeError, isFleetError } from '../core/errors';
import type { Logger } from '../core/observability/appLog';
import type { ApplyPreview, DecomposeModel } from '../core/requirements';
import type { WorkspacePaths } from '../core/workspacePaths';

const CATEGORY = 'requirements';
/** Virtual documents holding the config as it would be after applying, for the diff editor. */
const PROPOSED_SCHEME = 'fleetai-proposed';

export interface RequirementsDeps {
  folder: string | undefined;
  paths: WorkspacePaths | undefined;
  log: Logger;
  /** The model key from SecretStorage, when the config's api_key_env variable is not set. */
  storedApiKey?: () => Promise<string | undefined>;
}

export interface ApplyOutcome {
  file: string;
  added: string[];
  replaced: string[];
}

export interface ApplyCommandOptions {
  /** Decides instead of the modal (the extension's test API); the diff editor opens either way. */
  confirm?: (preview: ApplyPreview) => Promise<boolean>;
  /** Replace tasks of the same id without asking. */
  replace?: boolean;
}

export interface RequirementsCommands {
  disposables: vscode.Disposable[];
  decompose(doc?: unknown): Promise<string | undefined>;
  apply(draft?: unknown, options?: ApplyCommandOptions): Promise<ApplyOutcome | undefined>;
}

/**
 * `FleetAI: Decompose Requirements…` (a Markdown document -> a task draft in .fleetai/drafts/, opened for
 * editing) and `FleetAI: Apply Task Draft` (the draft's tasks merged into orchestrator.json after a diff and a
 * modal). The core work is extension/core/requirements, loaded on first use.
 */
export function registerRequirementsCommands(deps: RequirementsDeps): RequirementsCommands {
  const proposed = new Map<string, string>();
  const changed = new vscode.EventEmitter<vscode.Uri>();
  const provider = vscode.workspace.registerTextDocumentContentProvider(PROPOSED_SCHEME, {
    onDidChange: changed.event,
    provideTextDocumentContent: (uri) => proposed.get(uri.toString()) ?? '',
  });
  const decompose = (doc?: unknown): Promise<string | undefined> => decomposeRequirements(deps, doc);
  const apply = (draft?: unknown, options: ApplyCommandOptions = {}): Promise<ApplyOutcome | undefined> =>
    applyTaskDraft(deps, draft, options, (uri, text) => {
      proposed.set(uri.toString(), text);
      changed.fire(uri);
    });
  return {
    disposables: [
      provider,
      changed,
      vscode.commands.registerCommand('fleetai.decomposeRequirements', decompose),
      vscode.commands.registerCommand('fleetai.applyTaskDraft', (draft?: unknown) => apply(draft)),
    ],
    decompose,
    apply,
  };
}

function noWorkspace(): undefined {
  void vscode.window.showErrorMessage(vscode.l10n.t('FleetAI: open a workspace folder first.'));
  return undefined;
}

async function decomposeRequirements(deps: RequirementsDeps, arg: unknown): Promise<string | undefined> {
  const { folder, paths } = deps;
  if (!folder || !paths) return noWorkspace();
  const uri = arg instanceof vscode.Uri ? arg : await pickMarkdown(folder);
  if (!uri) return undefined;
  try {
    const document = await vscode.workspace.openTextDocument(uri);
    // The editor's text, unsaved edits included: what the user sees is what gets decomposed.
    const markdown = document.getText();
    const { loadOrchestratorConfig } = await import('../core/config/orchestratorConfig');
    const { decompose, draftPathFor, writeDraft } = await import('../core/requirements');
    const { config } = await loadOrchestratorConfig(paths.orchestratorConfig);
    const model = await configuredModel(deps, config);
    const doc = relativeName(folder, uri.fsPath);
    const { draft, attempts } = await vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: model
          ? vscode.l10n.t('FleetAI: decomposing {0} with the model {1}…', doc, model.name)
          : vscode.l10n.t('FleetAI: decomposing {0}…', doc),
      },
      () => decompose(markdown, { model, doc, existingTaskIds: config.tasks.map((t) => t.id) }),
    );
    const out = draftPathFor(paths.root, uri.fsPath);
    await writeDraft(out, draft);
    deps.log.info(CATEGORY, 'requirements.decomposed', {
      doc,
      draft: out,
      tasks: draft.tasks.length,
      by: draft.source.decomposed_by,
      attempts,
    });
    await vscode.window.showTextDocument(vscode.Uri.file(out), { preview: false });
    void vscode.window.showInformationMessage(
      draft.source.decomposed_by === 'model'
        ? vscode.l10n.t(
            '{0} tasks drafted from {1} by the model. Edit the draft, then run FleetAI: Apply Task Draft.',
            draft.tasks.length,
            doc,
          )
        : vscode.l10n.t(
            '{0} tasks drafted from {1} by the Markdown rules. Edit the draft, then run FleetAI: Apply Task Draft.',
            draft.tasks.length,
            doc,
          ),
    );
    return out;
  } catch (error) {
    showProblem(
      deps,
      vscode.l10n.t('FleetAI could not decompose the document: {0}', describeError(error)),
      error,
    );
    return undefined;
  }
}

async function applyTaskDraft(
  deps: RequirementsDeps,
  arg: unknown,
  options: ApplyCommandOptions,
  propose: (uri: vscode.Uri, text: string) => void,
): Promise<ApplyOutcome | undefined> {
  const { folder, paths } = deps;
  if (!folder || !paths) return noWorkspace();
  const uri = arg instanceof vscode.Uri ? arg : await pickDraft(paths);
  if (!uri) return undefined;
  try {
    // The editor's text, unsaved edits included, is the draft the user means; it is saved too, so the file on
    // disk matches what was applied.
    const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === uri.fsPath);
    const { readFile } = await import('node:fs/promises');
    const text = open ? open.getText() : await readFile(uri.fsPath, 'utf8');
    if (open?.isDirty) await open.save();
    const { loadOrchestratorConfig } = await import('../core/config/orchestratorConfig');
    const { validateDraft, checkedDraft, previewApply, commitApply } = await import('../core/requirements');
    const { config } = await loadOrchestratorConfig(paths.orchestratorConfig);
    let replace = options.replace === true;
    if (!replace) {
      const check = validateDraft(uri.fsPath, text, { existingTasks: config.tasks });
      const clashes = check.problems.filter(
        (p) => /\.id$/.test(p.field) && p.message.includes('already a task'),
      );
      if (check.draft && clashes.length > 0 && clashes.length === check.problems.length) {
        const ids = clashes.map((p) => /"([^"]+)"/.exec(p.message)?.[1] ?? p.field).join(', ');
        const replaceWord = vscode.l10n.t('Replace');
        // Through the test API (confirm given) nothing is replaced unless asked for: the clash is reported.
        const answer = options.confirm
          ? undefined
          : await vscode.window.showWarningMessage(
              vscode.l10n.t('These tasks are already in orchestrator.json: {0}. Replace them?', ids),
              { modal: true },
              replaceWord,
            );
        if (!options.confirm && answer !== replaceWord) return undefined;
        replace = answer === replaceWord;
      }
    }
    const draft = checkedDraft(uri.fsPath, text, { existingTasks: config.tasks, replace });
    const preview = await previewApply(draft, paths.orchestratorConfig, {
      replace,
      displayName: relativeName(folder, paths.orchestratorConfig),
    });
    if (preview.before === preview.after) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('The draft changes nothing in orchestrator.json.'),
      );
      return { file: preview.file, added: [], replaced: [] };
    }
    const stamp = Date.now().toString(36);
    const after = vscode.Uri.from({ scheme: PROPOSED_SCHEME, path: `/${stamp}/orchestrator.json` });
    propose(after, preview.after);
    let before = vscode.Uri.file(preview.file);
    if (!preview.existed) {
      before = vscode.Uri.from({ scheme: PROPOSED_SCHEME, path: `/${stamp}/before/orchestrator.json` });
      propose(before, '');
    }
    await vscode.commands.executeCommand(
      'vscode.diff',
      before,
      after,
      vscode.l10n.t('orchestrator.json ↔ with the task draft applied'),
      { preview: true },
    );
    const applyWord = vscode.l10n.t('Apply');
    const confirmed = options.confirm
      ? await options.confirm(preview)
      : (await vscode.window.showInformationMessage(
          vscode.l10n.t(
            'Apply the draft to orchestrator.json: {0} new task(s), {1} replaced?',
            preview.added.length,
            preview.replaced.length,
          ),
          {
            modal: true,
            detail: vscode.l10n.t(
              'The diff editor shows the change. A running supervisor reads its tasks when it starts: restart it (Stop, then Start Orchestrator) to pick them up.',
            ),
          },
          applyWord,
        )) === applyWord;
    if (!confirmed) return undefined;
    await commitApply(preview);
    deps.log.info(CATEGORY, 'requirements.applied', {
      draft: uri.fsPath,
      file: preview.file,
      added: preview.added,
      replaced: preview.replaced,
    });
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'FleetAI added {0} task(s) to orchestrator.json (replaced {1}). Restart the supervisor to pick them up.',
        preview.added.length,
        preview.replaced.length,
      ),
    );
    return { file: preview.file, added: preview.added, replaced: preview.replaced };
  } catch (error) {
    showProblem(
      deps,
      vscode.l10n.t('FleetAI did not apply the task draft: {0}', describeError(error)),
      error,
    );
    return undefined;
  }
}

function showProblem(deps: RequirementsDeps, message: string, error: unknown): void {
  const problems =
    isFleetError(error) && Array.isArray(error.details?.problems) ? error.details.problems : [];
  deps.log.warn(CATEGORY, 'requirements.failed', { error: describeError(error), problems });
  void vscode.window.showErrorMessage(message);
}

/** The active Markdown editor's document, else one the person picks from the workspace (the active first). */
async function pickMarkdown(folder: string): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document;
  const files = await vscode.workspace.findFiles(
    '**/*.{md,markdown}',
    '{**/node_modules/**,**/.git/**}',
    500,
  );
  const items = files
    .map((uri) => ({ label: relativeName(folder, uri.fsPath), uri }))
    .sort((a, b) => a.label.localeCompare(b.label));
  if (active?.languageId === 'markdown') {
    const own = items.findIndex((i) => i.uri.toString() === active.uri.toString());
    if (own >= 0) items.unshift(...items.splice(own, 1));
    else items.unshift({ label: relativeName(folder, active.uri.fsPath), uri: active.uri });
  }
  if (items.length === 0) {
    void vscode.window.showInformationMessage(vscode.l10n.t('There is no Markdown file in this workspace.'));
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(items, {
    title: vscode.l10n.t('FleetAI: Decompose Requirements…'),
    placeHolder: vscode.l10n.t('Which requirements document?'),
  });
  return picked?.uri;
}

/** The active draft editor's file, else one the person picks from .fleetai/drafts/. */
async function pickDraft(paths: WorkspacePaths): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === 'file' && active.fsPath.endsWith('.tasks.json')) return active;
  const files = await vscode.workspace.findFiles(
    new vscode.RelativePattern(vscode.Uri.file(path.join(paths.root, 'drafts')), '*.tasks.json'),
  );
  if (files.length === 0) {
    void vscode.window.showInformationMessage(
      vscode.l10n.t('There is no task draft yet. Run FleetAI: Decompose Requirements… first.'),
    );
    return undefined;
  }
  if (files.length === 1) return files[0];
  const picked = await vscode.window.showQuickPick(
    files.map((uri) => ({ label: path.basename(uri.fsPath), uri })),
    { title: vscode.l10n.t('FleetAI: Apply Task Draft'), placeHolder: vscode.l10n.t('Which draft?') },
  );
  return picked?.uri;
}

/** The config's model (its `model` section, the key from api_key_env or SecretStorage), or none: the rules. */
async function configuredModel(
  deps: RequirementsDeps,
  config: { model: ConfigModelSection },
): Promise<DecomposeModel | undefined> {
  const { modelSettingsFromConfig } = await import('../core/decisions/modelSettings');
  const { createStructuredModel } = await import('../core/decisions/modelDecider');
  const { structuredDecomposeModel } = await import('../core/requirements');
  // SecretStorage is asked only when the config's variable is not set.
  const stored = process.env[config.model.api_key_env]
    ? undefined
    : await deps.storedApiKey?.().catch(() => undefined);
  const settings = await modelSettingsFromConfig(config.model, process.env, stored);
  return settings ? structuredDecomposeModel(createStructuredModel(settings, { log: deps.log })) : undefined;
}

function relativeName(folder: string, file: string): string {
  const rel = path.relative(folder, file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : file;
}
