import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { create } from 'tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createBackup,
  listBackups,
  planRestore,
  restoreBackup,
  runBackup,
} from '../../../extension/core/backup/stateBackup';
import { readArchive, readFolder } from '../../../extension/core/backup/tarFolder';
import { takeSupervisorLock } from '../../../extension/core/control/supervisorLock';
import { isFleetError } from '../../../extension/core/errors';
import { lockFolder } from '../../../extension/core/store/folderLock';
import { createMemoryLog } from '../../../extension/core/observability/appLog';

let root: string;
let stateDir: string;
let logsDir: string;
let backupDir: string;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'fleetai-backup-'));
  stateDir = path.join(root, '.fleetai', 'state');
  logsDir = path.join(root, '.fleetai', 'logs');
  backupDir = path.join(root, '.fleetai', 'backups');
  await fs.mkdir(stateDir, { recursive: true });
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function write(relative: string, content: string | Buffer, mode = 0o644): Promise<void> {
  const file = path.join(stateDir, relative);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content);
  await fs.chmod(file, mode);
}

interface Snapshot {
  bytes: Buffer;
  mode: number;
  mtimeMs: number;
}

/** Every regular file of the state with its bytes, permission bits and mtime (seconds are what tar keeps). */
async function snapshot(dir: string): Promise<Map<string, Snapshot>> {
  const out = new Map<string, Snapshot>();
  for (const entry of await readFolder(dir)) {
    if (entry.kind !== 'file') continue;
    const file = path.join(dir, entry.path);
    const stat = await fs.stat(file);
    out.set(entry.path, {
      bytes: await fs.readFile(file),
      mode: stat.mode & 0o777,
      mtimeMs: Math.floor(stat.mtimeMs / 1000) * 1000,
    });
  }
  return out;
}

describe('backup and restore', () => {
  it('round trips the state byte for byte, with modes, and plans exactly the changes', async () => {
    await write('supervisor.json', '{"version":1}\n');
    await write('approvals/pending.json', '{"approvals":[]}\n');
    await write('plans/auto/v1.json', '{"plan":"auto"}\n');
    await write('plans/auto/runs/main/checkpoint.json', Buffer.from([0, 1, 2, 255, 10]));
    await write('portal.token', 'secret-token\n', 0o600);
    await write('to-delete.json', '{"gone":false}\n');
    // Not state: a proper-lockfile lock folder and an atomic write's temporary are left out.
    await fs.mkdir(path.join(stateDir, 'approvals', 'approvals.lock'));
    await write('.pending.json.123.abcdef.tmp', 'half');
    const old = new Date('2026-11-01T10:00:00Z');
    await fs.utimes(path.join(stateDir, 'supervisor.json'), old, old);
    const original = await snapshot(stateDir);
    original.delete('.pending.json.123.abcdef.tmp');

    const created = await createBackup({ stateDir, logsDir, backupDir });
    expect(path.dirname(created.file)).toBe(backupDir);
    expect(path.basename(created.file)).toMatch(/^state-\d{8}-\d{6}\.tar\.gz$/);
    expect(created.bytes).toBeGreaterThan(0);
    if (process.platform !== 'win32') expect((await fs.stat(created.file)).mode & 0o777).toBe(0o600);

    // Change the state: one file modified, one deleted, one added.
    await write('approvals/pending.json', '{"approvals":[{"id":"x"}]}\n');
    await fs.rm(path.join(stateDir, 'to-delete.json'));
    await write('plans/new/v1.json', '{"plan":"new"}\n');

    const plan = await planRestore(created.file, stateDir);
    expect(plan.changed).toEqual(['approvals/pending.json']);
    expect(plan.added).toEqual(['to-delete.json']);
    expect(plan.removed).toEqual(expect.arrayContaining(['plans/new/v1.json']));
    // The temporary file is not state, so it is not "removed" either.
    expect(plan.removed).toEqual(['plans/new/v1.json']);
    expect(plan.unchanged).toBe(original.size - 2);

    const result = await restoreBackup(created.file, { stateDir, logsDir, backupDir });
    expect(result.plan).toEqual(plan);
    expect(result.before?.file).toBeDefined();
    expect(result.before?.file).not.toBe(created.file);

    const restored = await snapshot(stateDir);
    expect([...restored.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [p, want] of original) {
      const got = restored.get(p);
      expect(got?.bytes.equals(want.bytes), p).toBe(true);
      if (process.platform !== 'win32') expect(got?.mode, p).toBe(want.mode);
      expect(got?.mtimeMs, p).toBe(want.mtimeMs);
    }
    expect(restored.get('portal.token')?.mode).toBe(
      process.platform === 'win32' ? restored.get('portal.token')?.mode : 0o600,
    );

    // The state as it was before the restore was kept: restoring it brings the changes back.
    const back = await planRestore(result.before?.file ?? '', stateDir);
    expect(back.changed).toEqual(['approvals/pending.json']);
    expect(back.added).toEqual(['plans/new/v1.json']);
    expect(back.removed).toEqual(['to-delete.json']);
    // Nothing is left beside the state folder by the swap.
    const beside = (await fs.readdir(path.dirname(stateDir))).filter((n) => n.startsWith('.state-'));
    expect(beside).toEqual([]);
  });

  it('planning a restore changes nothing (the restore without confirmation)', async () => {
    await write('a.json', '1\n');
    const created = await createBackup({ stateDir, logsDir, backupDir });
    expect(created.entries).toBe(1);
    await write('a.json', '2\n');
    await write('b.json', '3\n');
    const before = await snapshot(stateDir);
    const backupsBefore = await fs.readdir(backupDir);
    const plan = await planRestore(created.file, stateDir);
    expect(plan).toMatchObject({ changed: ['a.json'], added: [], removed: ['b.json'] });
    const after = await snapshot(stateDir);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [p, s] of before) expect(after.get(p)?.bytes.equals(s.bytes)).toBe(true);
    expect(await fs.readdir(backupDir)).toEqual(backupsBefore);
  });

  it('refuses an archive with a ".." entry, naming it, and leaves the state alone', async () => {
    await write('a.json', '1\n');
    const evilDir = path.join(root, 'evil', 'inner');
    await fs.mkdir(evilDir, { recursive: true });
    await fs.writeFile(path.join(root, 'evil', 'outside.txt'), 'owned\n');
    const archive = path.join(root, 'dotdot.tar.gz');
    await create({ gzip: true, file: archive, cwd: evilDir, preservePaths: true }, ['../outside.txt']);
    const error = await restoreBackup(archive, { stateDir, logsDir, backupDir }).catch((e: unknown) => e);
    expect(isFleetError(error)).toBe(true);
    expect(String((error as Error).message)).toContain('"../outside.txt"');
    expect((error as { details?: Record<string, unknown> }).details?.entry).toBe('../outside.txt');
    expect(await fs.readFile(path.join(stateDir, 'a.json'), 'utf8')).toBe('1\n');
    await expect(planRestore(archive, stateDir)).rejects.toThrow('../outside.txt');
  });

  it('refuses an archive with an absolute path or a link leading outside', async () => {
    const abs = path.join(root, 'abs.tar.gz');
    const absTarget = path.join(root, 'absolute.txt');
    await fs.writeFile(absTarget, 'x');
    await create({ gzip: true, file: abs, preservePaths: true }, [absTarget]);
    await expect(planRestore(abs, stateDir)).rejects.toThrow(/absolute path/);

    const linkDir = path.join(root, 'links');
    await fs.mkdir(linkDir);
    await fs.symlink('../../etc/passwd', path.join(linkDir, 'passwd'));
    const link = path.join(root, 'link.tar.gz');
    await create({ gzip: true, file: link, cwd: linkDir }, ['passwd']);
    await expect(planRestore(link, stateDir)).rejects.toThrow(
      /entry "passwd" is a link to \.\.\/\.\.\/etc\/passwd/,
    );
    expect(await fs.readdir(stateDir)).toEqual([]);
  });

  it('refuses to restore while a supervisor holds the workspace', async () => {
    await write('a.json', '1\n');
    const created = await createBackup({ stateDir, logsDir, backupDir });
    await write('a.json', '2\n');
    const lock = await takeSupervisorLock(stateDir, createMemoryLog());
    expect(lock).toBeDefined();
    try {
      const error = await restoreBackup(created.file, { stateDir, logsDir, backupDir }).catch(
        (e: unknown) => e,
      );
      expect(isFleetError(error) && error.code).toBe('E_SUPERVISOR_RUNNING');
      expect(await fs.readFile(path.join(stateDir, 'a.json'), 'utf8')).toBe('2\n');
    } finally {
      await lock?.release();
    }
    await restoreBackup(created.file, { stateDir, logsDir, backupDir });
    expect(await fs.readFile(path.join(stateDir, 'a.json'), 'utf8')).toBe('1\n');
  });

  it('packs the approvals only while their store lock is free (never half of a decision)', async () => {
    await write('approvals/pending.json', '{"version":1,"approvals":[]}\n');
    const release = await lockFolder(path.join(stateDir, 'approvals'), {
      lockfilePath: path.join(stateDir, 'approvals', '.lock'),
      staleMs: 10_000,
      waitMs: 0,
    });
    let done = false;
    const backup = createBackup({ stateDir, logsDir, backupDir }).then((b) => {
      done = true;
      return b;
    });
    // Whatever the machine's speed, the backup cannot finish while the lock is held.
    await new Promise((r) => setTimeout(r, 500));
    expect(done).toBe(false);
    await release();
    const created = await backup;
    expect(created.bytes).toBeGreaterThan(0);
  });

  it("leaves out the running supervisor's control.json, so a restore never names a supervisor that is gone", async () => {
    await write('supervisor.json', '{"version":1}\n');
    await write('control.json', '{"pid":1,"socket":"/tmp/x.sock"}\n');
    await write('plans/control.json', '{"a plan file":"of that name is state"}\n');
    const created = await createBackup({ stateDir, logsDir, backupDir });
    const packed = (await readArchive(created.file)).map((entry) => entry.path);
    expect(packed).toContain('supervisor.json');
    expect(packed).toContain('plans/control.json');
    expect(packed).not.toContain('control.json');
  });

  it('lists the archives, newest first', async () => {
    await write('a.json', '1\n');
    await fs.mkdir(logsDir, { recursive: true });
    await fs.writeFile(path.join(logsDir, 'app.jsonl'), '{"msg":"x"}\n');
    const run = await runBackup({
      stateDir,
      logsDir,
      backupDir,
      keepDaily: 7,
      keepWeeklyLogs: 4,
      now: () => new Date(2026, 10, 21, 3, 30, 0),
    });
    expect(path.basename(run.created.file)).toBe('state-20261121-033000.tar.gz');
    expect(path.basename(run.logs.created?.file ?? '')).toBe('logs-2026-W47.tar.gz');
    const second = await createBackup({
      stateDir,
      logsDir,
      backupDir,
      now: () => new Date(2026, 10, 21, 3, 30, 0),
    });
    // The same second is taken: the next free one.
    expect(path.basename(second.file)).toBe('state-20261121-033001.tar.gz');
    const listed = await listBackups(backupDir);
    expect(listed.map((l) => l.name)).toEqual([
      'state-20261121-033001.tar.gz',
      'state-20261121-033000.tar.gz',
      'logs-2026-W47.tar.gz',
    ]);
    expect(listed[2]).toMatchObject({ kind: 'logs', week: '2026-W47' });
    expect(listed[0]?.bytes).toBeGreaterThan(0);
  });
});
