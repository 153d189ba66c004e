import { spawn } from 'node:child_process';
import { describeError } from '../errors';
import type { Logger } from '../observability/appLog';

/** The variables systemd gives a Type=notify service, removed from what its children (the agents) inherit. */
export const NOTIFY_ENV = ['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID'] as const;

/** Sends `KEY=value` lines to the service manager; never throws, resolves false when nothing was delivered. */
export interface SdNotifier {
  readonly enabled: boolean;
  /** The watchdog period systemd asked for (WATCHDOG_USEC), in ms, when it is meant for this process. */
  readonly watchdogMs: number | undefined;
  send(fields: Record<string, string>): Promise<boolean>;
}

export interface SdNotifierOptions {
  env: Record<string, string | undefined>;
  log: Logger;
  pid?: number;
  /** The sender program (tests pass a path; default `systemd-notify` from PATH). */
  program?: string;
}

const CATEGORY = 'service';

/**
 * sd_notify(3) for a node process. Node has no unix datagram sockets, so each message is sent by `systemd-notify`
 * (systemd's own program, present wherever a systemd unit runs; a native addon would need a compiler at install
 * time, python is not on every server). It is a child process, hence NotifyAccess=all in the unit, and `--pid=`
 * names this process as the main one. systemd-notify waits for the manager to read the message (BARRIER=1), so
 * sends are chained: READY before the first WATCHDOG, STOPPING last. A missing or failing systemd-notify is logged
 * once and never stops the supervisor: it then runs unsupervised, as without systemd.
 */
export function sdNotifier(options: SdNotifierOptions): SdNotifier {
  const socket = options.env.NOTIFY_SOCKET;
  const pid = options.pid ?? process.pid;
  const watchdogUsec = Number(options.env.WATCHDOG_USEC);
  const watchdogPid = options.env.WATCHDOG_PID;
  const watchdogMs =
    socket &&
    Number.isFinite(watchdogUsec) &&
    watchdogUsec > 0 &&
    (!watchdogPid || Number(watchdogPid) === pid)
      ? Math.floor(watchdogUsec / 1000)
      : undefined;
  if (!socket) return { enabled: false, watchdogMs: undefined, send: () => Promise.resolve(false) };
  const program = options.program ?? 'systemd-notify';
  let chain: Promise<boolean> = Promise.resolve(true);
  let missing = false;
  let warned = false;
  const warnOnce = (event: string, context: Record<string, unknown>): void => {
    if (warned) return;
    warned = true;
    options.log.warn(CATEGORY, event, { program, socket, ...context });
  };
  const sendNow = (fields: Record<string, string>): Promise<boolean> => {
    if (missing) return Promise.resolve(false);
    const assignments = Object.entries(fields).map(
      ([key, value]) => `${key}=${value.replace(/[\r\n]+/g, ' ')}`,
    );
    return new Promise<boolean>((resolve) => {
      let stderr = '';
      let child;
      try {
        child = spawn(program, [`--pid=${pid}`, ...assignments], {
          env: { ...options.env, NOTIFY_SOCKET: socket },
          stdio: ['ignore', 'ignore', 'pipe'],
        });
      } catch (error) {
        warnOnce('service.notify.failed', { error: describeError(error) });
        resolve(false);
        return;
      }
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.on('error', (error: NodeJS.ErrnoException) => {
        // Not installed: nothing later will work either.
        if (error.code === 'ENOENT') missing = true;
        warnOnce(missing ? 'service.notify.missing' : 'service.notify.failed', {
          error: describeError(error),
          ...(missing ? { hint: 'install systemd (systemd-notify), or run without Type=notify' } : {}),
        });
        resolve(false);
      });
      child.on('close', (code) => {
        // After a spawn error Node may still emit close: that failure is already logged.
        if (code !== 0 && !missing) {
          warnOnce('service.notify.failed', { exit: code, stderr: stderr.trim().slice(0, 500) });
        }
        resolve(code === 0);
      });
    });
  };
  return {
    enabled: true,
    watchdogMs,
    send: (fields) => {
      chain = chain.then(() => sendNow(fields));
      return chain;
    },
  };
}
