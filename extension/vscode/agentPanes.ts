import * as path from 'node:path';
import * as vscode from 'vscode';
import { ErrorCode, describeError, isFleetError } from '../core/errors';
import type { LoadedProfiles } from '../core/agents/profiles';
import type { OrchestratorConfig, PaneConfig } from '../core/config/orchestratorConfig';
import type { Logger } from '../core/observability/appLog';
import type { AgentPane, PaneRegistry, PaneRegistryChange } from '../core/panes/paneRegistry';
import type { PtyExit } from '../core/panes/ptyHost';
import type { PaneStateName } from '../core/panes/types';
import type { CreatedWorktree } from '../core/panes/worktree';
import type { WorkspacePaths } from '../core/workspacePaths';
import { AgentsTreeProvider, stateLabel } from './agentsTree';
import type { PaneSummary } from './api';
import { createPaneTerminal, type PaneTerminal } from './paneTerminal';

/** What `fleetai.newAgent` accepts instead of asking (tests, other commands, keybindings). */
export interface NewAgentArgs {
  kind?: string;
  command?: string;
  args?: string[];
  name?: string;
  branch?: string;
  /** Start on `branch` in its own git worktree (created beside the repository when missing). */
  worktree?: boolean;
  /** Give the agent FleetAI's MCP server (its profile must offer it: `fleetMcp`). */
  fleetMcp?: boolean;
}

/** What `fleetai.newAgent` returns: the pane started, or undefined when nothing was started. */
export interface NewAgentResult {
  id: string;
  name: string;
  kind: string;
  terminalName: string;
  /** The folder it runs in (the worktree's, for a pane on its own branch). */
  cwd: string;
  branch?: string;
}

/** A pane as commands receive it: its id, or an object with one (a tree element, an API result). */
type PaneTarget = string | { id?: unknown } | undefined;

export interface AgentPanesOptions {
  /** `<extension>/agents-config`. */
  builtinProfilesDir: string;
  /** The first workspace folder; agents start there. */
  folder: string | undefined;
  paths: WorkspacePaths | undefined;
  log: Logger;
  /** Called once the registry has loaded, before the first agent starts (the window's supervisor attaches). */
  onRegistry?: (registry: PaneRegistry) => Promise<void>;
  /** The stall timeout for new panes; the `fleetai.stallTimeoutSeconds` setting when it gives none. */
  stallTimeoutMs?: () => number | undefined;
  /** Asks the pane a question through the window's supervisor (`fleetai.askAgent`). */
  ask?: (paneId: string, question: string) => Promise<AskOutcome>;
  /** Queues the profile's nudge for the pane through the window's supervisor (`fleetai.nudgeAgent`). */
  nudge?: (paneId: string) => Promise<NudgeOutcome>;
  /** Every change of the registry (a pane added, restarted, removed, or a state change), for the dashboard. */
  onPaneChange?: (change: PaneRegistryChange) => void;
  /** Remembers New Agent's answers per profile (the MCP question); this window's session only when left out. */
  workspaceState?: vscode.Memento;
  /**
   * The window's hot-reloading profile registry (metaAgentCommands.ts): New Agent's pick list and pane starts
   * read it instead of the folders, so a new profile file shows up without reloading the window.
   */
  profiles?: () => Promise<LoadedProfiles>;
}

/** workspaceState key of the last answer to "Give this agent FleetAI's MCP server?" for one agent kind. */
const FLEET_MCP_ANSWER_KEY = 'fleetai.newAgent.fleetMcp';

/** The answer of `fleetai.nudgeAgent`: the queued command, or why it was not queued. */
export type NudgeOutcome =
  | { ok: true; id: string; text: string; risk: string; requires_confirmation: boolean }
  | { ok: false; error: { code: string; message: string } };

/** The answer of `fleetai.askAgent`, as the supervisor gives it. */
export type AskOutcome =
  { ok: true; answer: string; latencyMs: number } | { ok: false; error: { code: string; message: string } };

/**
 * The agent panes of this window as VS Code shows them: the commands that start, show, stop and type into
 * agents, one terminal per pane, and the Agents view. Every decision (which profile, which program, what
 * "stopped" means) is the core registry's; this class translates between it and VS Code. The registry and
 * the pane runtime are loaded when the first agent starts, so activation does not pay for them.
 */
export class AgentPanes implements vscode.Disposable {
  readonly tree = new AgentsTreeProvider();
  private registry: PaneRegistry | undefined;
  private loading: Promise<PaneRegistry> | undefined;
  private readonly terminals = new Map<string, PaneTerminal>();
  private readonly disposables: vscode.Disposable[] = [this.tree];
  private readonly sessionAnswers = new Map<string, boolean>();

  constructor(private readonly options: AgentPanesOptions) {
    this.disposables.push(
      vscode.commands.registerCommand('fleetai.newAgent', (args?: unknown) => this.newAgent(args)),
      vscode.commands.registerCommand('fleetai.focusAgent', (target?: PaneTarget) => this.focus(target)),
      vscode.commands.registerCommand('fleetai.stopAgent', (target?: PaneTarget) => this.stop(target)),
      vscode.commands.registerCommand('fleetai.sendToAgent', (target?: PaneTarget, text?: unknown) =>
        this.sendTo(target, text),
      ),
      vscode.commands.registerCommand('fleetai.removeAgent', (target?: PaneTarget) => this.remove(target)),
      vscode.commands.registerCommand('fleetai.nudgeAgent', (target?: PaneTarget) => this.nudgeAgent(target)),
      vscode.commands.registerCommand('fleetai.restartAgent', (target?: PaneTarget) => this.restart(target)),
      vscode.commands.registerCommand('fleetai.openTranscript', (target?: PaneTarget) =>
        this.openTranscript(target),
      ),
      vscode.commands.registerCommand('fleetai.askAgent', (target?: PaneTarget, question?: unknown) =>
        this.askAgent(target, question),
      ),
      vscode.window.onDidCloseTerminal((closed) => {
        for (const [id, shown] of this.terminals) if (shown.terminal === closed) this.terminals.delete(id);
      }),
    );
  }

  /** For the API: every pane, in start order. */
  summaries(): PaneSummary[] {
    return (this.registry?.list() ?? []).map((p) => ({
      id: p.id,
      name: p.name,
      kind: p.kind,
      state: p.state.name,
      terminalName: terminalName(p),
    }));
  }

  /** The registry's panes, in start order (none before the first agent starts). */
  list(): readonly AgentPane[] {
    return this.registry?.list() ?? [];
  }

  /**
   * Starts one pane of `.fleetai/orchestrator.json` (its agent, env, branch and worktree, as `fleet orchestrator`
   * does) in a VS Code terminal that does not take the keyboard.
   */
  async startConfigured(config: OrchestratorConfig, pane: PaneConfig): Promise<void> {
    const folder = this.options.folder;
    if (!folder)
      throw new Error(vscode.l10n.t('Open a folder first: FleetAI starts agents in the workspace folder.'));
    const registry = await this.load();
    const { startConfiguredPane } = await import('../core/supervisor/configuredPane');
    const started = await startConfiguredPane(registry, config, pane, folder, this.options.log);
    this.openTerminal(started).terminal.show(true);
  }

  /** Loads the registry (and with it the window's supervisor) without starting an agent. */
  ensureLoaded(): Promise<PaneRegistry> {
    return this.load();
  }

  screen(id: string): string[] {
    return this.registry?.get(id)?.screen() ?? [];
  }

  async waitForState(id: string, state: PaneStateName, timeoutMs: number): Promise<void> {
    await (await this.load()).waitForState(id, state, timeoutMs);
  }

  private load(): Promise<PaneRegistry> {
    this.loading ??= (async () => {
      const [{ PaneRegistry }, { nodePtyHost }] = await Promise.all([
        import('../core/panes/paneRegistry'),
        import('../core/panes/ptyHost'),
      ]);
      const profiles = this.options.profiles;
      const Registry = profiles
        ? class extends PaneRegistry {
            override loadProfiles(): Promise<LoadedProfiles> {
              return profiles();
            }
          }
        : PaneRegistry;
      const registry = new Registry({
        builtinProfilesDir: this.options.builtinProfilesDir,
        ...(this.options.paths ? { paths: this.options.paths } : {}),
        ptyHost: nodePtyHost(),
        log: this.options.log,
        stallTimeoutMs: () =>
          this.options.stallTimeoutMs?.() ??
          vscode.workspace.getConfiguration('fleetai').get<number>('stallTimeoutSeconds', 120) * 1000,
      });
      this.registry = registry;
      this.tree.attach(registry);
      const restarts = registry.onDidChange((change) => {
        if (change.type === 'restarted') this.showRestarted(change.pane);
        this.options.onPaneChange?.(change);
      });
      this.disposables.push({ dispose: () => restarts.dispose() });
      try {
        await this.options.onRegistry?.(registry);
      } catch (error) {
        this.options.log.error('supervisor', 'supervisor.attach.failed', { error: describeError(error) });
      }
      return registry;
    })();
    return this.loading;
  }

  private async newAgent(input: unknown): Promise<NewAgentResult | undefined> {
    const folder = this.options.folder;
    if (!folder) {
      void vscode.window.showErrorMessage(
        vscode.l10n.t('Open a folder first: FleetAI starts agents in the workspace folder.'),
      );
      return undefined;
    }
    let args: NewAgentArgs | undefined;
    try {
      args = parseNewAgentArgs(input);
    } catch (error) {
      void vscode.window.showErrorMessage(describeError(error));
      return undefined;
    }
    try {
      const registry = await this.load();
      args ??= await this.pickAgent(registry, folder);
      if (!args) return undefined;
      const { worktree, ...start } = args;
      let cwd = folder;
      if (worktree && start.branch) {
        const branch = start.branch;
        const created = await vscode.window.withProgress(
          {
            location: vscode.ProgressLocation.Window,
            title: vscode.l10n.t('FleetAI: creating a worktree for {0}…', branch),
          },
          () => this.createWorktree(folder, branch),
        );
        cwd = created.path;
      }
      const request = { ...start, cwd };
      const pane = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Window,
          title: vscode.l10n.t('FleetAI: starting {0}…', args.name ?? args.kind ?? args.command ?? ''),
        },
        () => registry.start(request),
      );
      const shown = this.openTerminal(pane);
      // Started from the UI, the agent takes the keyboard, like a new terminal; started by a caller, it does not.
      shown.terminal.show(input !== undefined);
      return {
        id: pane.id,
        name: pane.name,
        kind: pane.kind,
        terminalName: shown.terminal.name,
        cwd: pane.cwd,
        ...(pane.branch ? { branch: pane.branch } : {}),
      };
    } catch (error) {
      this.options.log.warn('pane', 'pane.start.failed', { ...args, error: describeError(error) });
      void vscode.window.showErrorMessage(startErrorMessage(error, args));
      return undefined;
    }
  }

  private openTerminal(pane: AgentPane): PaneTerminal {
    const shown = createPaneTerminal(pane.supervised, {
      name: terminalName(pane),
      exitMessage: (exit) => exitMessage(pane, exit),
      restartMessage: () => vscode.l10n.t('FleetAI started {0} again.', pane.name),
    });
    this.terminals.set(pane.id, shown);
    return shown;
  }

  /** A restarted pane runs a new process: its terminal shows that one (or a new terminal, if it was closed). */
  private showRestarted(pane: AgentPane): void {
    const shown = this.terminals.get(pane.id);
    if (shown) shown.rebind(pane.supervised);
    else this.openTerminal(pane);
  }

  private async createWorktree(folder: string, branch: string): Promise<CreatedWorktree> {
    const { createWorktree } = await import('../core/panes/worktree');
    return createWorktree({ repo: folder, branch, log: this.options.log });
  }

  private async pickAgent(registry: PaneRegistry, folder: string): Promise<NewAgentArgs | undefined> {
    const choices = await registry.agentChoices(folder);
    const picked = await vscode.window.showQuickPick(
      choices.map((c) => ({
        label: c.displayName,
        description: [c.command, ...c.args].join(' '),
        detail: c.path
          ? `$(check) ${vscode.l10n.t('Found at {0}', c.path)}`
          : `$(warning) ${vscode.l10n.t('Not found on PATH')}`,
        agentKind: c.kind,
      })),
      {
        title: vscode.l10n.t('FleetAI: New Agent'),
        placeHolder: vscode.l10n.t('Choose the agent to start in {0}', folder),
        matchOnDescription: true,
      },
    );
    if (!picked) return undefined;
    const place = await this.pickPlace(folder);
    if (!place) return undefined;
    const offer = choices.find((c) => c.kind === picked.agentKind)?.offersFleetMcp ?? false;
    if (!offer) return { kind: picked.agentKind, ...place };
    const fleetMcp = await this.askFleetMcp(picked.agentKind);
    return fleetMcp === undefined ? undefined : { kind: picked.agentKind, ...place, fleetMcp };
  }

  /**
   * Yes or No to FleetAI's MCP server for this agent, the last answer for the same profile first. Asked, not
   * assumed: it adds tools the agent sees, and for Codex its `-c` arguments run it without its app-server daemon.
   */
  private async askFleetMcp(kind: string): Promise<boolean | undefined> {
    const answers = this.options.workspaceState?.get<Record<string, boolean>>(FLEET_MCP_ANSWER_KEY) ?? {};
    const last = this.options.workspaceState ? answers[kind] : this.sessionAnswers.get(kind);
    const yes = {
      label: `$(plug) ${vscode.l10n.t('Yes')}`,
      description: vscode.l10n.t(
        'the agent reports its status and asks for approvals through fleet mcp-server',
      ),
      answer: true,
    };
    const no = { label: `$(circle-slash) ${vscode.l10n.t('No')}`, description: '', answer: false };
    const items = last === false ? [no, yes] : [yes, no];
    if (last !== undefined)
      items[0]!.description = [items[0]!.description, vscode.l10n.t('(last answer)')].join(' ').trim();
    const picked = await vscode.window.showQuickPick(items, {
      title: vscode.l10n.t('FleetAI: New Agent'),
      placeHolder: vscode.l10n.t('Give this agent the FleetAI MCP server (report status, ask approvals)?'),
    });
    if (!picked) return undefined;
    this.sessionAnswers.set(kind, picked.answer);
    await this.options.workspaceState?.update(FLEET_MCP_ANSWER_KEY, { ...answers, [kind]: picked.answer });
    return picked.answer;
  }

  /** In the workspace folder, or on a branch of its own in a new git worktree. */
  private async pickPlace(folder: string): Promise<{ branch?: string; worktree?: boolean } | undefined> {
    const here = {
      label: `$(folder) ${vscode.l10n.t('In this folder')}`,
      description: folder,
      worktree: false,
    };
    const apart = {
      label: `$(git-branch) ${vscode.l10n.t('On a new branch in its own worktree…')}`,
      description: vscode.l10n.t('a git worktree beside the repository; your checkout stays as it is'),
      worktree: true,
    };
    const place = await vscode.window.showQuickPick([here, apart], {
      title: vscode.l10n.t('FleetAI: New Agent'),
      placeHolder: vscode.l10n.t('Where should the agent work?'),
    });
    if (!place) return undefined;
    if (!place.worktree) return {};
    const { gitTopLevel, isValidBranchName } = await import('../core/panes/gitCheck');
    if (!(await gitTopLevel(folder))) {
      void vscode.window.showErrorMessage(notARepositoryMessage(folder));
      return undefined;
    }
    const branch = await vscode.window.showInputBox({
      title: vscode.l10n.t('FleetAI: New Agent on a branch'),
      prompt: vscode.l10n.t(
        'The branch the agent works on: a new one (made from the current commit) or an existing one that is not checked out anywhere.',
      ),
      placeHolder: 'feature/my-change',
      ignoreFocusOut: true,
      validateInput: async (value) =>
        (await isValidBranchName(value, folder))
          ? undefined
          : vscode.l10n.t(
              'Not a valid git branch name (no spaces, "..", "~", "^", ":", "?", "*" or "[", and no "-" at the start).',
            ),
    });
    return branch ? { branch, worktree: true } : undefined;
  }

  private async focus(target: PaneTarget): Promise<void> {
    const pane = await this.pickPane(target, () => true);
    if (!pane) return;
    const shown = this.terminals.get(pane.id);
    if (shown) shown.terminal.show();
    else void vscode.window.showInformationMessage(endedMessage(pane));
  }

  private async stop(target: PaneTarget): Promise<PtyExit | undefined> {
    const pane = await this.pickPane(target, (p) => !p.exited);
    if (!pane || !this.registry) return undefined;
    const exit = await this.registry.stop(pane.id);
    // Asked to stop, the agent's terminal goes too (the transcript keeps what it showed).
    this.terminals.get(pane.id)?.terminal.dispose();
    return exit;
  }

  private async nudgeAgent(target: PaneTarget): Promise<NudgeOutcome | undefined> {
    const pane = await this.pickPane(target, (p) => !p.exited);
    if (!pane || !this.options.nudge) return undefined;
    const outcome = await this.options.nudge(pane.id);
    if (!outcome.ok) {
      void vscode.window.showErrorMessage(
        vscode.l10n.t('FleetAI could not nudge {0}: {1}', pane.name, outcome.error.message),
      );
    } else if (outcome.requires_confirmation) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('The nudge for {0} waits for your approval ({1}).', pane.name, outcome.risk),
      );
    } else {
      vscode.window.setStatusBarMessage(
        vscode.l10n.t('FleetAI nudged {0}: {1}', pane.name, outcome.text),
        5000,
      );
    }
    return outcome;
  }

  private async restart(target: PaneTarget): Promise<boolean> {
    const pane = await this.pickPane(target, () => true);
    if (!pane || !this.registry) return false;
    try {
      await this.registry.restart(pane.id);
      return true;
    } catch (error) {
      void vscode.window.showErrorMessage(
        vscode.l10n.t('FleetAI could not restart {0}: {1}', pane.name, describeError(error)),
      );
      return false;
    }
  }

  /** The pane's transcript (`.fleetai/logs/panes/<id>.log`), as the registry writes it. */
  private async openTranscript(target: PaneTarget): Promise<boolean> {
    const pane = await this.pickPane(target, () => true);
    const dir = this.options.paths?.paneLogsDir;
    if (!pane || !dir) return false;
    const file = path.join(dir, `${pane.id}.log`);
    try {
      await vscode.window.showTextDocument(vscode.Uri.file(file), { preview: true });
      return true;
    } catch (error) {
      void vscode.window.showErrorMessage(
        vscode.l10n.t('FleetAI could not open the transcript {0}: {1}', file, describeError(error)),
      );
      return false;
    }
  }

  /** Asks the agent a question and shows its answer; the question is typed only when the rules allow it. */
  private async askAgent(target: PaneTarget, input: unknown): Promise<AskOutcome | undefined> {
    const pane = await this.pickPane(target, (p) => !p.exited);
    if (!pane) return undefined;
    const ask = this.options.ask;
    const question =
      typeof input === 'string'
        ? input
        : await vscode.window.showInputBox({
            title: vscode.l10n.t('Ask {0}', pane.name),
            prompt: vscode.l10n.t('FleetAI types the question into the agent and shows its answer.'),
            ignoreFocusOut: true,
          });
    if (!question || !ask) return undefined;
    const outcome = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Asking {0}…', pane.name) },
      () => ask(pane.id, question),
    );
    if (outcome.ok) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('{0} answers: {1}', pane.name, outcome.answer.slice(0, 1000)),
      );
    } else {
      void vscode.window.showErrorMessage(
        vscode.l10n.t('{0} could not be asked: {1}', pane.name, outcome.error.message),
      );
    }
    return outcome;
  }

  private async remove(target: PaneTarget): Promise<void> {
    const pane = await this.pickPane(target, () => true);
    if (!pane || !this.registry) return;
    await this.registry.remove(pane.id);
    this.terminals.get(pane.id)?.terminal.dispose();
  }

  private async sendTo(target: PaneTarget, input: unknown): Promise<boolean> {
    const pane = await this.pickPane(target, (p) => !p.exited);
    if (!pane || !this.registry) return false;
    const text =
      typeof input === 'string'
        ? input
        : await vscode.window.showInputBox({
            title: vscode.l10n.t('Send to {0}', pane.name),
            prompt: vscode.l10n.t('FleetAI types this into the agent and presses Enter.'),
            ignoreFocusOut: true,
          });
    if (text === undefined) return false;
    if (pane.state.name !== 'awaiting_input') {
      vscode.window.setStatusBarMessage(
        vscode.l10n.t('FleetAI: {0} is busy; the text will be typed when it waits for input.', pane.name),
        5000,
      );
    }
    const sent = await this.registry.send(pane.id, text);
    if (!sent) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t('{0} ended before the text could be typed.', pane.name),
      );
    }
    return sent;
  }

  /** The pane a command is for: the one given, else the only candidate, else the person picks. */
  private async pickPane(
    target: PaneTarget,
    candidate: (pane: AgentPane) => boolean,
  ): Promise<AgentPane | undefined> {
    const id = typeof target === 'string' ? target : typeof target?.id === 'string' ? target.id : undefined;
    if (id !== undefined) {
      const pane = this.registry?.get(id);
      if (!pane) void vscode.window.showErrorMessage(vscode.l10n.t('There is no agent {0}.', id));
      return pane;
    }
    const panes = (this.registry?.list() ?? []).filter(candidate);
    if (panes.length <= 1) {
      if (panes.length === 0) {
        void vscode.window.showInformationMessage(
          vscode.l10n.t('No agents are running. Start one with "FleetAI: New Agent".'),
        );
      }
      return panes[0];
    }
    const picked = await vscode.window.showQuickPick(
      panes.map((p) => ({
        label: p.name,
        description: `${p.id} · ${p.kind} · ${stateLabel(p.state.name)}`,
        pane: p,
      })),
      { placeHolder: vscode.l10n.t('Choose an agent') },
    );
    return picked?.pane;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    void this.registry?.disposeAll();
  }
}

function terminalName(pane: AgentPane): string {
  return pane.name === pane.id ? `FleetAI: ${pane.name}` : `FleetAI: ${pane.name} (${pane.id})`;
}

function exitMessage(pane: AgentPane, exit: PtyExit): string {
  const how = exit.signal
    ? vscode.l10n.t('{0} was ended by signal {1}.', pane.name, exit.signal)
    : vscode.l10n.t('{0} exited with code {1}.', pane.name, exit.exitCode);
  return `${how} ${vscode.l10n.t('Press any key to close this terminal.')}`;
}

function endedMessage(pane: AgentPane): string {
  return vscode.l10n.t('{0} has ended and its terminal is closed.', pane.name);
}

/** The `fleetai.newAgent` argument, checked: undefined asks the person, anything malformed is refused. */
function parseNewAgentArgs(input: unknown): NewAgentArgs | undefined {
  if (input === undefined || input === null) return undefined;
  const invalid = (): Error =>
    new Error(
      vscode.l10n.t(
        'fleetai.newAgent takes {0}; got {1}.',
        '{kind?, command?, args?: string[], name?, branch?, worktree?: boolean, fleetMcp?: boolean}',
        JSON.stringify(input) ?? typeof input,
      ),
    );
  if (typeof input !== 'object' || Array.isArray(input)) throw invalid();
  const record = input as Record<string, unknown>;
  const out: NewAgentArgs = {};
  for (const key of ['kind', 'command', 'name', 'branch'] as const) {
    const value = record[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') throw invalid();
    out[key] = value;
  }
  if (record.args !== undefined) {
    if (!Array.isArray(record.args) || !record.args.every((a) => typeof a === 'string')) throw invalid();
    out.args = record.args.map(String);
  }
  if (record.worktree !== undefined) {
    if (typeof record.worktree !== 'boolean' || (record.worktree && out.branch === undefined))
      throw invalid();
    if (record.worktree) out.worktree = true;
  }
  if (record.fleetMcp !== undefined) {
    if (typeof record.fleetMcp !== 'boolean') throw invalid();
    if (record.fleetMcp) out.fleetMcp = true;
  }
  // An object that names neither a kind nor a command (a tree item, a stray argument) means "ask".
  return out.kind === undefined && out.command === undefined ? undefined : out;
}

function notARepositoryMessage(folder: string): string {
  return vscode.l10n.t(
    '{0} is not in a git repository, so FleetAI cannot give the agent a branch and worktree of its own. Start it in this folder instead, or run "git init" and make a first commit.',
    folder,
  );
}

/** Why an agent did not start, in words for the person who asked for it. */
function startErrorMessage(error: unknown, args: NewAgentArgs | undefined): string {
  const details = isFleetError(error) ? (error.details ?? {}) : {};
  const text = (key: string, fallback = ''): string => {
    const value = details[key];
    return typeof value === 'string' ? value : fallback;
  };
  switch (isFleetError(error) ? error.code : undefined) {
    case ErrorCode.AgentNotFound:
      return vscode.l10n.t(
        '{0} is not installed, or not on the PATH that VS Code sees. Install it, or set "command" in .fleetai/agents/{1}.json to its full path.',
        text('command'),
        text('kind'),
      );
    case ErrorCode.AgentUnknown: {
      const known = Array.isArray(details.known) ? details.known.join(', ') : '';
      return vscode.l10n.t('FleetAI has no agent profile "{0}". Known agents: {1}.', text('kind'), known);
    }
    case ErrorCode.ConfigSchema:
      if (details.field === 'fleetMcp') {
        return vscode.l10n.t(
          'FleetAI cannot give {0} its MCP server: the agent profile has no "fleetMcp" (no way to hand this agent an MCP server for one run). Start it without.',
          text('kind'),
        );
      }
      return vscode.l10n.t('FleetAI could not start the agent: {0}', describeError(error));
    case ErrorCode.NativeModule:
      return vscode.l10n.t(
        'FleetAI cannot open terminals because its node-pty module did not load. Run "FleetAI: Run Doctor" for details. ({0})',
        describeError(error),
      );
    case ErrorCode.Worktree:
      if (details.reason === 'checked-out') {
        return vscode.l10n.t(
          'Branch "{0}" is already checked out in {1}, and git lets a branch be checked out in only one place. Choose another branch name, or open that folder and start the agent there.',
          text('branch', args?.branch ?? ''),
          text('worktree'),
        );
      }
      if (details.reason === 'invalid-branch') {
        return vscode.l10n.t('"{0}" is not a valid git branch name.', text('branch', args?.branch ?? ''));
      }
      return vscode.l10n.t('FleetAI could not create the worktree: {0}', describeError(error));
    case ErrorCode.Git:
      if (/not a git repository/i.test(text('stderr'))) return notARepositoryMessage(text('repo'));
      return vscode.l10n.t(
        'git could not create a worktree for branch "{0}": {1}',
        text('branch', args?.branch ?? ''),
        text('stderr') || describeError(error),
      );
    case ErrorCode.PaneSpawn:
      return vscode.l10n.t(
        'FleetAI could not start {0}: {1}',
        text('file', args?.command ?? ''),
        describeError(error),
      );
    default:
      return vscode.l10n.t('FleetAI could not start the agent: {0}', describeError(error));
  }
}
