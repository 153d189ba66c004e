import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startBackupSchedule } from '../../../extension/core/backup/backupSchedule';
import { defaultOrchestratorConfig } from '../../../extension/core/config/orchestratorConfig';
import { createMemoryLog } from '../../../extension/core/observability/appLog';
import type { Notification } from '../../../extension/core/supervisor/ports';
import { manualClock } from '../manualClock';

let workspace: string;
beforeEach(async () => {
  workspace = await fs.mkdtemp(path.join(os.tmpdir(), 'fleetai-backup-schedule-'));
  await fs.mkdir(path.join(workspace, '.fleetai', 'state'), { recursive: true });
  await fs.writeFile(path.join(workspace, '.fleetai', 'state', 'supervisor.json'), '{}\n');
});
afterEach(async () => {
  await fs.rm(workspace, { recursive: true, force: true });
});

describe('the scheduled backup', () => {
  it('backs up at backup.time, logs backup.created, and a failure is a warning naming the file', async () => {
    const clock = manualClock(new Date(2026, 10, 20, 3, 0, 0));
    const log = createMemoryLog();
    const notes: Notification[] = [];
    const settings = defaultOrchestratorConfig().backup;
    const paths = {
      stateDir: path.join(workspace, '.fleetai', 'state'),
      logsDir: path.join(workspace, '.fleetai', 'logs'),
    };
    const scheduler = startBackupSchedule({
      workspace,
      paths,
      settings,
      log,
      notifier: { notify: (n) => notes.push(n) },
      clock,
    });
    expect(scheduler.next).toEqual(new Date(2026, 10, 20, 3, 30));
    const backups = path.join(workspace, '.fleetai', 'backups');

    await clock.advance(29 * 60_000);
    expect(await fs.readdir(backups).catch(() => [])).toEqual([]);
    await clock.advance(60_000);
    const file = path.join(backups, 'state-20261120-033000.tar.gz');
    await vi.waitFor(() => expect(log.lines.find((l) => l.event === 'backup.created')).toBeDefined(), {
      timeout: 20_000,
      interval: 50,
    });
    const created = log.lines.find((l) => l.event === 'backup.created') as {
      context: Record<string, unknown>;
    };
    expect(created.context).toMatchObject({ file, bytes: (await fs.stat(file)).size });
    expect(notes).toEqual([]);

    // The next day the backups folder cannot be made (a file is in the way): a warning names it.
    await vi.waitFor(() => expect(clock.timers).toBe(1), { timeout: 20_000, interval: 50 });
    await fs.rm(backups, { recursive: true });
    await fs.writeFile(backups, 'not a folder');
    await clock.advance(24 * 3600_000);
    await vi.waitFor(() => expect(notes).toHaveLength(1), { timeout: 20_000, interval: 50 });
    expect(notes[0]).toMatchObject({
      severity: 'warning',
      title: 'FleetAI backup failed / FleetAI 备份失败',
      requires_confirmation: false,
    });
    expect(notes[0]?.message).toContain(backups);
    const failed = log.lines.find((l) => l.event === 'backup.failed') as { context: Record<string, unknown> };
    expect(String(failed.context.file)).toContain(backups);

    // And the schedule goes on.
    await vi.waitFor(() => expect(clock.timers).toBe(1), { timeout: 20_000, interval: 50 });
    expect(scheduler.next).toEqual(new Date(2026, 10, 22, 3, 30));
    scheduler.stop();
    expect(clock.timers).toBe(0);
  }, 60_000);
});
