import * as path from 'node:path';
import {
  loadOrchestratorConfig,
  controlSocketPath,
  type OrchestratorConfig,
} from '../config/orchestratorConfig';
import { startControlServer, type ControlServer } from '../control/controlServer';
import { findSupervisorOwner } from '../control/supervisorOwner';
import { takeSupervisorLock, type SupervisorLock } from '../control/supervisorLock';
import { supervisorControlHandler } from './controlHandler';
import { modelDeciderFromConfig } from './modelFromConfig';
import { startConfiguredPane } from './configuredPane';
import { ApprovalStore } from '../approvals';
import { describeError, ErrorCode, FleetError } from '../errors';
import type { McpBridge } from '../mcp/mcpBridge';
import type { Logger } from '../observability/appLog';
import { PaneRegistry } from '../panes/paneRegistry';
import { notificationFromEvent, notifierFromConfig } from '../notify';
import { nodePtyHost, type PtyHost } from '../panes/ptyHost';
import type { WorkspacePaths } from '../workspacePaths';
import { createApprovalsPort, createClassifier } from './approvalsGlue';
import { Orchestrator } from './orchestrator';
import type { DeciderPort, Notification } from './ports';
import { settingsFromConfig } from './settingsFromConfig';
import { taskSpecsFromConfig, watchTasks } from './tasksReload';
import { supervisorStateStore } from './stateStore';
import { SupervisorMetrics, supervisorView, type MetricsServer } from '../metrics';
import type { RunningPortal } from '../remote/startPortal';

export interface HeadlessOptions {
  configFile: string;
  workspace: string;
  paths: WorkspacePaths;
  builtinProfilesDir: string;
  log: Logger;
  dryRun?: boolean;
  /** Where notifications go besides the log (the CLI prints them). */
  onNotify?: (notification: Notification) => void;
  ptyHost?: PtyHost;
  env?: () => Record<string, string | undefined>;
  decider?: DeciderPort;
  /** `--metrics-port` / `--metrics-host`: override the config's `metrics_port` / `metrics_host` (port 0: none). */
  metrics?: { port?: number; host?: string };
  /** `--portal-port` / `--portal-host`: override the config's `portal.port` / `portal.host` (port 0: none). */
  portal?: { port?: number; host?: string };
  /** Wraps the supervisor's logger (the systemd watchdog sees each finished tick through it). */
  tapSupervisorLog?: (log: Logger) => Logger;
}

export interface HeadlessOrchestrator {
  orchestrator: Orchestrator;
  registry: PaneRegistry;
  config: OrchestratorConfig;
  control: ControlServer;
  /** The workspace's MCP bridge (closed by `stop`). */
  mcpBridge: McpBridge;
  /** The Prometheus exporter, when `metrics_port` is not 0 and its port could be bound. */
  metrics?: MetricsServer;
  /** Why the exporter did not start (a port in use...): the supervisor runs on without it. */
  metricsError?: Error;
  /** The approval portal (and the chat callbacks), when `portal.port` is not 0 and it could start. */
  portal?: { url: string };
  /** Why the portal did not start (a port in use...): the supervisor runs on without it. */
  portalError?: Error;
  stop(): Promise<void>;
}

/**
 * `fleet orchestrator`: the panes of the workspace config, the supervisor over them, and the control channel the
 * other `fleet` commands use — the same core the VS Code window runs, without a window.
 */
export async function startHeadlessOrchestrator(options: HeadlessOptions): Promise<HeadlessOrchestrator> {
  const { config, file } = await loadOrchestratorConfig(options.configFile);
  const { log, paths } = options;
  // One supervisor per workspace: a second would type into the same agents and take over the control socket.
  const owner = await findSupervisorOwner(path.join(paths.stateDir, 'control.json'));
  if (owner.state === 'live') {
    throw new FleetError(
      ErrorCode.SupervisorRunning,
      `A supervisor already runs for ${options.workspace} (pid ${owner.control.pid}, started ${owner.control.started_at}); stop it first, or use fleet status / send / approvals:* to talk to it`,
      { pid: owner.control.pid },
    );
  }
  // Taken before anything starts: a second process that read "nobody" at the same moment stops here.
  const lock = await takeSupervisorLock(paths.stateDir, log);
  if (!lock) {
    throw new FleetError(
      ErrorCode.SupervisorRunning,
      `Another FleetAI process is starting the supervisor of ${options.workspace} (it holds ${path.join(paths.stateDir, 'supervisor.lock')}); use fleet status / send / approvals:* to talk to it`,
      {},
    );
  }
  try {
    return await startLocked(options, config, file, lock);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function startLocked(
  options: HeadlessOptions,
  config: OrchestratorConfig,
  file: string,
  lock: SupervisorLock,
): Promise<HeadlessOrchestrator> {
  const { log, paths } = options;
  const registry = new PaneRegistry({
    builtinProfilesDir: options.builtinProfilesDir,
    paths,
    ptyHost: options.ptyHost ?? nodePtyHost(),
    log,
    headless: true,
    stallTimeoutMs: () => config.stall_timeout_seconds * 1000,
    ...(options.env ? { env: options.env } : {}),
  });
  const approvals = createApprovalsPort(paths, log);
  // The log and the CLI's output get every notification; WeCom, Slack and a webhook what needs a person.
  const notifier = await notifierFromConfig({
    config,
    log,
    approvals,
    ...(options.env ? { env: options.env } : {}),
    local: [
      (event) => {
        const n = notificationFromEvent(event);
        log.info('notify', 'notify.local', { ...n });
        options.onNotify?.(n);
      },
    ],
  });
  const { registryFleet } = await import('./registryFleet');
  const metricsPort = options.metrics?.port ?? config.metrics_port;
  const metricsHost = options.metrics?.host ?? config.metrics_host;
  // metrics_port 0: no exporter, and nothing counted.
  const metrics =
    metricsPort === 0 ? undefined : new SupervisorMetrics(ApprovalStore.forWorkspace(paths), log);
  const model = options.decider ?? (await modelDeciderFromConfig(config, file, paths, log));
  const decider = model && metrics ? metrics.instrument(model) : model;
  const fleet = registryFleet(registry);
  const orchestrator = new Orchestrator({
    fleet,
    approvals,
    notifier,
    store: supervisorStateStore(paths.stateDir),
    log: (options.tapSupervisorLog ?? ((l: Logger) => l))(metrics ? metrics.tap(log) : log),
    settings: settingsFromConfig(config, options.dryRun !== undefined ? { dryRun: options.dryRun } : {}),
    classify: createClassifier(config, options.workspace),
    workspaceRoot: options.workspace,
    tasks: taskSpecsFromConfig(config.tasks),
    ...(decider ? { decider } : {}),
  });

  for (const pane of config.panes.filter((p) => p.autostart)) {
    try {
      await startConfiguredPane(registry, config, pane, options.workspace, log);
    } catch (error) {
      // One pane that cannot start (a missing CLI, a branch checked out elsewhere) must not stop the others.
      log.error('supervisor', 'pane.autostart.failed', {
        pane: pane.id,
        agent: pane.agent,
        error: describeError(error),
      });
      notifier.notify({
        severity: 'critical',
        title: `Pane ${pane.id} did not start`,
        message: describeError(error),
        pane: pane.id,
        requires_confirmation: false,
      });
    }
  }
  await orchestrator.start();
  // `fleet tasks:apply` (or an editor) changing orchestrator.json gives this running supervisor the new board.
  // An invalid file is also a notification: whoever runs `fleet orchestrator` sees it in its output.
  const tasksWatch = watchTasks({
    configFile: file,
    supervisor: orchestrator,
    log,
    onOutcome: (outcome) => {
      if (outcome.kind === 'invalid')
        notifier.notify({
          severity: 'warning',
          title: 'Tasks not reloaded: the supervisor keeps its board',
          message: outcome.problem,
          requires_confirmation: false,
        });
    },
  });

  // One MCP session per configured server for the whole workspace: `fleet mcp:*` go through it.
  const { openWorkspaceMcpBridge, mcpControl } = await import('../mcp/mcpControl');
  const bridge = await openWorkspaceMcpBridge({
    workspace: options.workspace,
    builtinProfilesDir: options.builtinProfilesDir,
    log,
    connectAll: true,
  });
  const mcp = mcpControl({ bridge, approvals, log });

  // Plan runs go on by themselves once their approvals are answered (here, in VS Code, from a phone), in this
  // process, with this supervisor's panes for their agent nodes.
  const { resumeRunsOnDecision } = await import('../plans/executor/resumeRuns');
  const { openPlanPorts } = await import('../plans/planPorts');
  const planApprovals = ApprovalStore.forWorkspace(paths);
  const planRuns = resumeRunsOnDecision({
    workspace: options.workspace,
    stateDir: paths.stateDir,
    approvals: planApprovals,
    log,
    // A resumed run that cannot write its state pauses and tells a person through the supervisor's channels.
    notifier,
    ports: () =>
      openPlanPorts({
        workspace: options.workspace,
        paths,
        builtinProfilesDir: options.builtinProfilesDir,
        log,
        approvals: planApprovals,
        registry,
        // Plan runs share the supervisor's MCP sessions.
        bridge,
      }),
  });

  let control: ControlServer;
  try {
    control = await startControlServer({
      preferredSocket: controlSocketPath(config, file, paths.stateDir),
      controlFile: path.join(paths.stateDir, 'control.json'),
      workspace: options.workspace,
      log,
      handler: supervisorControlHandler({
        orchestrator,
        registry,
        approvals,
        host: 'cli',
        log,
        notifier,
        mcp,
      }),
    });
  } catch (error) {
    // Its stdio servers are child processes of this one: they must not outlive a supervisor that did not start.
    tasksWatch.dispose();
    planRuns.dispose();
    await bridge.close();
    throw error;
  }

  // The daily review digest (`review.digest_time`) goes to the same notifier as the supervisor's alerts.
  const digest = config.review.digest_time
    ? (await import('../review/reviewDigest')).startReviewDigest({
        workspace: options.workspace,
        digestTime: config.review.digest_time,
        notifier,
        log,
      })
    : undefined;
  // The daily state backup (`backup.time`); a failure is a warning notification naming the file.
  const backups = config.backup.enabled
    ? (await import('../backup/backupSchedule')).startBackupSchedule({
        workspace: options.workspace,
        paths,
        settings: config.backup,
        notifier,
        log,
      })
    : undefined;

  let metricsServer: MetricsServer | undefined;
  let metricsError: Error | undefined;
  if (metrics) {
    metrics.attach(
      supervisorView({
        fleet,
        orchestrator,
        approvals,
        mcp: bridge,
        heartbeatStaleMs: config.heartbeat_seconds * 3000,
      }),
    );
    const origin = options.metrics?.port !== undefined ? '--metrics-port' : file;
    const listening = await metrics.listen(metricsHost, metricsPort, origin);
    if (listening instanceof Error) metricsError = listening;
    else metricsServer = listening;
  }

  // The approval portal and the chat callbacks: decisions from a phone or a chat, through this supervisor.
  let portal: RunningPortal | undefined;
  let portalError: Error | undefined;
  const { portalEndpoint, startPortal } = await import('../remote/startPortal');
  const endpoint = portalEndpoint(config.portal, file, options.portal ?? {});
  if (endpoint) {
    const { remoteSupervisor } = await import('../remote/remoteSupervisor');
    const started = await startPortal({
      portal: config.portal,
      endpoint,
      stateDir: paths.stateDir,
      env: options.env ?? (() => process.env),
      remote: remoteSupervisor({
        orchestrator,
        panes: () => registry.list(),
        store: ApprovalStore.forWorkspace(paths),
        log,
      }),
      log,
    });
    if (started instanceof Error) portalError = started;
    else portal = started;
  }

  return {
    orchestrator,
    registry,
    config,
    control,
    mcpBridge: bridge,
    ...(metricsServer ? { metrics: metricsServer } : {}),
    ...(metricsError ? { metricsError } : {}),
    ...(portal ? { portal: { url: portal.url } } : {}),
    ...(portalError ? { portalError } : {}),
    stop: async () => {
      digest?.stop();
      backups?.stop();
      tasksWatch.dispose();
      await portal?.close().catch(() => undefined);
      await metrics?.close().catch(() => undefined);
      await control.close().catch(() => undefined);
      planRuns.dispose();
      await bridge.close();
      await orchestrator.dispose();
      fleet.dispose();
      for (const pane of registry.list()) {
        if (!pane.exited) await registry.stop(pane.id).catch(() => undefined);
      }
      await registry.disposeAll();
      notifier.close();
      approvals.dispose();
      await lock.release();
    },
  };
}
