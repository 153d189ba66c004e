import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DoctorReport } from '../core/doctor/doctor';
import { describeError } from '../core/errors';
import { createAppLog, type LogLevel, type Logger } from '../core/observability/appLog';
import { fleetVersion } from '../core/version';
import { workspacePaths } from '../core/workspacePaths';
import type { RequestHandlers } from '../protocol/endpoint';
import { AgentPanes } from './agentPanes';
import { ApprovalsTreeProvider } from './approvalsTree';
import type { FleetAiApi } from './api';
import type { DashboardPanel } from './dashboardPanel';
import { HeartbeatStatus } from './statusBar';
import { SupervisorHost } from './supervisorHost';
import { TasksTreeProvider } from './tasksTree';
import { VIEW_IDS, registerViews } from './views';

const moduleLoaded = performance.now();
/** Ends the window's supervisor at deactivation (its control file, its last state), awaited by VS Code. */
let stopSupervisor: (() => Promise<void>) | undefined;

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

  const status = new HeartbeatStatus();
  const supervisor = new SupervisorHost({ folder, paths, log });
  stopSupervisor = () => supervisor.stop();
  const agents = new AgentPanes({
    builtinProfilesDir: context.asAbsolutePath('agents-config'),
    folder,
    paths,
    log,
    onRegistry: (registry) => supervisor.attach(registry),
    stallTimeoutMs: () => supervisor.stallTimeoutMs(),
    ask: (paneId, question) => supervisor.ask(paneId, question),
    nudge: (paneId) => supervisor.nudge(paneId),
  });
  status.bind(supervisor);
  agents.tree.bindSupervisor(supervisor);
  const approvalsTree = new ApprovalsTreeProvider(supervisor);
  const tasksTree = new TasksTreeProvider(supervisor);
  context.subscriptions.push(
    status,
    agents,
    supervisor,
    approvalsTree,
    tasksTree,
    ...registerViews({
      'fleetai.agents': agents.tree,
      'fleetai.tasks': tasksTree,
      'fleetai.approvals': approvalsTree,
    }),
  );

  const handlers: RequestHandlers = {
    'host.getInfo': () => ({
      name: 'FleetAI',
      version: fleetVersion,
      hostVersion: `VS Code ${vscode.version}`,
      uiLanguage: vscode.env.language,
      workspace: folder ?? null,
    }),
    'fleet.getSnapshot': () => ({
      heartbeat: supervisor.heartbeatWord(),
      panes: agents.summaries().filter((p) => p.state !== 'exited').length,
      pendingApprovals: supervisor.pendingCount(),
      updatedAt: new Date().toISOString(),
    }),
    'host.openLog': async () => {
      await vscode.commands.executeCommand('fleetai.openLog');
      return { opened: true };
    },
  };
  // The dashboard (and with it the protocol's zod schemas) and the doctor load on first use: activation stays
  // cheap, which matters most when FleetAI activates during the window's own startup.
  let dashboard: DashboardPanel | undefined;
  const servedListeners = new Set<(method: string) => void>();
  const showDashboard = async (): Promise<void> => {
    if (!dashboard) {
      const { DashboardPanel } = await import('./dashboardPanel');
      dashboard = new DashboardPanel(context.extensionUri, handlers, log);
      dashboard.onDidServeRequest((method) => servedListeners.forEach((l) => l(method)));
      context.subscriptions.push(dashboard);
    }
    dashboard.show();
  };

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
    vscode.commands.registerCommand('fleetai.showDashboard', showDashboard),
    vscode.commands.registerCommand('fleetai.openLog', () => openLog(log, appLogPath)),
    vscode.commands.registerCommand('fleetai.runDoctor', () => runDoctorCommand(doctor)),
  );

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
    dashboardOpen: () => dashboard?.isOpen ?? false,
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
            : [],
  };
}

export async function deactivate(): Promise<void> {
  // Everything else is disposed through context.subscriptions; the supervisor's last writes are awaited.
  await stopSupervisor?.();
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
