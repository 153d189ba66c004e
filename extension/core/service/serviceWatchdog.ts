import type { Logger } from '../observability/appLog';
import type { SdNotifier } from './sdNotify';

export interface ServiceWatchdogOptions {
  notifier: SdNotifier;
  log: Logger;
  now?: () => number;
}

/** What `ready` needs from the running supervisor (its config is read after the logger is tapped). */
export interface WatchdogTiming {
  /** `heartbeat_seconds` in ms: one WATCHDOG=1 per heartbeat. */
  heartbeatMs: number;
  /** `tick_seconds` in ms: how often the supervisor's tick should end. */
  tickMs: number;
}

const CATEGORY = 'service';

/**
 * The link between the supervisor and systemd's watchdog (WatchdogSec in the unit). It pings WATCHDOG=1 once per
 * heartbeat, but only while the supervisor's tick keeps finishing: a tick that hangs (a stuck promise in every
 * tick, an event loop that never comes back) stops the pings, and systemd kills and restarts the supervisor.
 * Ticks overlap (each starts on its timer, and skips a pane whose previous work is still running), so one long
 * task check does not stop the ticks after it: only a supervisor whose ticks all stop ending goes quiet.
 * The tick is seen through the supervisor's own log line (`supervisor/supervisor.tick`), by `tap`.
 */
export class ServiceWatchdog {
  private readonly now: () => number;
  private lastTick: number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private status: () => string = () => '';
  private timing: WatchdogTiming = { heartbeatMs: 5_000, tickMs: 5_000 };
  private withheld = false;
  private stopped = false;

  constructor(private readonly options: ServiceWatchdogOptions) {
    this.now = options.now ?? Date.now;
    this.lastTick = this.now();
  }

  get enabled(): boolean {
    return this.options.notifier.enabled;
  }

  /** How often a ping goes: each heartbeat, and at least twice per period systemd set (WATCHDOG_USEC). */
  get pingMs(): number {
    const systemd = this.options.notifier.watchdogMs;
    return Math.max(1_000, Math.min(this.timing.heartbeatMs, systemd ? systemd / 2 : Infinity));
  }

  /** A tick that ended longer ago than this means the supervisor is hung: three ticks, at least 30 s. */
  get tickStaleMs(): number {
    return Math.max(3 * this.timing.tickMs, 30_000);
  }

  /** The supervisor's logger, noting each finished tick on the way. */
  tap(log: Logger): Logger {
    if (!this.enabled) return log;
    const observe = (category: string, event: string): void => {
      if (category === 'supervisor' && event === 'supervisor.tick') this.lastTick = this.now();
    };
    return {
      log: (level, category, event, context) => {
        observe(category, event);
        log.log(level, category, event, context);
      },
      info: (category, event, context) => {
        observe(category, event);
        log.info(category, event, context);
      },
      warn: (category, event, context) => {
        observe(category, event);
        log.warn(category, event, context);
      },
      error: (category, event, context) => {
        observe(category, event);
        log.error(category, event, context);
      },
      debug: (category, event, context) => {
        observe(category, event);
        log.debug(category, event, context);
      },
      flush: () => log.flush(),
      close: () => log.close(),
    };
  }

  /** READY=1 (the supervisor listens), then a WATCHDOG=1 with the fleet's status each heartbeat. */
  async ready(status: () => string, timing: WatchdogTiming): Promise<void> {
    if (!this.enabled || this.stopped) return;
    this.status = status;
    this.timing = timing;
    this.lastTick = this.now();
    await this.options.notifier.send({ READY: '1', STATUS: this.safeStatus() });
    if (this.stopped) return;
    this.timer = setInterval(() => void this.beat(), this.pingMs);
    // The supervisor's own timers keep the process up; this one must not keep a stopping process alive.
    this.timer.unref?.();
  }

  /** One heartbeat: WATCHDOG=1 when the tick is alive, only the status when it is not. */
  async beat(): Promise<void> {
    if (this.stopped) return;
    const sinceTick = this.now() - this.lastTick;
    if (sinceTick <= this.tickStaleMs) {
      if (this.withheld) {
        this.withheld = false;
        this.options.log.info(CATEGORY, 'service.watchdog.resumed', { since_tick_ms: sinceTick });
      }
      await this.options.notifier.send({ WATCHDOG: '1', STATUS: this.safeStatus() });
      return;
    }
    if (!this.withheld) {
      this.withheld = true;
      this.options.log.error(CATEGORY, 'service.watchdog.withheld', {
        since_tick_ms: sinceTick,
        hint: 'the supervisor tick has not finished; systemd restarts the service when its WatchdogSec runs out',
      });
    }
    await this.options.notifier.send({
      STATUS: `supervisor tick stalled for ${Math.round(sinceTick / 1000)} s; ${this.safeStatus()}`,
    });
  }

  /** STOPPING=1: systemd shows "deactivating" while the panes stop, and no more pings go. */
  async stopping(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (!this.enabled || this.stopped) return;
    this.stopped = true;
    await this.options.notifier.send({ STOPPING: '1', STATUS: 'stopping: panes and state being saved' });
  }

  private safeStatus(): string {
    try {
      return this.status();
    } catch {
      return 'running';
    }
  }
}

/** `3 pane(s): 2 working, 1 awaiting_approval` from the panes' state names. */
export function fleetStatusLine(states: string[]): string {
  const counts = new Map<string, number>();
  for (const state of states) counts.set(state, (counts.get(state) ?? 0) + 1);
  const parts = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${n} ${s}`);
  return `supervising ${states.length} pane(s)${parts.length ? `: ${parts.join(', ')}` : ''}`;
}
