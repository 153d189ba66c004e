import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Logger, LogLevel } from '../../../extension/core/observability/appLog';
import { sdNotifier, type SdNotifier } from '../../../extension/core/service/sdNotify';
import { fleetStatusLine, ServiceWatchdog } from '../../../extension/core/service/serviceWatchdog';
import { useTempDirs } from '../helpers';

const tempDir = useTempDirs();

/** A logger that keeps what it was given. */
function memoryLog(): Logger & { lines: { level: LogLevel; category: string; event: string }[] } {
  const lines: { level: LogLevel; category: string; event: string }[] = [];
  const at = (level: LogLevel) => (category: string, event: string) =>
    void lines.push({ level, category, event });
  return {
    lines,
    log: (level, category, event) => void lines.push({ level, category, event }),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    debug: at('debug'),
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
}

/**
 * The notifier as the watchdog sees it, recording each message: the real one needs systemd's socket, which the
 * protocol test in test/ops/service.test.ts provides (real `fleet orchestrator`, real systemd-notify). Here the
 * decisions (when to ping, when to hold back) run against a fake clock.
 */
function recordingNotifier(watchdogMs?: number): SdNotifier & { sent: Record<string, string>[] } {
  const sent: Record<string, string>[] = [];
  return {
    enabled: true,
    watchdogMs,
    sent,
    send: (fields) => {
      sent.push(fields);
      return Promise.resolve(true);
    },
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('ServiceWatchdog', () => {
  it('says READY, pings each heartbeat while ticks end, holds back when they stop, pings again when they resume', async () => {
    vi.useFakeTimers();
    const notifier = recordingNotifier();
    const log = memoryLog();
    const watchdog = new ServiceWatchdog({ notifier, log });
    const supervisorLog = watchdog.tap(log);
    const tick = (): void => supervisorLog.debug('supervisor', 'supervisor.tick', { ms: 1 });
    let panes = ['working', 'stalled', 'working'];
    await watchdog.ready(() => fleetStatusLine(panes), { heartbeatMs: 5_000, tickMs: 5_000 });
    expect(notifier.sent).toEqual([{ READY: '1', STATUS: 'supervising 3 pane(s): 1 stalled, 2 working' }]);
    expect(watchdog.pingMs).toBe(5_000);
    expect(watchdog.tickStaleMs).toBe(30_000);

    for (let i = 0; i < 3; i++) {
      tick();
      await vi.advanceTimersByTimeAsync(5_000);
    }
    panes = ['working'];
    tick();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(notifier.sent.slice(1)).toEqual([
      ...Array.from({ length: 3 }, () => ({
        WATCHDOG: '1',
        STATUS: 'supervising 3 pane(s): 1 stalled, 2 working',
      })),
      { WATCHDOG: '1', STATUS: 'supervising 1 pane(s): 1 working' },
    ]);

    // No tick ends for 45 s: pings stop once the last tick is more than 30 s old, the status says why.
    notifier.sent.length = 0;
    await vi.advanceTimersByTimeAsync(45_000);
    const pings = notifier.sent.filter((m) => m.WATCHDOG === '1');
    expect(pings).toHaveLength(5);
    const held = notifier.sent.filter((m) => m.WATCHDOG === undefined);
    expect(held.length).toBeGreaterThanOrEqual(2);
    expect(held[0]?.STATUS).toMatch(/^supervisor tick stalled for \d+ s; supervising 1 pane/);
    expect(log.lines.filter((l) => l.event === 'service.watchdog.withheld')).toHaveLength(1);

    notifier.sent.length = 0;
    tick();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(notifier.sent).toEqual([{ WATCHDOG: '1', STATUS: 'supervising 1 pane(s): 1 working' }]);
    expect(log.lines.some((l) => l.event === 'service.watchdog.resumed')).toBe(true);

    notifier.sent.length = 0;
    await watchdog.stopping();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(notifier.sent).toEqual([{ STOPPING: '1', STATUS: 'stopping: panes and state being saved' }]);
  });

  it('pings at least twice per WATCHDOG_USEC when systemd asks for less than the heartbeat', async () => {
    const watchdog = new ServiceWatchdog({ notifier: recordingNotifier(8_000), log: memoryLog() });
    vi.useFakeTimers();
    await watchdog.ready(() => '', { heartbeatMs: 10_000, tickMs: 1_000 });
    expect(watchdog.pingMs).toBe(4_000);
    await watchdog.stopping();
  });

  it('does nothing and taps nothing without NOTIFY_SOCKET', async () => {
    const log = memoryLog();
    const notifier = sdNotifier({ env: {}, log });
    const watchdog = new ServiceWatchdog({ notifier, log });
    expect(watchdog.enabled).toBe(false);
    expect(watchdog.tap(log)).toBe(log);
    await watchdog.ready(() => 'x', { heartbeatMs: 1_000, tickMs: 1_000 });
    await watchdog.stopping();
    expect(log.lines).toEqual([]);
  });
});

describe('sdNotifier', () => {
  it('reads WATCHDOG_USEC only when it is meant for this process', () => {
    const log = memoryLog();
    const env = { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '30000000' };
    expect(sdNotifier({ env, log, pid: 42 }).watchdogMs).toBe(30_000);
    expect(sdNotifier({ env: { ...env, WATCHDOG_PID: '42' }, log, pid: 42 }).watchdogMs).toBe(30_000);
    expect(sdNotifier({ env: { ...env, WATCHDOG_PID: '7' }, log, pid: 42 }).watchdogMs).toBeUndefined();
  });

  it('a missing systemd-notify resolves false, is logged once, and never throws', async () => {
    const log = memoryLog();
    const dir = tempDir();
    const notifier = sdNotifier({
      env: { NOTIFY_SOCKET: path.join(dir, 'notify.sock') },
      log,
      program: path.join(dir, 'no-such-systemd-notify'),
    });
    expect(await notifier.send({ READY: '1' })).toBe(false);
    expect(await notifier.send({ WATCHDOG: '1' })).toBe(false);
    expect(log.lines.filter((l) => l.category === 'service')).toEqual([
      { level: 'warn', category: 'service', event: 'service.notify.missing' },
    ]);
  });

  it('a failing sender resolves false, is logged once, and the next message is still tried', async () => {
    const log = memoryLog();
    const dir = tempDir();
    const calls = path.join(dir, 'calls');
    const program = path.join(dir, 'fake-notify');
    // A stand-in for systemd-notify that records its arguments and fails, as the real one does without a socket.
    writeFileSync(
      program,
      `#!/bin/sh\necho "$@" >> '${calls}'\necho "Failed to notify init system" >&2\nexit 1\n`,
    );
    chmodSync(program, 0o755);
    const notifier = sdNotifier({ env: { NOTIFY_SOCKET: '/nowhere' }, log, program, pid: 42 });
    expect(await notifier.send({ READY: '1', STATUS: 'two\nlines' })).toBe(false);
    expect(await notifier.send({ WATCHDOG: '1' })).toBe(false);
    expect(readFileSync(calls, 'utf8')).toBe('--pid=42 READY=1 STATUS=two lines\n--pid=42 WATCHDOG=1\n');
    expect(log.lines.filter((l) => l.category === 'service')).toEqual([
      { level: 'warn', category: 'service', event: 'service.notify.failed' },
    ]);
  });
});
