import { existsSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { approvalKindLabel, riskLabel } from './approvalWords';
import type { ApprovalRequest, ApprovalStore } from '../core/approvals';
import type { OrchestratorConfig, PaneConfig } from '../core/config/orchestratorConfig';
import type { ControlFile } from '../core/control/controlProtocol';
import type { ControlServer } from '../core/control/controlServer';
import type { SupervisorLock } from '../core/control/supervisorLock';
import type { SupervisorMetrics } from '../core/metrics';
import { ErrorCode, describeError, isFleetError } from '../core/errors';
import type { McpControl } from '../core/mcp/mcpControl';
import type { Logger } from '../core/observability/appLog';
import type { Disposable } from '../core/panes/events';
import { HEARTBEAT_STALE_MS } from '../core/supervisor/fleetCounts';
import type { PaneRegistry } from '../core/panes/paneRegistry';
import type { ApprovalDecision } from '../core/panes/types';
import type { Orchestrator, StateStorePort } from '../core/supervisor/orchestrator';
import type { PaneMeta, SupervisorState } from '../core/supervisor/paneMetadata';
import type { TaskSpec, TaskStatus } from '../core/supervisor/taskBoard';
import type { ApprovalRecordView, ApprovalsPort, FleetPort, Notification } from '../core/supervisor/ports';
import type { SupervisorSettings } from '../core/supervisor/settings';
import { mergeWindowSettings } from '../core/supervisor/windowSettings';
import type { WorkspacePaths } from '../core/workspacePaths';
import type { AskOutcome, NudgeOutcome } from './agentPanes';
import { windowNotifier } from './notifyChannel';
import type { ChannelSecrets } from '../core/notify';
import type { SupervisorSummary } from './api';
import type { SupervisorView } from '../protocol/messages';
import type { HeartbeatSource, HeartbeatView, SupervisorMode } from './statusBar';

const CATEGORY = 'supervisor';
/** How often a window that left the supervision to another process looks whether that one is still there. */
const OWNER_CHECK_MS = 10_000;
/** How long a window that lost the race for the supervisor lock waits for the winner's control socket. */
const LOCK_WAIT_MS = 10_000;

export interface SupervisorHostOptions {
  folder: string | undefined;
  paths: WorkspacePaths | undefined;
  log: Logger;
  /** Loads the window's pane registry (which attaches it here) without starting an agent. */
  loadRegistry?: () => Promise<PaneRegistry>;
  /** The model API key kept in VS Code's SecretStorage (`FleetAI: Set Model API Key`), if any. */
  storedApiKey?: () => Promise<string | undefined>;
  /** Starts one of the config's panes as a VS Code terminal (Start Orchestrator, autostart). */
  startConfigPane?: (config: OrchestratorConfig, pane: PaneConfig) => Promise<void>;
  /** The window's MCP sessions for `fleet mcp:*` through the control socket (the MCP Servers view's bridge). */
  mcpControl?: (approvals: ApprovalsPort) => Promise<McpControl | undefined>;
  /** The window's MCP sessions, for the exporter's orchestrator_mcp_server_state. */
  mcpSessions?: { aliases(): string[]; state(alias: string): string };
  /** Webhook URLs kept in SecretStorage (extension/vscode/notifyChannel.ts), looked at before the environment. */
  notifySecrets?: ChannelSecrets;
}

/** The answer to a decision made from this window. */
export type DecideOutcome =
  { ok: true; record: ApprovalRecordView } | { ok: false; error: { code: string; message: string } };

interface Running {
  lock: SupervisorLock;
  orchestrator: Orchestrator;
  approvals: ApprovalsPort & Disposable;
  fleet: FleetPort & Disposable;
  control: ControlServer | undefined;
  /** Closed on stop: its channels retry in the background. */
  notifier: { close(): void };
  /** The Prometheus exporter, when configured (fleetai.metrics.port, or the workspace's metrics_port). */
  metrics?: SupervisorMetrics;
  /** The approval portal and chat callbacks (fleetai.portal.port, or the workspace's portal.port). */
  portal?: { url: string; close(): Promise<void> };
  /** Why the portal did not start here (a port in use...). */
  portalError?: string;
  /** The daily review digest (`review.digest_time`), stopped with the supervisor. */
  digest?: { stop(): void };
  /** The daily state backup (`backup.enabled`, `backup.time`), stopped with the supervisor. */
  backups?: { stop(): void };
  /** Reloads the task board when .fleetai/orchestrator.json changes. */
  tasksWatch?: { dispose(): void };
}

/**
 * The supervisor core (extension/core/supervisor) running in a VS Code window, over the window's pane registry:
 * the same Orchestrator, approval store, state file and control socket as `fleet orchestrator`, with VS Code
 * notifications as its notifier and the `fleetai.*` settings over the workspace config. One supervisor per
 * workspace: when another process (a second window, a `fleet orchestrator`) already answers on the workspace's
 * control socket, this window starts none, shows its own panes as usual, and takes over once that one is gone.
 *
 * Nothing here is loaded at activation: the core modules come with the first agent (attach) or the first
 * approval command.
 */
export class SupervisorHost implements HeartbeatSource, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];
  private registry: PaneRegistry | undefined;
  private mode: SupervisorMode = 'off';
  private problem: string | undefined;
  private running: Running | undefined;
  private owner: ControlFile | undefined;
  private ownerTimer: ReturnType<typeof setInterval> | undefined;
  private heartbeat: string | undefined;
  private config: OrchestratorConfig | undefined;
  private fileSettings: SupervisorSettings | undefined;
  /** The object the orchestrator reads its settings from: changed in place when a setting changes. */
  private settings: SupervisorSettings | undefined;
  private configProblem: string | undefined;
  private controlProblem: string | undefined;
  private store: Promise<ApprovalStore> | undefined;
  private storeWatch: Disposable | undefined;
  private pendingRecords: ApprovalRequest[] = [];
  private stopped = false;

  constructor(private readonly options: SupervisorHostOptions) {
    this.disposables.push(
      this.changeEmitter,
      vscode.commands.registerCommand('fleetai.approve', (target?: unknown) =>
        this.answerCommand('approve', target, undefined),
      ),
      vscode.commands.registerCommand('fleetai.deny', (target?: unknown, reason?: unknown) =>
        this.answerCommand('deny', target, reason),
      ),
      vscode.commands.registerCommand('fleetai.toggleDryRun', () => this.toggleDryRun()),
      vscode.commands.registerCommand('fleetai.startOrchestrator', () =>
        this.startOrchestrator({ auto: false }),
      ),
      vscode.commands.registerCommand('fleetai.stopOrchestrator', () => this.stopOrchestrator()),
      vscode.commands.registerCommand('fleetai.openPortal', () => this.openPortal()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        const keys = ['stallTimeoutSeconds', 'stallRetriesBeforeNotify', 'failureAlertThreshold', 'dryRun'];
        if (keys.some((k) => event.affectsConfiguration(`fleetai.${k}`))) this.applySettings('settings');
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.applySettings('trust')),
    );
  }

  /**
   * The window's registry has loaded (the first agent is about to start): read the workspace config, then run
   * the supervisor here or leave it to the process that already runs one. Never throws: a supervisor that
   * cannot start must not keep the agent from starting.
   */
  async attach(registry: PaneRegistry): Promise<void> {
    if (this.registry) return;
    this.registry = registry;
    const subscription = registry.onDidChange(() => this.fire());
    this.disposables.push({ dispose: () => subscription.dispose() });
    const { folder, paths } = this.options;
    if (!folder || !paths) return;
    try {
      await this.openStore();
      await this.loadConfig(paths);
      await this.startOrDefer(folder, paths);
    } catch (error) {
      this.mode = 'failed';
      this.problem = describeError(error);
      this.options.log.error(CATEGORY, 'supervisor.window.failed', { error: this.problem });
      void vscode.window.showErrorMessage(
        vscode.l10n.t('FleetAI could not start its supervisor: {0}', this.problem),
      );
    }
    this.fire();
  }

  /** The effective stall timeout for new panes (config file and settings merged); undefined before attach. */
  stallTimeoutMs(): number | undefined {
    return this.settings?.stallTimeoutMs;
  }

  view(): HeartbeatView {
    return {
      panes: (this.registry?.list() ?? []).map((p) => ({ id: p.id, name: p.name, state: p.state.name })),
      pending: this.pendingRecords,
      supervisor: {
        mode: this.mode,
        ...(this.heartbeat ? { heartbeat: this.heartbeat } : {}),
        dryRun: this.settings?.dryRun ?? false,
        ...(this.owner ? { ownerPid: this.owner.pid } : {}),
        ...(this.problem ? { problem: this.problem } : {}),
      },
    };
  }

  summary(): SupervisorSummary {
    return {
      mode: this.mode,
      dryRun: this.settings?.dryRun ?? false,
      ...(this.owner ? { ownerPid: this.owner.pid } : {}),
      ...(this.heartbeat ? { heartbeat: this.heartbeat } : {}),
      ...(this.options.paths ? { configFile: this.options.paths.orchestratorConfig } : {}),
      ...(this.configProblem ? { configProblem: this.configProblem } : {}),
      ...(this.controlProblem ? { controlProblem: this.controlProblem } : {}),
      ...(this.problem ? { problem: this.problem } : {}),
    };
  }

  /** The supervisor's metadata (phases, blockers, queues, heartbeat), when it runs in this window. */
  snapshot(): SupervisorState | undefined {
    if (!this.running) return undefined;
    return { ...this.running.orchestrator.snapshot(), dry_run: this.running.orchestrator.settings.dryRun };
  }

  /** The supervisor's view of a pane (phase, blockers, next actions), when it runs in this window. */
  metaFor(paneId: string): PaneMeta | undefined {
    return this.running?.orchestrator.metaFor(paneId);
  }

  /** The task board of the supervisor running in this window (empty otherwise). */
  tasks(): (TaskSpec & { status: TaskStatus })[] {
    return this.running?.orchestrator.tasks.list() ?? [];
  }

  /** The phase of the task a pane works on (by the task's pane, or the pane's metadata), if any. */
  taskPhaseFor(paneId: string): string | undefined {
    const tasks = this.tasks();
    const byMeta = this.metaFor(paneId)?.task;
    const task =
      (byMeta ? tasks.find((t) => t.id === byMeta) : undefined) ??
      tasks.find((t) => (t.status.pane ?? t.pane) === paneId);
    return task?.status.phase;
  }

  /** Pending approvals as last read from the store (its watch keeps them current). */
  pending(): readonly ApprovalRequest[] {
    return this.pendingRecords;
  }

  /** Asks a pane a question through the supervisor (its rules, its dry run, its audit log). */
  async ask(paneId: string, question: string): Promise<AskOutcome> {
    if (!this.running) return { ok: false, error: this.notHere() };
    return this.running.orchestrator.ask(paneId, question, 'vscode');
  }

  /** Queues the profile's nudge text for a pane as the person's own command (rules and approvals apply). */
  async nudge(paneId: string): Promise<NudgeOutcome> {
    if (!this.running) return { ok: false, error: this.notHere() };
    try {
      const text = this.running.fleet.nudgeText(paneId);
      const queued = await this.running.orchestrator.submit({
        pane: paneId,
        text,
        kind: 'nudge',
        source: 'user',
      });
      return { ok: true, text, ...queued };
    } catch (error) {
      return {
        ok: false,
        error: { code: isFleetError(error) ? error.code : 'E_NUDGE_FAILED', message: describeError(error) },
      };
    }
  }

  private notHere(): { code: string; message: string } {
    return {
      code: 'E_SUPERVISOR_NOT_HERE',
      message:
        this.mode === 'elsewhere'
          ? vscode.l10n.t(
              'The supervisor of this workspace runs in another process (pid {0}); ask there.',
              this.owner?.pid ?? '?',
            )
          : vscode.l10n.t('The supervisor is not running in this window.'),
    };
  }

  /** What the dashboard's heartbeat says. */
  heartbeatWord(): 'idle' | 'running' | 'stale' {
    if (this.mode !== 'window' && this.mode !== 'elsewhere') return 'idle';
    const at = this.heartbeat ? Date.parse(this.heartbeat) : Number.NaN;
    return Number.isNaN(at) || Date.now() - at > HEARTBEAT_STALE_MS ? 'stale' : 'running';
  }

  /** Pending approval requests of the workspace, oldest first (read from the store, whoever asked). */
  async pendingApprovals(): Promise<ApprovalRequest[]> {
    return (await this.openStore()).pending();
  }

  pendingCount(): number {
    return this.pendingRecords.length;
  }

  /**
   * Decides a pending request from this window. Through the supervisor when it runs here (it carries the
   * answer to the agent at once); otherwise in the store, where the supervisor that asked picks it up. A
   * second answer is refused: the person is told who answered first, as information.
   */
  async decide(
    id: string,
    decision: ApprovalDecision,
    message?: string,
    options: { quiet?: boolean } = {},
  ): Promise<DecideOutcome> {
    let outcome: DecideOutcome;
    if (this.running) {
      outcome = await this.running.orchestrator.decideApproval(id, decision, 'vscode', message);
    } else {
      const store = await this.openStore();
      const result = await store.decide(id, decision, {
        by: 'vscode',
        ...(message !== undefined ? { message } : {}),
      });
      outcome = result.ok
        ? { ok: true, record: { ...result.record } }
        : { ok: false, error: { code: result.error.code, message: result.error.message } };
    }
    if (outcome.ok) {
      this.options.log.info('approvals', 'approval.answered.vscode', { id, decision, mode: this.mode });
      await this.refreshPending();
      return outcome;
    }
    this.options.log.info('approvals', 'approval.answer.refused', { id, code: outcome.error.code });
    const refusal = await this.refusalText(id, outcome.error);
    // A webview shows the words itself, beside the request; everything else gets them as a notification.
    if (!options.quiet) void refusal.show();
    return { ok: false, error: { code: outcome.error.code, message: refusal.text } };
  }

  /** The supervisor as the webviews show it. */
  supervisorView(): SupervisorView {
    return {
      mode: this.mode,
      heartbeat: this.heartbeatWord(),
      ...(this.heartbeat ? { heartbeatAt: this.heartbeat } : {}),
      dryRun: this.settings?.dryRun ?? false,
      ...(this.owner ? { ownerPid: this.owner.pid } : {}),
      ...(this.problem ? { problem: this.problem } : {}),
    };
  }

  /**
   * `FleetAI: Start Orchestrator` (and the window's autostart): load the config again, run the supervisor here
   * (or leave it to the process that already runs one), then start the config's `autostart` panes that are not
   * running yet. In an untrusted workspace nothing starts by itself: `auto` then does nothing.
   */
  async startOrchestrator(options: { auto: boolean }): Promise<SupervisorSummary> {
    const { folder, paths, log } = this.options;
    if (!folder || !paths) {
      if (!options.auto)
        void vscode.window.showErrorMessage(
          vscode.l10n.t('Open a folder first: FleetAI supervises the agents of a workspace folder.'),
        );
      return this.summary();
    }
    if (!vscode.workspace.isTrusted) {
      log.info(CATEGORY, 'supervisor.autostart.untrusted', { auto: options.auto });
      if (!options.auto)
        void vscode.window.showWarningMessage(
          vscode.l10n.t('FleetAI starts no agent in a workspace you have not trusted. Trust it first.'),
        );
      return this.summary();
    }
    if (this.stopped) return this.summary();
    try {
      if (this.mode === 'window') {
        if (!options.auto)
          void vscode.window.showInformationMessage(
            vscode.l10n.t('The FleetAI supervisor already runs in this window.'),
          );
      } else if (this.mode === 'elsewhere') {
        if (!options.auto)
          void vscode.window.showInformationMessage(
            vscode.l10n.t(
              'The supervisor of this workspace runs in another process (pid {0}); this window shows its agents.',
              this.owner?.pid ?? '?',
            ),
          );
        return this.summary();
      } else if (!this.registry) {
        // Loading the registry attaches it here, which reads the config and starts the supervisor.
        if (!this.options.loadRegistry) return this.summary();
        await this.options.loadRegistry();
      } else {
        this.problem = undefined;
        await this.openStore();
        await this.loadConfig(paths);
        await this.startOrDefer(folder, paths);
      }
      if (this.mode !== 'window' || !this.config || !this.registry) {
        this.fire();
        return this.summary();
      }
      const running = new Set(
        this.registry
          .list()
          .filter((p) => !p.exited)
          .map((p) => p.id),
      );
      const wanted = this.config.panes.filter((p) => p.autostart && !running.has(p.id));
      const failed: string[] = [];
      for (const pane of wanted) {
        try {
          await this.options.startConfigPane?.(this.config, pane);
        } catch (error) {
          // One pane that cannot start (a missing CLI, a branch checked out elsewhere) must not stop the others.
          failed.push(`${pane.id}: ${describeError(error)}`);
          log.error(CATEGORY, 'pane.autostart.failed', {
            pane: pane.id,
            agent: pane.agent,
            error: describeError(error),
          });
        }
      }
      log.info(CATEGORY, 'supervisor.window.started_panes', {
        auto: options.auto,
        started: wanted.length - failed.length,
        failed: failed.length,
      });
      if (failed.length > 0)
        void vscode.window.showErrorMessage(
          vscode.l10n.t(
            'FleetAI could not start {0} of the configured agents: {1}',
            failed.length,
            failed.join('; '),
          ),
        );
      else if (!options.auto)
        void vscode.window.showInformationMessage(
          vscode.l10n.t('FleetAI supervises this workspace; {0} configured agents started.', wanted.length),
        );
    } catch (error) {
      this.mode = 'failed';
      this.problem = describeError(error);
      log.error(CATEGORY, 'supervisor.window.failed', { error: this.problem });
      void vscode.window.showErrorMessage(
        vscode.l10n.t('FleetAI could not start its supervisor: {0}', this.problem),
      );
    }
    this.fire();
    return this.summary();
  }

  /**
   * `FleetAI: Stop Orchestrator`: the supervisor of this window stops (its last state saved, its control socket
   * closed); the agents keep running in their terminals, unsupervised, until it starts again.
   */
  async stopOrchestrator(): Promise<SupervisorSummary> {
    if (this.mode === 'elsewhere') {
      void vscode.window.showInformationMessage(
        vscode.l10n.t(
          'The supervisor of this workspace runs in another process (pid {0}); stop it there.',
          this.owner?.pid ?? '?',
        ),
      );
      return this.summary();
    }
    const running = this.running;
    if (!running) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('The FleetAI supervisor is not running in this window.'),
      );
      return this.summary();
    }
    this.running = undefined;
    this.mode = 'off';
    this.heartbeat = undefined;
    await shutdown(running);
    this.options.log.info(CATEGORY, 'supervisor.window.stopped', { by: 'user' });
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'FleetAI stopped supervising. The agents keep running; Start Orchestrator supervises them again.',
      ),
    );
    this.fire();
    return this.summary();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.ownerTimer) clearInterval(this.ownerTimer);
    this.storeWatch?.dispose();
    const running = this.running;
    this.running = undefined;
    if (running) await shutdown(running);
  }

  dispose(): void {
    void this.stop();
    for (const d of this.disposables) d.dispose();
  }

  // --- starting -----------------------------------------------------------------------------------------------

  private async loadConfig(paths: WorkspacePaths): Promise<void> {
    const [{ loadOrchestratorConfig, defaultOrchestratorConfig }, { settingsFromConfig }] = await Promise.all(
      [import('../core/config/orchestratorConfig'), import('../core/supervisor/settingsFromConfig')],
    );
    try {
      const loaded = await loadOrchestratorConfig(paths.orchestratorConfig);
      this.config = loaded.config;
      if (loaded.found) this.options.log.info(CATEGORY, 'supervisor.config.loaded', { file: loaded.file });
    } catch (error) {
      // A broken file must not stop the supervisor: it runs on the defaults and says where the file went wrong.
      this.config = defaultOrchestratorConfig();
      const problems = isFleetError(error) ? error.details?.problems : undefined;
      this.configProblem =
        Array.isArray(problems) && typeof problems[0] === 'string' ? problems[0] : describeError(error);
      this.options.log.error(CATEGORY, 'supervisor.config.invalid', {
        file: paths.orchestratorConfig,
        error: describeError(error),
      });
      void this.reportConfigProblem(this.configProblem);
    }
    this.fileSettings = settingsFromConfig(this.config);
    this.settings = this.mergedSettings();
  }

  private async reportConfigProblem(problem: string): Promise<void> {
    const open = vscode.l10n.t('Open File');
    const picked = await vscode.window.showErrorMessage(
      vscode.l10n.t('FleetAI: the supervisor config has a problem, so its defaults are used: {0}', problem),
      open,
    );
    if (picked !== open) return;
    // "file:line:column: field: message", as the config loader words it.
    const where = /^(.*?):(\d+):(\d+): /.exec(problem);
    const file = where?.[1] ?? this.options.paths?.orchestratorConfig;
    if (!file) return;
    const position = new vscode.Position(
      Math.max(0, Number(where?.[2] ?? 1) - 1),
      Math.max(0, Number(where?.[3] ?? 1) - 1),
    );
    await vscode.window.showTextDocument(vscode.Uri.file(file), {
      selection: new vscode.Range(position, position),
    });
  }

  private mergedSettings(): SupervisorSettings | undefined {
    if (!this.fileSettings) return undefined;
    const folderUri = this.options.folder ? vscode.Uri.file(this.options.folder) : undefined;
    const config = vscode.workspace.getConfiguration('fleetai', folderUri);
    // Only what the user set wins over the file: the defaults declared in package.json never do.
    const explicit = (key: string): unknown => {
      const inspected = config.inspect(key);
      return inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
    };
    const merged = mergeWindowSettings(
      this.fileSettings,
      {
        stallTimeoutSeconds: explicit('stallTimeoutSeconds'),
        stallRetriesBeforeNotify: explicit('stallRetriesBeforeNotify'),
        failureAlertThreshold: explicit('failureAlertThreshold'),
        dryRun: explicit('dryRun'),
      },
      { trusted: vscode.workspace.isTrusted },
    );
    if (merged.ignored.length > 0)
      this.options.log.warn(CATEGORY, 'supervisor.settings.ignored', { ignored: merged.ignored });
    return merged.settings;
  }

  /** A setting or the workspace's trust changed: the running supervisor takes the new values at once. */
  private applySettings(why: 'settings' | 'trust'): void {
    const merged = this.mergedSettings();
    if (!merged || !this.settings) return;
    Object.assign(this.settings, merged);
    this.options.log.info(CATEGORY, 'supervisor.settings.changed', {
      why,
      dryRun: merged.dryRun,
      stallTimeoutMs: merged.stallTimeoutMs,
      stallRetriesBeforeNotify: merged.stallRetriesBeforeNotify,
      failureAlertThreshold: merged.failureAlertThreshold,
    });
    this.fire();
  }

  private controlFile(paths: WorkspacePaths): string {
    return path.join(paths.stateDir, 'control.json');
  }

  private async startOrDefer(folder: string, paths: WorkspacePaths): Promise<void> {
    const [{ findSupervisorOwner }, { takeSupervisorLock }] = await Promise.all([
      import('../core/control/supervisorOwner'),
      import('../core/control/supervisorLock'),
    ]);
    const owner = await findSupervisorOwner(this.controlFile(paths));
    if (owner.state === 'live') return this.defer(owner.control, folder, paths);
    if (owner.state === 'stale' || owner.state === 'unreadable') {
      this.options.log.info(CATEGORY, 'supervisor.control.stale', {
        reason: owner.reason,
        ...(owner.state === 'stale' ? { pid: owner.control.pid, socket: owner.control.socket } : {}),
      });
    }
    const lock = await takeSupervisorLock(paths.stateDir, this.options.log);
    if (lock) return this.startHere(folder, paths, lock);
    // Another process started at the same moment and holds the lock: follow it once it answers.
    const end = Date.now() + LOCK_WAIT_MS;
    while (Date.now() < end && !this.stopped) {
      await new Promise((r) => setTimeout(r, 250));
      const other = await findSupervisorOwner(this.controlFile(paths));
      if (other.state === 'live') return this.defer(other.control, folder, paths);
    }
    this.mode = 'failed';
    this.problem = vscode.l10n.t(
      'Another FleetAI process holds the supervisor lock of this workspace ({0}) but does not answer on its control socket.',
      path.join(paths.stateDir, 'supervisor.lock'),
    );
    this.options.log.error(CATEGORY, 'supervisor.window.locked_out', { problem: this.problem });
  }

  /** Another process supervises the workspace: watch it, read its heartbeat, take over when it is gone. */
  private defer(control: ControlFile, folder: string, paths: WorkspacePaths): void {
    this.mode = 'elsewhere';
    this.owner = control;
    this.options.log.info(CATEGORY, 'supervisor.window.deferred', {
      reason:
        'another FleetAI supervisor answers on the control socket of this workspace; one supervisor per workspace',
      pid: control.pid,
      socket: control.socket,
      started_at: control.started_at,
    });
    void this.readOwnerHeartbeat(paths);
    let checking = false;
    this.ownerTimer = setInterval(() => {
      if (checking || this.stopped) return;
      checking = true;
      void (async () => {
        try {
          const { findSupervisorOwner } = await import('../core/control/supervisorOwner');
          const owner = await findSupervisorOwner(this.controlFile(paths));
          if (owner.state === 'live') {
            this.owner = owner.control;
            await this.readOwnerHeartbeat(paths);
            return;
          }
          // Its lock goes when it stops (or 30 s after it died): until then, keep looking.
          const { takeSupervisorLock } = await import('../core/control/supervisorLock');
          const lock = await takeSupervisorLock(paths.stateDir, this.options.log);
          if (!lock) return;
          clearInterval(this.ownerTimer);
          this.ownerTimer = undefined;
          this.options.log.info(CATEGORY, 'supervisor.window.taking_over', {
            previous: this.owner?.pid,
            reason: owner.state === 'none' ? 'its control file is gone' : owner.reason,
          });
          this.owner = undefined;
          this.heartbeat = undefined;
          await this.startHere(folder, paths, lock);
        } catch (error) {
          this.mode = 'failed';
          this.problem = describeError(error);
          this.options.log.error(CATEGORY, 'supervisor.window.failed', { error: this.problem });
        } finally {
          checking = false;
          this.fire();
        }
      })();
    }, OWNER_CHECK_MS);
    this.ownerTimer.unref?.();
  }

  private async readOwnerHeartbeat(paths: WorkspacePaths): Promise<void> {
    const { readSupervisorState } = await import('../core/supervisor/stateStore');
    const state = await readSupervisorState(paths.stateDir).catch(() => undefined);
    if (state?.orchestrator_heartbeat) this.heartbeat = state.orchestrator_heartbeat;
    this.fire();
  }

  private async startHere(folder: string, paths: WorkspacePaths, lock: SupervisorLock): Promise<void> {
    const registry = this.registry;
    const config = this.config;
    const settings = this.settings;
    if (!registry || !config || !settings || this.stopped) return lock.release();
    try {
      await this.startLocked(folder, paths, lock, registry, config, settings);
    } catch (error) {
      if (!this.running) await lock.release();
      throw error;
    }
  }

  private async startLocked(
    folder: string,
    paths: WorkspacePaths,
    lock: SupervisorLock,
    registry: PaneRegistry,
    config: OrchestratorConfig,
    settings: SupervisorSettings,
  ): Promise<void> {
    const { log } = this.options;
    const [
      { Orchestrator },
      { registryFleet },
      { storeApprovalsPort },
      { createClassifier },
      { supervisorStateStore },
      { startControlServer },
      { controlSocketPath },
      { supervisorControlHandler },
    ] = await Promise.all([
      import('../core/supervisor/orchestrator'),
      import('../core/supervisor/registryFleet'),
      import('../core/supervisor/storeApprovals'),
      import('../core/supervisor/approvalsGlue'),
      import('../core/supervisor/stateStore'),
      import('../core/control/controlServer'),
      import('../core/config/orchestratorConfig'),
      import('../core/supervisor/controlHandler'),
    ]);
    // The config's model (next actions, summaries, the stricter-only risk judge), as `fleet orchestrator` uses it;
    // without one named the supervisor decides by its rules.
    const { modelDeciderFromConfig } = await import('../core/supervisor/modelFromConfig');
    const decider = await modelDeciderFromConfig(
      config,
      paths.orchestratorConfig,
      paths,
      log,
      await this.options.storedApiKey?.().catch(() => undefined),
    );
    const approvals = storeApprovalsPort(paths, log);
    const fleet = registryFleet(registry);
    const exporter = metricsEndpoint(config, paths);
    const metrics = exporter
      ? new (await import('../core/metrics')).SupervisorMetrics(
          (await import('../core/approvals')).ApprovalStore.forWorkspace(paths),
          log,
        )
      : undefined;
    const files = supervisorStateStore(paths.stateDir);
    // Each save is the supervisor saying its state changed (its heartbeat included): the status bar follows it.
    const store: StateStorePort = {
      load: () => files.load(),
      save: async (state) => {
        await files.save(state);
        this.heartbeat = state.orchestrator_heartbeat;
        this.fire();
      },
    };
    // This window's notification gets everything; WeCom, Slack and a webhook what needs a person.
    const notifier = await windowNotifier({
      config,
      log,
      approvals,
      ...(this.options.notifySecrets ? { secrets: this.options.notifySecrets } : {}),
      show: (n) => this.notify(n),
    });
    const orchestrator = new Orchestrator({
      fleet,
      approvals,
      notifier,
      store,
      log: metrics ? metrics.tap(log) : log,
      settings,
      classify: createClassifier(config, folder),
      workspaceRoot: folder,
      tasks: config.tasks,
      ...(decider ? { decider: metrics ? metrics.instrument(decider) : decider } : {}),
    });
    await orchestrator.start();
    // `fleet tasks:apply`, Apply Task Draft or an editor changing orchestrator.json: the board follows it here.
    const { watchTasks } = await import('../core/supervisor/tasksReload');
    const tasksWatch = watchTasks({
      configFile: paths.orchestratorConfig,
      supervisor: orchestrator,
      log,
      onOutcome: (outcome) => {
        if (outcome.kind === 'invalid') {
          void vscode.window.showWarningMessage(
            vscode.l10n.t(
              'FleetAI: the tasks were not reloaded, the supervisor keeps its board: {0}',
              outcome.problem,
            ),
          );
        }
      },
    });
    this.running = {
      lock,
      orchestrator,
      approvals,
      fleet,
      control: undefined,
      notifier,
      tasksWatch,
      ...(metrics ? { metrics } : {}),
    };
    this.mode = 'window';
    this.problem = undefined;
    this.heartbeat = orchestrator.snapshot().orchestrator_heartbeat;
    // A bridge that cannot open leaves `fleet mcp:*` to their own bridge; the supervisor does not depend on it.
    const mcp = await this.options.mcpControl?.(approvals).catch((error: unknown) => {
      log.warn('mcp', 'control_unavailable', { error: describeError(error) });
      return undefined;
    });
    try {
      this.running.control = await startControlServer({
        preferredSocket: controlSocketPath(config, paths.orchestratorConfig, paths.stateDir),
        controlFile: this.controlFile(paths),
        workspace: folder,
        log,
        handler: supervisorControlHandler({
          orchestrator,
          registry,
          approvals,
          host: 'vscode',
          log,
          notifier,
          ...(mcp ? { mcp } : {}),
        }),
      });
      this.controlProblem = undefined;
    } catch (error) {
      // The supervisor still works in this window; only `fleet status/send/approvals` cannot reach it.
      this.controlProblem = describeError(error);
      log.error('control', 'control.start_failed', { error: this.controlProblem });
    }
    if (metrics && exporter) {
      // Loaded with SupervisorMetrics above (prom-client stays out of the window's start-up).
      const { supervisorView } = await import('../core/metrics');
      metrics.attach(
        supervisorView({
          fleet,
          orchestrator,
          approvals,
          heartbeatStaleMs: HEARTBEAT_STALE_MS,
          ...(this.options.mcpSessions ? { mcp: this.options.mcpSessions } : {}),
        }),
      );
      const listening = await metrics.listen(exporter.host, exporter.port, exporter.origin);
      // The supervisor runs on without its exporter; the error (a port in use...) names the port and the setting.
      if (listening instanceof Error) {
        void vscode.window.showWarningMessage(
          vscode.l10n.t('FleetAI: no metrics exporter: {0}', describeError(listening)),
        );
      }
    }
    const portalAt = portalWindowEndpoint(config, paths);
    if (portalAt) {
      const [{ startPortal }, { remoteSupervisor }, { ApprovalStore }] = await Promise.all([
        import('../core/remote/startPortal'),
        import('../core/remote/remoteSupervisor'),
        import('../core/approvals'),
      ]);
      const started = await startPortal({
        portal: config.portal,
        endpoint: portalAt,
        stateDir: paths.stateDir,
        env: () => process.env,
        remote: remoteSupervisor({
          orchestrator,
          panes: () => registry.list(),
          store: ApprovalStore.forWorkspace(paths),
          log,
        }),
        log,
      });
      // The supervisor runs on without its portal; the error (a port in use...) names the port and the setting.
      if (started instanceof Error) {
        this.running.portalError = describeError(started);
        void vscode.window.showWarningMessage(
          vscode.l10n.t('FleetAI: no approval portal: {0}', this.running.portalError),
        );
      } else this.running.portal = started;
    }
    // The daily review digest goes to this window's notifier (its notification, WeCom, Slack, a webhook), as
    // `fleet orchestrator` sends it to its own; only the window that owns the fleet gets here.
    if (config.review.digest_time) {
      try {
        const [{ startReviewDigest }, { digestClockFromEnv }] = await Promise.all([
          import('../core/review/reviewDigest'),
          import('../core/review/shiftedClock'),
        ]);
        const clock = digestClockFromEnv(process.env);
        const scheduler = startReviewDigest({
          workspace: folder,
          digestTime: config.review.digest_time,
          notifier,
          log,
          ...(clock ? { clock } : {}),
        });
        this.running.digest = {
          stop: () => {
            scheduler.stop();
            log.info('review', 'review.digest.stopped', {});
          },
        };
      } catch (error) {
        // The supervisor runs on without its digest; the log says why.
        log.error('review', 'review.digest.failed', { error: describeError(error) });
      }
    }
    // The daily state backup, as `fleet orchestrator` makes it; a failure is a warning in this window (and the
    // remote channels at their min_level) naming the file.
    if (config.backup.enabled) {
      const { startBackupSchedule } = await import('../core/backup/backupSchedule');
      this.running.backups = startBackupSchedule({
        workspace: folder,
        paths,
        settings: config.backup,
        notifier,
        log,
      });
    }
    log.info(CATEGORY, 'supervisor.window.started', {
      dryRun: settings.dryRun,
      model: decider !== undefined,
      trusted: vscode.workspace.isTrusted,
      stallTimeoutMs: settings.stallTimeoutMs,
      control: this.running.control?.socket,
    });
    // The window closed while the supervisor was starting.
    if (this.stopped && this.running) {
      const running = this.running;
      this.running = undefined;
      await shutdown(running);
    }
  }

  /** `FleetAI: Open Approval Portal`: the portal's link with its token, in the browser, and Copy Link. */
  private async openPortal(): Promise<void> {
    const { paths } = this.options;
    if (!paths) {
      void vscode.window.showWarningMessage(
        vscode.l10n.t('Open a folder first: FleetAI keeps approvals in the workspace folder.'),
      );
      return;
    }
    try {
      const [{ loadOrchestratorConfig }, { portalToken }, { portalLink }, { portalBaseUrl }] =
        await Promise.all([
          import('../core/config/orchestratorConfig'),
          import('../core/remote/portalToken'),
          import('../core/remote/remoteServer'),
          import('../core/remote/startPortal'),
        ]);
      const config = this.config ?? (await loadOrchestratorConfig(paths.orchestratorConfig)).config;
      if (this.running?.portalError) {
        void vscode.window.showErrorMessage(
          vscode.l10n.t('FleetAI: no approval portal: {0}', this.running.portalError),
        );
        return;
      }
      const endpoint = portalWindowEndpoint(config, paths);
      if (!endpoint) {
        void vscode.window.showWarningMessage(
          vscode.l10n.t(
            'FleetAI: the approval portal is off. Set fleetai.portal.port, or portal.port in .fleetai/orchestrator.json.',
          ),
        );
        return;
      }
      const { token } = await portalToken({
        stateDir: paths.stateDir,
        tokenEnv: config.portal.token_env,
        env: process.env,
      });
      let base = this.running?.portal?.url ?? portalBaseUrl(config.portal, endpoint);
      // In a browser-based or remote window (code-server), 127.0.0.1 is the server's: VS Code forwards it.
      if (!config.portal.public_url)
        base = (await vscode.env.asExternalUri(vscode.Uri.parse(base))).toString(true);
      const link = portalLink(base, token);
      // A string, not a Uri: Uri.toString() would encode the "=" of the query and the token would not be read.
      await vscode.env.openExternal(link as unknown as vscode.Uri);
      const copy = vscode.l10n.t('Copy Link');
      const picked = await vscode.window.showInformationMessage(
        vscode.l10n.t(
          'FleetAI: the approval portal is open in your browser. Its link holds the portal token: share it like a password.',
        ),
        copy,
      );
      if (picked === copy) await vscode.env.clipboard.writeText(link);
    } catch (error) {
      void vscode.window.showErrorMessage(
        vscode.l10n.t('FleetAI: no approval portal: {0}', describeError(error)),
      );
    }
  }

  // --- approvals -----------------------------------------------------------------------------------------------

  private openStore(): Promise<ApprovalStore> {
    const paths = this.options.paths;
    if (!paths) {
      return Promise.reject(
        new Error(vscode.l10n.t('Open a folder first: FleetAI keeps approvals in the workspace folder.')),
      );
    }
    this.store ??= (async () => {
      const { openApprovalStore } = await import('../core/supervisor/storeApprovals');
      const store = await openApprovalStore(paths);
      this.pendingRecords = await store.pending().catch((error: unknown) => {
        this.options.log.warn('approvals', 'approvals.read_failed', { error: describeError(error) });
        return [];
      });
      try {
        // Requests and answers from every process of the workspace (the CLI, another window) show up here.
        this.storeWatch = store.watch((change) => {
          if (change.error)
            this.options.log.warn('approvals', 'approvals.read_failed', { error: change.error.message });
          this.pendingRecords = change.pending;
          this.fire();
        });
      } catch (error) {
        this.options.log.warn('approvals', 'approvals.watch_failed', { error: describeError(error) });
      }
      this.fire();
      return store;
    })();
    return this.store;
  }

  private async refreshPending(): Promise<void> {
    try {
      this.pendingRecords = await (await this.openStore()).pending();
      this.fire();
    } catch (error) {
      this.options.log.warn('approvals', 'approvals.read_failed', { error: describeError(error) });
    }
  }

  /**
   * The supervisor's notifier: a request for a decision becomes a warning with Approve / Deny / Show; other
   * critical news an error message, warnings a warning; the rest goes to the log only (the seeds' filter:
   * a person is interrupted for decisions and critical events).
   */
  private notify(notification: Notification): void {
    this.options.log.info('notify', 'notify.vscode', { ...notification });
    if (notification.requires_confirmation && notification.approvalId) {
      void this.refreshPending();
      void this.askApproval(notification, notification.approvalId);
      return;
    }
    const text = vscode.l10n.t('FleetAI: {0}: {1}', notification.title, notification.message);
    const show = vscode.l10n.t('Show');
    const buttons = notification.pane ? [show] : [];
    const shown =
      notification.severity === 'critical'
        ? vscode.window.showErrorMessage(text, ...buttons)
        : notification.severity === 'warning'
          ? vscode.window.showWarningMessage(text, ...buttons)
          : undefined;
    void shown?.then((picked) => {
      if (picked === show && notification.pane)
        void vscode.commands.executeCommand('fleetai.focusAgent', notification.pane);
    });
  }

  private async askApproval(notification: Notification, id: string): Promise<void> {
    const approve = vscode.l10n.t('Approve');
    const deny = vscode.l10n.t('Deny');
    const show = vscode.l10n.t('Show');
    const picked = await vscode.window.showWarningMessage(
      vscode.l10n.t('FleetAI: {0}: {1}', notification.title, notification.message),
      { modal: false },
      approve,
      deny,
      show,
    );
    if (picked === approve) await this.decide(id, 'approve');
    else if (picked === deny) await this.decide(id, 'deny');
    else if (picked === show && notification.pane)
      await vscode.commands.executeCommand('fleetai.focusAgent', notification.pane);
  }

  /** Says why an answer was not taken; a second answer is not an error, only news of the first one. */
  private async refusalText(
    id: string,
    error: { code: string; message: string },
  ): Promise<{ text: string; show: () => Thenable<unknown> }> {
    if (error.code === ErrorCode.ApprovalAlreadyDecided) {
      const record = await (await this.openStore()).get(id).catch(() => undefined);
      let text: string;
      if (!record || !('decision' in record)) {
        text = vscode.l10n.t('Approval {0} was already answered: {1}', id, error.message);
      } else if (record.decision === 'expired') {
        text = vscode.l10n.t(
          'Approval {0} had already closed before your answer: {1}.',
          id,
          record.message ?? vscode.l10n.t('the prompt left the agent screen'),
        );
      } else {
        text = vscode.l10n.t(
          'Approval {0} was already answered before you: {1} by {2} at {3}.',
          id,
          decisionWord(record.decision),
          deciderWord(record.decidedBy),
          new Date(record.decidedAt).toLocaleTimeString(),
        );
      }
      await this.refreshPending();
      return { text, show: () => vscode.window.showInformationMessage(text) };
    }
    if (error.code === ErrorCode.ApprovalNotFound) {
      const text = vscode.l10n.t('There is no approval request {0}.', id);
      return { text, show: () => vscode.window.showWarningMessage(text) };
    }
    const text = vscode.l10n.t('FleetAI could not record the answer to {0}: {1}', id, error.message);
    return { text, show: () => vscode.window.showErrorMessage(text) };
  }

  /** `fleetai.approve` / `fleetai.deny`: for the id given (a string or `{id}`), else for the one picked. */
  private async answerCommand(
    decision: 'approve' | 'deny',
    target: unknown,
    reason: unknown,
  ): Promise<DecideOutcome | undefined> {
    try {
      let id =
        typeof target === 'string'
          ? target
          : typeof (target as { id?: unknown } | undefined)?.id === 'string'
            ? (target as { id: string }).id
            : undefined;
      // From a pane's item in the Agents view: the request that pane waits on.
      if (id !== undefined && !this.pendingRecords.some((r) => r.id === id))
        id = this.pendingRecords.find((r) => r.pane === id)?.id ?? id;
      id ??= await this.pickApproval(decision);
      if (id === undefined) return undefined;
      let message = typeof reason === 'string' ? reason : undefined;
      if (decision === 'deny' && reason === undefined) {
        message = await vscode.window.showInputBox({
          title: vscode.l10n.t('Deny {0}', id),
          prompt: vscode.l10n.t(
            'Why? FleetAI passes this to the agent, where it can take a message (optional).',
          ),
          ignoreFocusOut: true,
        });
        // Escape cancels the denial; an empty answer denies without a reason.
        if (message === undefined) return undefined;
      }
      return await this.decide(id, decision, message || undefined);
    } catch (error) {
      void vscode.window.showErrorMessage(describeError(error));
      return undefined;
    }
  }

  private async pickApproval(decision: 'approve' | 'deny'): Promise<string | undefined> {
    const pending = await this.pendingApprovals();
    if (pending.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('Nothing is waiting for your approval.'));
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      pending.map((r) => ({
        // Commands come from an agent's screen: `$(` would turn into an icon in a label.
        label: (r.command ?? approvalKindLabel(r.kind)).replaceAll('$(', '\\$('),
        description: [r.pane, r.branch, riskLabel(r.risk)].filter(Boolean).join(' · '),
        detail: [r.reason, ...r.reasons].filter(Boolean).join('; '),
        id: r.id,
      })),
      {
        title: decision === 'approve' ? vscode.l10n.t('FleetAI: Approve') : vscode.l10n.t('FleetAI: Deny'),
        placeHolder: vscode.l10n.t('Choose the request to answer'),
        matchOnDescription: true,
        matchOnDetail: true,
      },
    );
    return picked?.id;
  }

  private async toggleDryRun(): Promise<boolean> {
    const config = vscode.workspace.getConfiguration('fleetai');
    const current = this.settings?.dryRun ?? config.get<boolean>('dryRun', false);
    if (current && !vscode.workspace.isTrusted) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t(
          'This workspace is not trusted, so the supervisor stays in dry run until you trust it.',
        ),
      );
      return true;
    }
    const next = !current;
    await config.update(
      'dryRun',
      next,
      this.options.folder ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global,
    );
    // The configuration event applies it too; this makes it certain before the message says so.
    this.applySettings('settings');
    const said = next
      ? vscode.l10n.t(
          'FleetAI: dry run is on. The supervisor decides and logs, but types nothing into the agents.',
        )
      : vscode.l10n.t(
          'FleetAI: dry run is off. The supervisor types its commands and answers into the agents.',
        );
    void vscode.window.showInformationMessage(
      this.mode === 'elsewhere' && this.owner
        ? `${said} ${vscode.l10n.t('The supervisor in process {0} keeps its own setting.', this.owner.pid)}`
        : said,
    );
    return next;
  }

  private fire(): void {
    if (!this.stopped) this.changeEmitter.fire();
  }
}

/**
 * Where the window's exporter listens: the fleetai.metrics.* settings when set, else the workspace's
 * metrics_port / metrics_host when it has a .fleetai/orchestrator.json (0: none); no exporter otherwise.
 */
function metricsEndpoint(
  config: OrchestratorConfig,
  paths: WorkspacePaths,
): { host: string; port: number; origin: string } | undefined {
  const settings = vscode.workspace.getConfiguration('fleetai');
  const port = settings.get<number | null>('metrics.port', null);
  const host = settings.inspect<string>('metrics.host');
  const chosenHost = host?.workspaceFolderValue ?? host?.workspaceValue ?? host?.globalValue;
  if (typeof port === 'number') {
    if (port === 0) return undefined;
    return { port, host: chosenHost ?? config.metrics_host, origin: 'setting fleetai.metrics.port' };
  }
  if (config.metrics_port === 0 || !existsSync(paths.orchestratorConfig)) return undefined;
  return {
    port: config.metrics_port,
    host: chosenHost ?? config.metrics_host,
    origin: paths.orchestratorConfig,
  };
}

/**
 * Where the window's portal listens: fleetai.portal.port when set, else the workspace's portal.port when it has a
 * .fleetai/orchestrator.json (0: none); no portal otherwise (a window without a config opens no port by itself).
 */
function portalWindowEndpoint(
  config: OrchestratorConfig,
  paths: WorkspacePaths,
): { host: string; port: number; origin: string } | undefined {
  const port = vscode.workspace.getConfiguration('fleetai').get<number | null>('portal.port', null);
  if (typeof port === 'number') {
    if (port === 0) return undefined;
    return { port, host: config.portal.host, origin: 'setting fleetai.portal.port' };
  }
  if (config.portal.port === 0 || !existsSync(paths.orchestratorConfig)) return undefined;
  return { port: config.portal.port, host: config.portal.host, origin: paths.orchestratorConfig };
}

async function shutdown(running: Running): Promise<void> {
  running.digest?.stop();
  running.backups?.stop();
  running.tasksWatch?.dispose();
  await running.portal?.close().catch(() => undefined);
  await running.metrics?.close().catch(() => undefined);
  await running.control?.close().catch(() => undefined);
  await running.orchestrator.dispose().catch(() => undefined);
  running.notifier.close();
  running.fleet.dispose();
  running.approvals.dispose();
  await running.lock.release();
}

function decisionWord(decision: string): string {
  switch (decision) {
    case 'approve':
      return vscode.l10n.t('approved');
    case 'approve_for_session':
      return vscode.l10n.t('approved for the session');
    case 'deny':
      return vscode.l10n.t('denied');
    case 'cancel':
      return vscode.l10n.t('cancelled');
    default:
      return decision;
  }
}

function deciderWord(by: string): string {
  switch (by) {
    case 'vscode':
      return vscode.l10n.t('someone in VS Code');
    case 'cli':
      return vscode.l10n.t('the fleet command line');
    case 'remote':
      return vscode.l10n.t('a remote reply (webhook or chat)');
    case 'portal':
      return vscode.l10n.t('the approval portal');
    case 'wecom':
      return vscode.l10n.t('a WeCom message');
    case 'slack':
      return vscode.l10n.t('a Slack command');
    case 'rule':
      return vscode.l10n.t('the approval rules');
    case 'model':
      return vscode.l10n.t('the model');
    case 'terminal':
      return vscode.l10n.t('someone in the agent terminal');
    default:
      return by;
  }
}
