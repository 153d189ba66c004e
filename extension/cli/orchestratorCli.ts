import { existsSync } from 'node:fs';
import { createAppLog } from '../core/observability/appLog';
import { describeError } from '../core/errors';
import { NOTIFY_ENV, sdNotifier } from '../core/service/sdNotify';
import { fleetStatusLine, ServiceWatchdog } from '../core/service/serviceWatchdog';
import { startHeadlessOrchestrator } from '../core/supervisor/headless';
import { workspacePaths } from '../core/workspacePaths';
import type { CliIo } from './io';
import { builtinProfilesDir } from './resolveAgent';

/** `fleet orchestrator`: runs until SIGINT or SIGTERM, then stops its panes and saves its state. */
export async function runOrchestratorCli(options: {
  workspace: string;
  config?: string;
  dryRun?: boolean;
  /** `--metrics-port` / `--metrics-host` as typed. */
  metricsPort?: string;
  metricsHost?: string;
  /** `--portal-port` / `--portal-host` as typed. */
  portalPort?: string;
  portalHost?: string;
  io: CliIo;
}): Promise<number> {
  const paths = workspacePaths(options.workspace);
  const configFile = options.config ?? paths.orchestratorConfig;
  if (options.config && !existsSync(configFile)) {
    options.io.err(`fleet orchestrator: ${configFile} does not exist\n`);
    return 2;
  }
  let metrics: { port?: number; host?: string };
  let portal: { port?: number; host?: string };
  try {
    metrics = listenFlags('metrics', 'no exporter', options.metricsPort, options.metricsHost);
    portal = listenFlags('portal', 'no portal', options.portalPort, options.portalHost);
  } catch (error) {
    options.io.err(`fleet orchestrator: ${describeError(error)}\n`);
    return 2;
  }
  const log = createAppLog({ file: paths.appLog });
  // Under systemd (Type=notify): READY, a watchdog ping per heartbeat while the tick is alive, STOPPING. The
  // variables are taken out of the environment the agents inherit: an agent must not ping for a hung supervisor.
  const watchdog = new ServiceWatchdog({ notifier: sdNotifier({ env: { ...process.env }, log }), log });
  for (const key of NOTIFY_ENV) delete process.env[key];
  let running;
  try {
    running = await startHeadlessOrchestrator({
      configFile,
      workspace: options.workspace,
      paths,
      builtinProfilesDir: builtinProfilesDir(),
      log,
      ...(options.dryRun ? { dryRun: true } : {}),
      ...(Object.keys(metrics).length > 0 ? { metrics } : {}),
      ...(Object.keys(portal).length > 0 ? { portal } : {}),
      tapSupervisorLog: (supervisorLog) => watchdog.tap(supervisorLog),
      onNotify: (n) =>
        options.io.err(
          `[${n.severity}] ${n.title}: ${n.message}${n.approvalId ? `\n  answer: fleet approvals:approve ${n.approvalId}  |  fleet approvals:deny ${n.approvalId} --reason "..."` : ''}\n`,
        ),
    });
  } catch (error) {
    options.io.err(`fleet orchestrator: ${describeError(error)}\n`);
    await log.close();
    return 1;
  }
  const panes = running.registry.list();
  options.io.err(
    `fleet orchestrator: supervising ${panes.length} pane(s) [${panes.map((p) => p.id).join(', ')}]${running.orchestrator.settings.dryRun ? ' in DRY RUN' : ''}; control ${running.control.socket}; Ctrl-C stops\n`,
  );
  if (running.metrics) {
    options.io.err(`fleet orchestrator: metrics on ${running.metrics.url}/metrics (health: /healthz)\n`);
  } else if (running.metricsError) {
    // The supervisor runs on: the exporter is for dashboards and alerts, not for supervising.
    options.io.err(`fleet orchestrator: no metrics exporter: ${describeError(running.metricsError)}\n`);
  }
  if (running.portal) {
    // The token stays out of this output (it may end up in a terminal log): `fleet portal` prints the link.
    options.io.err(
      `fleet orchestrator: approval portal on ${running.portal.url} (the link with its token: fleet portal)\n`,
    );
  } else if (running.portalError) {
    options.io.err(`fleet orchestrator: no approval portal: ${describeError(running.portalError)}\n`);
  }
  if (watchdog.enabled) {
    const started = running;
    await watchdog.ready(() => fleetStatusLine(started.registry.list().map((p) => p.state.name)), {
      heartbeatMs: started.config.heartbeat_seconds * 1000,
      tickMs: started.config.tick_seconds * 1000,
    });
    options.io.err(
      `fleet orchestrator: told systemd READY=1; WATCHDOG=1 every ${watchdog.pingMs / 1000} s while the tick runs\n`,
    );
  }
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  options.io.err('fleet orchestrator: stopping\n');
  await watchdog.stopping();
  await running.stop();
  await log.close();
  return 0;
}

/** `--<name>-port` (0 = off) and `--<name>-host` as given on the command line; a bad value throws, saying which. */
function listenFlags(
  name: string,
  off: string,
  port: string | undefined,
  host: string | undefined,
): { port?: number; host?: string } {
  let parsed: number | undefined;
  if (port !== undefined) {
    parsed = /^\d{1,5}$/.test(port) ? Number(port) : NaN;
    if (!(parsed >= 0 && parsed <= 65535))
      throw new Error(`--${name}-port must be a port from 0 (${off}) to 65535, got "${port}"`);
  }
  if (host !== undefined && !host.trim()) throw new Error(`--${name}-host must not be empty`);
  return { ...(parsed !== undefined ? { port: parsed } : {}), ...(host !== undefined ? { host } : {}) };
}
