import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DoctorReport } from '../core/doctor/doctor';
import { describeError } from '../core/errors';
import { createAppLog, type LogLevel, type Logger } from '../core/observability/appLog';
import { fleetVersion } from '../core/version';
import { workspacePaths } from '../core/workspacePaths';
import { AgentPanes } from './agentPanes';
import { ApprovalsTreeProvider } from './approvalsTree';
import type { FleetAiApi } from './api';
import { PlanGraphHost } from './planGraphHost';
import { registerMcpCommands } from './mcpCommands';
import { registerMetaAgentCommands, WindowProfiles } from './metaAgentCommands';
import { registerRequirementsCommands } from './requirementsCommands';
import { registerBackupCommand } from './backupCommand';
import { registerInitCommand } from './initCommand';
import { registerReviewCommand } from './reviewCommand';
import { notifySecretSources, setNotifyWebhook } from './notifyChannel';
import { McpHost } from './mcpHost';
import { McpServersTreeProvider } from './mcpServersTree';
import { HeartbeatStatus } from './statusBar';
import { SupervisorHost } from './supervisorHost';
import { TasksTreeProvider } from './tasksTree';
import { VIEW_IDS, registerViews } from './views';
import { WebviewHost } from './webviewHost';

const moduleLoaded = performance.now();
/** Ends the window's supervisor at deactivation (its control file, its last state), awaited by VS Code. */
let stopSupervisor: (() => Promise<void>) | undefined;
/** Ends the window's MCP sessions (and the stdio servers' processes) at deactivation. */
let closeMcp: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): FleetAiApi {
  const started = performance.now();
  const loadStart = (globalThis as { __fleetaiLoadStart?: number }).__fleetaiLoadStart;
  const moduleLoadMs = loadStart === undefined ? Number.NaN : moduleLoaded - loadStart;
  const config = vscode.workspace.getConfiguration('fleetai');
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  // Without a folder there is no workspace `.fleetai/`; the window's own log folder keeps the log then.
  const paths = folder ? workspacePaths(folder, config.get<string>('stateDirectory', '.fleetai')) : undefined;
  const appLogPath = paths?.appLog ?? path.join(context.logUri.fsPath, 'app.jsonl');
  const log = createAppLog({ file: appLogPath, level: config.get<LogLevel>('log.level', 'info') });
  context.subscriptions.push({ dispose: () => void log.close() });

  // The window's MCP sessions, shared by the MCP Servers view, its commands and `fleet mcp:*` through the
  // window's supervisor.
  const mcp = new McpHost({ folder, shippedConfig: context.asAbsolutePath('config/mcp.servers.json'), log });
  closeMcp = () => mcp.close();
  const status = new HeartbeatStatus();
  // The supervisor and the panes need each other (it starts the config's panes, they attach it): late-bound.
  const supervisor = new SupervisorHost({
    folder,
    paths,
    log,
    loadRegistry: () => agents.ensureLoaded(),
    storedApiKey: async () => context.secrets.get(MODEL_KEY_SECRET),
    startConfigPane: (config, pane) => agents.startConfigured(config, pane),
    mcpControl: (approvals) => mcp.control(approvals),
    // WeCom / Slack / webhook URLs kept in SecretStorage (FleetAI: Set Notification Webhook); the environment's win.
    notifySecrets: notifySecretSources(context.secrets),
    mcpSessions: {
      aliases: () => mcp.rows().servers.map((row) => row.alias),
      state: (alias) => mcp.row(alias)?.state ?? 'idle',
    },
  });
  stopSupervisor = () => supervisor.stop();
  // Agent profiles, hot-reloaded from agents-config/ and .fleetai/agents/ (opened on first use).
  const profiles = new WindowProfiles({
    builtinDir: context.asAbsolutePath('agents-config'),
    paths,
    log,
    storedApiKey: async () => context.secrets.get(MODEL_KEY_SECRET),
  });
  const agents: AgentPanes = new AgentPanes({
    builtinProfilesDir: context.asAbsolutePath('agents-config'),
    profiles: () => profiles.loaded(),
    // Remembers the answer to "Give this agent FleetAI's MCP server?" per agent kind across windows.
    workspaceState: context.workspaceState,
    folder,
    paths,
    log,
    onRegistry: (registry) => supervisor.attach(registry),
    stallTimeoutMs: () => supervisor.stallTimeoutMs(),
    ask: (paneId, question) => supervisor.ask(paneId, question),
    nudge: (paneId) => supervisor.nudge(paneId),
    // Called only once an agent starts, after activation has built `webviews`.
    onPaneChange: (change) => webviews.onPaneChange(change),
  });
  const plans = new PlanGraphHost({
    folder,
    paths,
    cliPath: context.asAbsolutePath('dist/cli.js'),
    supervisor,
    log,
  });
  // Problems of plan files that `FleetAI: Run Plan` refused or warned about, at their lines.
  const planProblems = vscode.languages.createDiagnosticCollection('fleetai-plans');
  const webviews = new WebviewHost({
    extensionUri: context.extensionUri,
    folder,
    supervisor,
    agents,
    plans,
    mcp,
    log,
  });
  status.bind(supervisor);
  agents.tree.bindSupervisor(supervisor);
  const approvalsTree = new ApprovalsTreeProvider(supervisor);
  const tasksTree = new TasksTreeProvider(supervisor);
  const mcpTree = new McpServersTreeProvider(mcp);
  context.subscriptions.push(
    status,
    agents,
    supervisor,
    approvalsTree,
    tasksTree,
    mcp,
    mcpTree,
    ...registerViews({
      'fleetai.agents': agents.tree,
      'fleetai.tasks': tasksTree,
      'fleetai.approvals': approvalsTree,
      'fleetai.mcpServers': mcpTree,
    }),
    ...registerMcpCommands({ host: mcp, log, appLogPath }),
    vscode.commands.registerCommand('fleetai.setNotifyWebhook', () => setNotifyWebhook(context.secrets, log)),
    profiles,
    ...registerMetaAgentCommands(profiles),
  );
  const requirements = registerRequirementsCommands({
    folder,
    paths,
    log,
    storedApiKey: async () => context.secrets.get(MODEL_KEY_SECRET),
  });
  context.subscriptions.push(...requirements.disposables);
  context.subscriptions.push(
    registerInitCommand({
      folder,
      directoryName: config.get<string>('stateDirectory', '.fleetai'),
      builtinProfilesDir: context.asAbsolutePath('agents-config'),
      log,
    }),
    registerReviewCommand({
      folder,
      paths,
      log,
      storedApiKey: async () => context.secrets.get(MODEL_KEY_SECRET),
    }),
  );
  context.subscriptions.push(registerBackupCommand({ folder, paths, log }));

  const servedListeners = new Set<(method: string) => void>();
  webviews.onDidServeRequest(({ method }) => servedListeners.forEach((l) => l(method)));
  const showDashboard = (): Promise<void> => webviews.show('dashboard');
  // After a window reload VS Code gives the open panels back; the webviews restore their own state.
  for (const app of ['dashboard', 'approvals', 'plan'] as const) {
    context.subscriptions.push(
      vscode.window.registerWebviewPanelSerializer(`fleetai.${app}`, {
        deserializeWebviewPanel: (panel) => webviews.restore(app, panel),
      }),
    );
  }

  const doctor = async (): Promise<DoctorReport> => {
    const { runDoctor } = await import('../core/doctor/doctor');
    const report = await runDoctor(
      paths
        ? {
            stateRoot: paths.root,
            workspace: paths,
            builtinProfilesDir: context.asAbsolutePath('agents-config'),
          }
        : {},
    );
    log.info('doctor', 'doctor.finished', { ok: report.ok, checks: report.checks });
    return report;
  };

  context.subscriptions.push(
    webviews,
    plans,
    vscode.commands.registerCommand('fleetai.showDashboard', showDashboard),
    planProblems,
    vscode.commands.registerCommand('fleetai.runPlan', async (file?: unknown) => {
      const { runPlanCommand } = await import('./runPlanCommand');
      return runPlanCommand(
        {
          folder,
          cliPath: context.asAbsolutePath('dist/cli.js'),
          diagnostics: planProblems,
          plans,
          openGraph: () => webviews.show('plan'),
          log,
        },
        file,
      );
    }),
    vscode.commands.registerCommand('fleetai.showPlanGraph', async (runId?: unknown) => {
      const { showPlanGraph } = await import('./planCommands');
      return showPlanGraph(plans, () => webviews.show('plan'), typeof runId === 'string' ? runId : undefined);
    }),
    vscode.commands.registerCommand('fleetai.showApprovals', () => webviews.show('approvals')),
    vscode.commands.registerCommand('fleetai.replayLog', () => replayLogCommand(log, appLogPath)),
    vscode.commands.registerCommand('fleetai.setModelApiKey', () => setModelApiKey(context.secrets, log)),
    vscode.commands.registerCommand('fleetai.openLog', () => openLog(log, appLogPath)),
    vscode.commands.registerCommand('fleetai.runDoctor', () => runDoctorCommand(doctor)),
  );

  // A workspace whose orchestrator.json names agents to start gets its fleet at once, as with
  // `fleet orchestrator`, but only when trusted (VS Code does not even activate FleetAI in an untrusted one;
  // checked again here) and unless `fleetai.autoStart` is off. Started after activation returns.
  if (paths && config.get<boolean>('autoStart', true)) {
    const start = (): void => {
      void (async () => {
        const { hasAutostartPanes } = await import('../core/config/autostart');
        if (await hasAutostartPanes(paths.orchestratorConfig))
          await supervisor.startOrchestrator({ auto: true });
      })();
    };
    if (vscode.workspace.isTrusted) setTimeout(start, 0);
    else context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(start));
  }

  const activateMs = performance.now() - started;
  log.info('extension', 'extension.activated', {
    version: fleetVersion,
    host: `VS Code ${vscode.version}`,
    node: process.versions.node,
    activateMs: Math.round(activateMs * 100) / 100,
    moduleLoadMs: Math.round(moduleLoadMs * 100) / 100,
  });

  return {
    version: fleetVersion,
    appLogPath,
    activateMs,
    moduleLoadMs,
    statusText: () => status.text,
    viewIds: () => VIEW_IDS,
    dashboardOpen: () => webviews.isOpen('dashboard'),
    webviewOpen: (app) => webviews.isOpen(app),
    webviewRequest: (method, params) => webviews.request(method, params),
    webviewSnapshot: (app) =>
      app === 'dashboard' ? webviews.snapshot('dashboard') : webviews.snapshot('approvals'),
    waitForDashboardRequest: (method, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          sub.dispose();
          reject(new Error(`The dashboard did not request ${method} within ${timeoutMs} ms`));
        }, timeoutMs);
        const listener = (served: string): void => {
          if (served !== method) return;
          clearTimeout(timer);
          sub.dispose();
          resolve();
        };
        const sub = { dispose: () => servedListeners.delete(listener) };
        servedListeners.add(listener);
      }),
    runDoctor: doctor,
    panes: () => agents.summaries(),
    paneScreen: (id) => agents.screen(id),
    waitForPaneState: (id, state, timeoutMs) => agents.waitForState(id, state, timeoutMs),
    statusTooltip: () => status.tooltip,
    supervisor: () => supervisor.summary(),
    supervisorSnapshot: () => supervisor.snapshot(),
    pendingApprovals: () => supervisor.pendingApprovals(),
    treeItems: (viewId) =>
      viewId === 'fleetai.agents'
        ? agents.tree.items()
        : viewId === 'fleetai.tasks'
          ? tasksTree.items()
          : viewId === 'fleetai.approvals'
            ? approvalsTree.items()
            : viewId === 'fleetai.mcpServers'
              ? mcpTree.items()
              : [],
    mcpTools: (alias) => mcpTree.items(alias),
    applyTaskDraft: (draftFile, options) =>
      requirements.apply(vscode.Uri.file(draftFile), { ...options, confirm: () => Promise.resolve(true) }),
    agentProfiles: () => profiles.list(),
    newAgentKinds: async () =>
      folder ? (await (await agents.ensureLoaded()).agentChoices(folder)).map((c) => c.kind) : [],
    mcpStatus: (alias) => {
      const row = mcp.row(alias);
      if (!row) return undefined;
      const { tools, problem, ...rest } = row;
      return {
        ...rest,
        toolNames: (tools ?? []).map((t) => t.name),
        ...(problem ? { problem: problem.message } : {}),
      };
    },
  };
}

export async function deactivate(): Promise<void> {
  // Everything else is disposed through context.subscriptions; the supervisor's last writes and the MCP
  // sessions (their server processes) are awaited.
  await Promise.all([stopSupervisor?.(), closeMcp?.()]);
}

async function openLog(log: Logger, file: string): Promise<void> {
  await log.flush();
  try {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
    await vscode.window.showTextDocument(document, { preview: true });
  } catch (error) {
    void vscode.window.showErrorMessage(
      vscode.l10n.t('FleetAI could not open its log {0}: {1}', file, describeError(error)),
    );
  }
}

/** Where `FleetAI: Set Model API Key` keeps the key: VS Code's SecretStorage, never a setting or a log. */
const MODEL_KEY_SECRET = 'fleetai.model.apiKey';

/**
 * `FleetAI: Set Model API Key`: the key of the model the supervisor uses (orchestrator.json `model`), kept in
 * SecretStorage; the variable that `model.api_key_env` names still wins when set. An empty answer removes it.
 */
async function setModelApiKey(secrets: vscode.SecretStorage, log: Logger): Promise<boolean | undefined> {
  const key = await vscode.window.showInputBox({
    title: vscode.l10n.t('FleetAI: Set Model API Key'),
    prompt: vscode.l10n.t(
      'The API key of the model in .fleetai/orchestrator.json. Kept in VS Code secret storage; leave empty to remove it.',
    ),
    password: true,
    ignoreFocusOut: true,
  });
  if (key === undefined) return undefined;
  if (key.trim() === '') {
    await secrets.delete(MODEL_KEY_SECRET);
    log.info('supervisor', 'model.key.removed');
    void vscode.window.showInformationMessage(vscode.l10n.t('FleetAI removed the stored model API key.'));
    return false;
  }
  await secrets.store(MODEL_KEY_SECRET, key.trim());
  // Only that it happened: the key itself never reaches the log.
  log.info('supervisor', 'model.key.stored');
  void vscode.window.showInformationMessage(
    vscode.l10n.t(
      'FleetAI stored the model API key. The supervisor uses it from its next start (Stop, then Start Orchestrator).',
    ),
  );
  return true;
}

/**
 * `FleetAI: Replay Log`: the audit summary of the workspace log (what `fleet replay` prints) in an editor tab:
 * event counts, time span, commands, approvals, pane states, recoveries and errors.
 */
async function replayLogCommand(log: Logger, file: string): Promise<string | undefined> {
  await log.flush();
  try {
    const { replayLog, formatReplay } = await import('../core/audit/replay');
    const text = formatReplay(await replayLog(file));
    const document = await vscode.workspace.openTextDocument({ content: text, language: 'plaintext' });
    await vscode.window.showTextDocument(document, { preview: true });
    return text;
  } catch (error) {
    void vscode.window.showErrorMessage(
      vscode.l10n.t('FleetAI could not replay its log {0}: {1}', file, describeError(error)),
    );
    return undefined;
  }
}

async function runDoctorCommand(doctor: () => Promise<DoctorReport>): Promise<DoctorReport> {
  const report = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: vscode.l10n.t('FleetAI: checking this machine…'),
    },
    doctor,
  );
  const failed = report.checks.filter((c) => c.status === 'fail');
  if (failed.length === 0) {
    const warnings = report.checks.filter((c) => c.status === 'warn').length;
    void vscode.window.showInformationMessage(
      vscode.l10n.t(
        'FleetAI doctor: all {0} checks passed ({1} warnings).',
        report.checks.length - warnings,
        warnings,
      ),
    );
  } else {
    void vscode.window.showErrorMessage(
      vscode.l10n.t(
        'FleetAI doctor: {0}',
        failed.map((c) => `${c.summary}${c.detail ? ` (${c.detail})` : ''}`).join('; '),
      ),
    );
  }
  return report;
}
