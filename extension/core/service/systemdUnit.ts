import * as path from 'node:path';

/** What a user unit for `fleet orchestrator` needs; every path absolute (systemd runs it with no shell and no cwd). */
export interface SystemdUnitOptions {
  /** The unit's short name: the file is `fleetai-NAME.service`. */
  name: string;
  workspace: string;
  /** The node binary that runs the CLI (the installing process's own, so the unit runs the version tested). */
  nodePath: string;
  /** The `fleet` CLI script (dist/cli.js). */
  fleetPath: string;
  /** The installing shell's PATH: the agent CLIs (codex, claude, gemini) must be found as in that shell. */
  pathEnv: string;
  /** The workspace config's `heartbeat_seconds`: the watchdog is a multiple of it. */
  heartbeatSeconds: number;
  nodeEnv?: string;
}

/** The unit names `fleet service:install --user` accepts: no `@` (templates), no `/`, nothing systemd would escape. */
export const SERVICE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** The first line of every file FleetAI writes, so uninstall removes only what install wrote. */
export const UNIT_MARKER = '# Written by `fleet service:install`';

/** `fleetai-NAME.service`. */
export function unitFileName(name: string): string {
  return `fleetai-${name}.service`;
}

/** A unit name from a workspace folder's name: its letters, digits, `_ . -`, the rest as `-`. */
export function defaultServiceName(workspace: string): string {
  const cleaned = path
    .basename(path.resolve(workspace))
    .replace(/[^A-Za-z0-9_.-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 64);
  return cleaned || 'workspace';
}

/**
 * The watchdog: three heartbeats, at least 30 s. The supervisor pings once per heartbeat while its tick is alive,
 * so two missed beats are tolerated (a slow save, a busy disk) and a third means it is hung.
 */
export function watchdogSeconds(heartbeatSeconds: number): number {
  return Math.max(30, Math.ceil(3 * heartbeatSeconds));
}

/** How long `systemctl stop` waits for the supervisor to stop its panes and save before SIGKILL. */
export const STOP_TIMEOUT_SECONDS = 45;
export const RESTART_SECONDS = 5;
/** How long systemd waits for READY=1. */
export const START_TIMEOUT_SECONDS = 180;
/** Five failed starts in ten minutes and systemd gives up (a broken config would otherwise loop for ever). */
export const START_LIMIT = { intervalSeconds: 600, burst: 5 };

/**
 * A systemd user unit that runs the headless supervisor of one workspace (issue 10; seed 000 stage 1, seed 004 §5).
 *
 * Type=notify: the supervisor says READY=1 once its control socket (and exporter, portal) listen, so
 * `systemctl --user start` returns when `fleet status` can answer. NotifyAccess=all: node has no unix datagram
 * sockets, so the notifications are sent by `systemd-notify`, a child process of the supervisor; with
 * NotifyAccess=main systemd would drop them (the sender is not the main pid). systemd-notify waits (BARRIER=1)
 * until the manager has read the message, so the sender is still alive to be matched to this unit's cgroup.
 * The supervisor removes NOTIFY_SOCKET from the agents' environment, so an agent cannot ping for a hung supervisor.
 *
 * KillMode=mixed: `stop` sends SIGTERM to the supervisor only; it stops its agents' panes (each gets its
 * hangup/SIGTERM) and saves its state; whatever is still alive after TimeoutStopSec gets SIGKILL. With the
 * default (control-group) every agent would be killed at the same moment as the supervisor that saves them.
 */
export function systemdUnit(options: SystemdUnitOptions): string {
  if (!SERVICE_NAME.test(options.name)) {
    throw new Error(
      `service name "${options.name}" must be 1-64 letters, digits, "_", "." or "-", starting with a letter or digit`,
    );
  }
  for (const [field, value] of [
    ['workspace', options.workspace],
    ['node path', options.nodePath],
    ['fleet path', options.fleetPath],
  ] as const) {
    if (!path.isAbsolute(value))
      throw new Error(`the ${field} of a systemd unit must be absolute, got "${value}"`);
  }
  if (!(options.heartbeatSeconds > 0)) {
    throw new Error(`heartbeat_seconds must be positive, got ${options.heartbeatSeconds}`);
  }
  const exec = [options.nodePath, options.fleetPath, 'orchestrator', '--workspace', options.workspace]
    .map(execArgument)
    .join(' ');
  return [
    UNIT_MARKER,
    `# Workspace: ${oneLine(options.workspace)}`,
    '# Reinstall after a FleetAI upgrade that moves the CLI: fleet service:install --user --force',
    '[Unit]',
    `Description=${specifiers(`FleetAI supervisor for ${oneLine(options.workspace)}`)}`,
    `StartLimitIntervalSec=${START_LIMIT.intervalSeconds}`,
    `StartLimitBurst=${START_LIMIT.burst}`,
    '',
    '[Service]',
    'Type=notify',
    'NotifyAccess=all',
    `ExecStart=${exec}`,
    `WorkingDirectory=${specifiers(oneLine(options.workspace))}`,
    `Environment=${environmentAssignment('PATH', options.pathEnv)}`,
    `Environment=${environmentAssignment('NODE_ENV', options.nodeEnv ?? 'production')}`,
    // READY=1 comes after the panes, the MCP servers (connectAll), the control socket, exporter and portal:
    // a slow MCP server must not make systemd kill a start that is still going (its default is 90 s).
    `TimeoutStartSec=${START_TIMEOUT_SECONDS}`,
    'Restart=on-failure',
    `RestartSec=${RESTART_SECONDS}`,
    `WatchdogSec=${watchdogSeconds(options.heartbeatSeconds)}`,
    'KillMode=mixed',
    `TimeoutStopSec=${STOP_TIMEOUT_SECONDS}`,
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

/** A newline in a unit value would start a new directive: refused rather than escaped. */
function oneLine(value: string): string {
  if (/[\n\r]/.test(value))
    throw new Error(`a systemd unit value cannot hold a line break: ${JSON.stringify(value)}`);
  return value;
}

/** `%` starts a specifier (%h, %n...) in nearly every unit setting. */
function specifiers(value: string): string {
  return value.replace(/%/g, '%%');
}

/** One ExecStart word: quoted when needed; `$` doubled (variable expansion), `%` doubled (specifiers). */
function execArgument(value: string): string {
  const escaped = specifiers(oneLine(value)).replace(/\$/g, '$$$$');
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** `"KEY=value"`, quoted so spaces and `:` survive; Environment= does no `$` expansion, only specifiers. */
function environmentAssignment(key: string, value: string): string {
  return `"${key}=${specifiers(oneLine(value)).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
