import * as path from 'node:path';
import { workspacePaths } from '../workspacePaths';
import { RESTART_SECONDS, STOP_TIMEOUT_SECONDS } from './systemdUnit';

export interface Pm2EcosystemOptions {
  /** The PM2 app name (`pm2 logs NAME`...). */
  name: string;
  workspace: string;
  nodePath: string;
  fleetPath: string;
  /** The installing shell's PATH, so the agent CLIs are found as in that shell. */
  pathEnv: string;
  nodeEnv?: string;
}

/** The first line of the file, so a later install knows it wrote it. */
export const PM2_MARKER = '// Written by `fleet service:install --pm2`';

/** Where PM2 writes the supervisor's stdout and stderr: beside the application log, in the workspace. */
export function pm2LogFiles(workspace: string): { out: string; error: string } {
  const { logsDir } = workspacePaths(workspace);
  return { out: path.join(logsDir, 'pm2-out.log'), error: path.join(logsDir, 'pm2-error.log') };
}

/**
 * `ecosystem.config.cjs` for PM2 (seed 004 §5), for machines without systemd (macOS, containers): the same
 * `fleet orchestrator --workspace DIR` restarted when it dies. PM2 has no watchdog: a hung supervisor that stays
 * alive is not restarted (systemd's unit does that); `fleet status` and the exporter's heartbeat show it.
 * PM2 stops with SIGINT, which `fleet orchestrator` handles like SIGTERM; kill_timeout leaves it the same time to
 * stop its panes and save as systemd's TimeoutStopSec.
 */
export function pm2Ecosystem(options: Pm2EcosystemOptions): string {
  for (const [field, value] of [
    ['workspace', options.workspace],
    ['node path', options.nodePath],
    ['fleet path', options.fleetPath],
  ] as const) {
    if (!path.isAbsolute(value))
      throw new Error(`the ${field} of a PM2 app must be absolute, got "${value}"`);
  }
  const logs = pm2LogFiles(options.workspace);
  const app = {
    name: options.name,
    script: options.fleetPath,
    interpreter: options.nodePath,
    args: ['orchestrator', '--workspace', options.workspace],
    cwd: options.workspace,
    env: { NODE_ENV: options.nodeEnv ?? 'production', PATH: options.pathEnv },
    autorestart: true,
    // Restarts that come within min_uptime of the start count as unstable; after max_restarts of them PM2 stops
    // (a broken config would otherwise restart for ever). The same ten-minute budget as the systemd unit.
    min_uptime: '60s',
    max_restarts: 5,
    restart_delay: RESTART_SECONDS * 1000,
    // A wait that grows from 100 ms while the app keeps crashing and is reset once it stays up (PM2 >= 3.2), so a
    // broken machine (a full disk, a lost network) is retried less and less often; restart_delay is the fixed wait.
    exp_backoff_restart_delay: 100,
    kill_timeout: STOP_TIMEOUT_SECONDS * 1000,
    out_file: logs.out,
    error_file: logs.error,
    merge_logs: true,
    time: true,
  };
  return [
    PM2_MARKER,
    // A line break in the folder name would end the comment: shown as a space.
    `// Start: pm2 start ${path.join(options.workspace, 'ecosystem.config.cjs').replace(/[\r\n\u2028\u2029]/g, ' ')}`,
    `module.exports = ${JSON.stringify({ apps: [app] }, null, 2)};`,
    '',
  ].join('\n');
}
