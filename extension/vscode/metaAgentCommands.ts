import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ProfileRegistry, RegistryEntryView } from '../core/agents/profileRegistry';
import type { LoadedProfiles, ProfileProblem } from '../core/agents/profiles';
import { describeError, ErrorCode, FleetError } from '../core/errors';
import type { Logger } from '../core/observability/appLog';
import type { WorkspacePaths } from '../core/workspacePaths';

/** What `fleetai.generateAgentProfile` accepts instead of asking (tests, keybindings). */
export interface GenerateProfileArgs {
  description?: string;
  kind?: string;
  /** Answers the Accept/Cancel question instead of the modal dialog (the test harness cannot click it). */
  answer?: 'accept' | 'cancel';
}

export interface GenerateProfileResult {
  kind: string;
  file: string;
  written: boolean;
  attempts: number;
}

export interface WindowProfilesOptions {
  builtinDir: string;
  paths: WorkspacePaths | undefined;
  log: Logger;
  /** The model key kept in SecretStorage, used when the variable `model.api_key_env` names is not set. */
  storedApiKey: () => Promise<string | undefined>;
}

/**
 * The window's agent profiles: one hot-reloading registry over `agents-config/` and the workspace's
 * `.fleetai/agents/`, opened on first use. New Agent's pick list and every pane start read it, so a profile
 * file saved (or generated) shows up without reloading the window; running panes keep their own profile.
 */
export class WindowProfiles implements vscode.Disposable {
  private opening: Promise<ProfileRegistry> | undefined;
  private disposed = false;

  constructor(private readonly options: WindowProfilesOptions) {}

  registry(): Promise<ProfileRegistry> {
    this.opening ??= (async () => {
      const { ProfileRegistry } = await import('../core/agents/profileRegistry');
      const registry = await ProfileRegistry.open({
        builtinDir: this.options.builtinDir,
        ...(this.options.paths ? { stateRoot: this.options.paths.root } : {}),
        log: this.options.log,
        watch: true,
      });
      if (this.disposed) registry.close();
      registry.onDidChange((change) => {
        for (const problem of change.problems) void showProblem(problem);
      });
      return registry;
    })();
    return this.opening;
  }

  /**
   * The profiles as the disk has them now. A pane start or New Agent's pick list reads the folders again (about
   * 10 ms) rather than trusting the watchers: a file saved a moment ago is still inside their debounce, and a
   * watcher can miss events (a folder deleted and made again).
   */
  async loaded(): Promise<LoadedProfiles> {
    const registry = await this.registry();
    await registry.reload();
    return registry.loaded();
  }

  async list(): Promise<{ entries: RegistryEntryView[]; problems: ProfileProblem[] }> {
    const registry = await this.registry();
    await registry.reload();
    return { entries: registry.list(), problems: registry.problems() };
  }

  dispose(): void {
    this.disposed = true;
    void this.opening?.then((registry) => registry.close()).catch(() => undefined);
  }

  /**
   * FleetAI: Generate Agent Profile…: a description -> the Meta Agent (with progress) -> the proposed file
   * side by side with the current one -> Accept writes it (the registry then loads it), Cancel leaves it.
   */
  async generate(input: unknown): Promise<GenerateProfileResult | undefined> {
    const args = (typeof input === 'object' && input !== null ? input : {}) as GenerateProfileArgs;
    const paths = this.options.paths;
    if (!paths) {
      void vscode.window.showErrorMessage(
        vscode.l10n.t('Open a folder first: FleetAI writes agent profiles to its .fleetai/agents folder.'),
      );
      return undefined;
    }
    const description =
      args.description ??
      (await vscode.window.showInputBox({
        title: vscode.l10n.t('FleetAI: Generate Agent Profile'),
        prompt: vscode.l10n.t(
          'Describe the agent: its command, how it asks for approval, what its prompt looks like',
        ),
        ignoreFocusOut: true,
        validateInput: (value) => (value.trim() ? undefined : vscode.l10n.t('A description is needed')),
      }));
    if (!description?.trim()) return undefined;
    try {
      const registry = await this.registry();
      const { generateProfile } = await import('../core/agents/metaAgent');
      const model = await this.model(paths);
      const generated = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: vscode.l10n.t('FleetAI: generating an agent profile with {0}…', model.name),
        },
        () =>
          generateProfile(description, {
            model,
            existingKinds: registry.list().map((e) => e.kind),
            ...(args.kind !== undefined ? { kind: args.kind } : {}),
            workspaceDir: registry.workspaceDir ?? path.join(paths.root, 'agents'),
          }),
      );
      // The proposal in a temporary file, so the diff editor shows it beside the file it would replace.
      const proposalDir = await fs.mkdtemp(path.join(os.tmpdir(), 'fleetai-profile-'));
      const proposal = path.join(proposalDir, `${generated.profile.kind}.json`);
      await fs.writeFile(proposal, generated.text, 'utf8');
      const current = generated.existed
        ? vscode.Uri.file(generated.file)
        : vscode.Uri.file(emptyFile(proposalDir));
      if (!generated.existed) await fs.writeFile(current.fsPath, '', 'utf8');
      await vscode.commands.executeCommand(
        'vscode.diff',
        current,
        vscode.Uri.file(proposal),
        vscode.l10n.t('Agent profile "{0}" (proposed)', generated.profile.kind),
      );
      const accept = vscode.l10n.t('Accept');
      const answer =
        args.answer !== undefined
          ? args.answer === 'accept'
          : (await vscode.window.showInformationMessage(
              vscode.l10n.t('Write the agent profile "{0}" to {1}?', generated.profile.kind, generated.file),
              { modal: true },
              accept,
            )) === accept;
      // Accepted, the temporary copy gives way to the file itself (opened below); closed first, so the diff
      // editor never shows its side as deleted. On Cancel the proposal stays on screen to be read or copied.
      if (answer) await closeDiffsOf(proposal);
      await fs.rm(proposalDir, { recursive: true, force: true }).catch(() => undefined);
      // `retries`: each rejected answer's schema problems (field path and message), so the app log
      // says why the model was called more than once; its model.call lines alone do not.
      if (!answer) {
        this.options.log.info('agents', 'profile.generate.cancelled', {
          kind: generated.profile.kind,
          attempts: generated.attempts,
          retries: generated.rounds,
        });
        return {
          kind: generated.profile.kind,
          file: generated.file,
          written: false,
          attempts: generated.attempts,
        };
      }
      await registry.register(generated.profile);
      this.options.log.info('agents', 'profile.generated', {
        kind: generated.profile.kind,
        file: generated.file,
        attempts: generated.attempts,
        retries: generated.rounds,
      });
      await vscode.window.showTextDocument(vscode.Uri.file(generated.file), { preview: true });
      void vscode.window.showInformationMessage(
        vscode.l10n.t('Agent profile "{0}" written to {1}.', generated.profile.kind, generated.file),
      );
      return {
        kind: generated.profile.kind,
        file: generated.file,
        written: true,
        attempts: generated.attempts,
      };
    } catch (error) {
      this.options.log.warn('agents', 'profile.generate.failed', { error: describeError(error) });
      void vscode.window.showErrorMessage(
        vscode.l10n.t('FleetAI could not generate the agent profile: {0}', describeError(error)),
      );
      return undefined;
    }
  }

  private async model(paths: WorkspacePaths) {
    const [{ loadOrchestratorConfig }, { modelSettingsFromConfig }, { createProfileModel }] =
      await Promise.all([
        import('../core/config/orchestratorConfig'),
        import('../core/decisions/modelSettings'),
        import('../core/agents/metaAgent'),
      ]);
    const { config } = await loadOrchestratorConfig(paths.orchestratorConfig);
    // SecretStorage is asked only when the config's variable is not set.
    const stored = process.env[config.model.api_key_env] ? undefined : await this.options.storedApiKey();
    const settings = await modelSettingsFromConfig(config.model, process.env, stored);
    if (!settings)
      throw new FleetError(
        ErrorCode.ModelNotConfigured,
        vscode.l10n.t(
          'The Meta Agent needs a model: set model.base_url and model.model in {0}',
          paths.orchestratorConfig,
        ),
      );
    return createProfileModel(settings, { log: this.options.log });
  }
}

async function closeDiffsOf(proposal: string): Promise<void> {
  const tabs = vscode.window.tabGroups.all
    .flatMap((group) => group.tabs)
    .filter((tab) => tab.input instanceof vscode.TabInputTextDiff && tab.input.modified.fsPath === proposal);
  if (tabs.length > 0) await vscode.window.tabGroups.close(tabs);
}

function emptyFile(dir: string): string {
  return path.join(dir, 'empty.json');
}

async function showProblem(problem: ProfileProblem): Promise<void> {
  const open = vscode.l10n.t('Open File');
  const picked = await vscode.window.showWarningMessage(
    vscode.l10n.t('Agent profile not loaded (the previous version stays): {0}', problem.message),
    open,
  );
  if (picked === open) await vscode.window.showTextDocument(vscode.Uri.file(problem.file));
}

export function registerMetaAgentCommands(profiles: WindowProfiles): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('fleetai.generateAgentProfile', (args?: unknown) =>
      profiles.generate(args),
    ),
  ];
}
