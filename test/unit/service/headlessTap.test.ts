import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import { ServiceWatchdog } from '../../../extension/core/service/serviceWatchdog';
import type { SdNotifier } from '../../../extension/core/service/sdNotify';
import {
  startHeadlessOrchestrator,
  type HeadlessOrchestrator,
} from '../../../extension/core/supervisor/headless';
import { workspacePaths } from '../../../extension/core/workspacePaths';
import { repoRoot, useTempDirs } from '../helpers';

const tempDir = useTempDirs();
let running: HeadlessOrchestrator | undefined;

afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/**
 * The watchdog knows the supervisor is alive only from the supervisor's own `supervisor.tick` log line, seen
 * through `tapSupervisorLog`. If that line were renamed or stopped going through the tapped logger, a healthy
 * supervisor would stop pinging and systemd would restart it every WatchdogSec: this runs the real headless
 * supervisor (no panes) and checks the ticks reach the watchdog. The notifier records instead of calling
 * systemd-notify (test/ops/service.test.ts runs that for real).
 */
describe('the headless supervisor under the service watchdog', () => {
  it("reports each finished tick through tapSupervisorLog, and the watchdog's tick clock follows them", async () => {
    const workspace = tempDir();
    mkdirSync(path.join(workspace, '.fleetai'), { recursive: true });
    writeFileSync(
      path.join(workspace, '.fleetai/orchestrator.json'),
      JSON.stringify({ tick_seconds: 1, heartbeat_seconds: 1, metrics_port: 0, portal: { port: 0 } }),
    );
    const sent: Record<string, string>[] = [];
    const notifier: SdNotifier = {
      enabled: true,
      watchdogMs: undefined,
      send: (fields) => {
        sent.push(fields);
        return Promise.resolve(true);
      },
    };
    let clock = 0;
    const log = createMemoryLog();
    const watchdog = new ServiceWatchdog({ notifier, log, now: () => clock });
    let ticks = 0;
    const paths = workspacePaths(workspace);
    running = await startHeadlessOrchestrator({
      configFile: paths.orchestratorConfig,
      workspace,
      paths,
      builtinProfilesDir: path.join(repoRoot, 'agents-config'),
      log,
      tapSupervisorLog: (supervisorLog) => {
        const tapped = watchdog.tap(supervisorLog);
        return {
          ...tapped,
          debug: (category, event, context) => {
            if (event === 'supervisor.tick') ticks++;
            tapped.debug(category, event, context);
          },
        };
      },
    });
    await watchdog.ready(() => 'test', { heartbeatMs: 1_000, tickMs: 1_000 });
    // The clock jumps past the stale limit: only a tick seen after the jump makes the next beat a ping.
    clock = 60_000;
    ticks = 0;
    await watchdog.beat();
    expect(sent.at(-1)?.WATCHDOG).toBeUndefined();
    const deadline = Date.now() + 20_000;
    while (ticks < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(ticks).toBeGreaterThanOrEqual(2);
    await watchdog.beat();
    expect(sent.at(-1)).toEqual({ WATCHDOG: '1', STATUS: 'test' });
    await watchdog.stopping();
  }, 60_000);
});
