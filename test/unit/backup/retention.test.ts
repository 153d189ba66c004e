import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  isoWeek,
  logsArchiveName,
  stateArchiveName,
  stateArchiveTime,
} from '../../../extension/core/backup/archiveNames';
import { planLogsRetention, planStateRetention } from '../../../extension/core/backup/retention';
import { archiveWeeklyLogs, runBackup } from '../../../extension/core/backup/stateBackup';

describe('archive names', () => {
  it('state names carry the local time and read back', () => {
    const at = new Date(2026, 0, 5, 3, 4, 5);
    expect(stateArchiveName(at)).toBe('state-20260105-030405.tar.gz');
    expect(stateArchiveTime('state-20260105-030405.tar.gz')?.getTime()).toBe(at.getTime());
    expect(stateArchiveTime('state-20261399-000000.tar.gz')).toBeUndefined();
    expect(stateArchiveTime('notes.txt')).toBeUndefined();
  });

  it('ISO weeks: Monday starts, the week of the first Thursday is week 1', () => {
    expect(isoWeek(new Date(2026, 10, 21))).toEqual({ year: 2026, week: 47 });
    // 2021-01-03 was a Sunday of 2020's week 53; 2024-12-30 a Monday of 2025's week 1.
    expect(isoWeek(new Date(2021, 0, 3))).toEqual({ year: 2020, week: 53 });
    expect(isoWeek(new Date(2024, 11, 30))).toEqual({ year: 2025, week: 1 });
    expect(logsArchiveName({ year: 2025, week: 1 })).toBe('logs-2025-W01.tar.gz');
  });
});

describe('retention', () => {
  it('keeps the newest archive of each of the last 7 days and drops the rest', () => {
    const now = new Date(2026, 10, 21, 3, 30, 0);
    const names: string[] = [];
    // Three archives a day for 20 days, at 01:00, 03:30 and 22:00 (today's 22:00 is still to come).
    for (let d = 0; d < 20; d++) {
      for (const [h, m] of [
        [1, 0],
        [3, 30],
        [22, 0],
      ] as const) {
        const at = new Date(2026, 10, 21 - d, h, m, 0);
        if (at.getTime() <= now.getTime()) names.push(stateArchiveName(at));
      }
    }
    names.push('logs-2026-W40.tar.gz', 'my-notes.txt');
    const { keep, remove } = planStateRetention(names, now, 7);
    expect(keep).toEqual([
      'state-20261115-220000.tar.gz',
      'state-20261116-220000.tar.gz',
      'state-20261117-220000.tar.gz',
      'state-20261118-220000.tar.gz',
      'state-20261119-220000.tar.gz',
      'state-20261120-220000.tar.gz',
      'state-20261121-033000.tar.gz',
    ]);
    expect(remove).toHaveLength(names.length - 2 - 7);
    expect(remove).not.toContain('my-notes.txt');
    expect(remove).not.toContain('logs-2026-W40.tar.gz');
  });

  it('a day without a backup is not filled from an older day, and a future archive is kept', () => {
    const now = new Date(2026, 10, 21, 12, 0, 0);
    const names = [
      stateArchiveName(new Date(2026, 10, 21, 3, 30)),
      stateArchiveName(new Date(2026, 10, 10, 3, 30)),
      stateArchiveName(new Date(2026, 10, 22, 3, 30)),
    ];
    expect(planStateRetention(names, now, 7)).toEqual({
      keep: ['state-20261121-033000.tar.gz', 'state-20261122-033000.tar.gz'],
      remove: ['state-20261110-033000.tar.gz'],
    });
  });

  it('keeps the newest weekly log archives', () => {
    const names = [
      'logs-2025-W52.tar.gz',
      'logs-2026-W01.tar.gz',
      'logs-2026-W02.tar.gz',
      'logs-2026-W10.tar.gz',
    ];
    expect(planLogsRetention(names, 2)).toEqual({
      keep: ['logs-2026-W02.tar.gz', 'logs-2026-W10.tar.gz'],
      remove: ['logs-2025-W52.tar.gz', 'logs-2026-W01.tar.gz'],
    });
  });
});

describe('backups over many days (injected clock)', () => {
  let root: string;
  let stateDir: string;
  let logsDir: string;
  let backupDir: string;
  beforeEach(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'fleetai-retention-'));
    stateDir = path.join(root, 'state');
    logsDir = path.join(root, 'logs');
    backupDir = path.join(root, 'backups');
    await fs.mkdir(stateDir, { recursive: true });
    await fs.mkdir(logsDir, { recursive: true });
    await fs.writeFile(path.join(stateDir, 'supervisor.json'), '{}\n');
    await fs.writeFile(path.join(logsDir, 'app.jsonl'), '{"msg":"hello"}\n');
  });
  afterEach(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  it('30 days of twice-daily backups leave 7 state archives and 4 weekly log archives', async () => {
    for (let d = 0; d < 30; d++) {
      for (const hour of [3, 15]) {
        await runBackup({
          stateDir,
          logsDir,
          backupDir,
          keepDaily: 7,
          keepWeeklyLogs: 4,
          now: () => new Date(2026, 9, 1 + d, hour, 30, 0),
        });
      }
    }
    const files = (await fs.readdir(backupDir)).sort();
    // The last day is 2026-10-30 (a Friday, ISO week 44).
    expect(files).toEqual([
      'logs-2026-W41.tar.gz',
      'logs-2026-W42.tar.gz',
      'logs-2026-W43.tar.gz',
      'logs-2026-W44.tar.gz',
      'state-20261024-153000.tar.gz',
      'state-20261025-153000.tar.gz',
      'state-20261026-153000.tar.gz',
      'state-20261027-153000.tar.gz',
      'state-20261028-153000.tar.gz',
      'state-20261029-153000.tar.gz',
      'state-20261030-153000.tar.gz',
    ]);
  });

  it('archives the logs once per ISO week', async () => {
    const monday = new Date(2026, 10, 16, 3, 30);
    const first = await archiveWeeklyLogs({ stateDir, logsDir, backupDir, now: monday, keepWeekly: 4 });
    expect(path.basename(first.created?.file ?? '')).toBe('logs-2026-W47.tar.gz');
    const sunday = new Date(2026, 10, 22, 23, 0);
    const again = await archiveWeeklyLogs({ stateDir, logsDir, backupDir, now: sunday, keepWeekly: 4 });
    expect(again.created).toBeUndefined();
    const nextMonday = new Date(2026, 10, 23, 0, 10);
    const next = await archiveWeeklyLogs({ stateDir, logsDir, backupDir, now: nextMonday, keepWeekly: 4 });
    expect(path.basename(next.created?.file ?? '')).toBe('logs-2026-W48.tar.gz');
  });
});
