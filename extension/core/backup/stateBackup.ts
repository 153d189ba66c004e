import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { findSupervisorOwner } from '../control/supervisorOwner';
import { ErrorCode, FleetError, describeError, isFleetError } from '../errors';
import { lockFolder } from '../store/folderLock';
import {
  isoWeek,
  logsArchiveName,
  logsArchiveWeek,
  stateArchiveName,
  stateArchiveTime,
  type IsoWeek,
} from './archiveNames';
import { planLogsRetention, planStateRetention } from './retention';
import { packFolder, readArchive, readFolder, unpackArchive, type ArchiveEntry } from './tarFolder';

/**
 * `fleet backup` / `fleet restore` and the scheduled backup (seed 004 §5: the JSON state packed daily, a week
 * kept, the logs archived weekly). Archives live in `backup.dir` (`.fleetai/backups`), named by local time.
 */

export interface BackupFolders {
  stateDir: string;
  logsDir: string;
  backupDir: string;
}

export interface BackupOptions extends BackupFolders {
  now?: () => Date;
  /** How long to wait for another backup or restore of the same state (ms). */
  lockWaitMs?: number;
}

export interface CreatedBackup {
  file: string;
  bytes: number;
  /** Files, folders and links packed. */
  entries: number;
}

/**
 * Serialises backups and restores of one state folder across processes (the CLI, `fleet orchestrator`, the
 * window). The lock sits beside the state folder, not in it, because a restore swaps the folder itself. The
 * state's writers do not take it: each of their files is replaced by one atomic rename (store/jsonStore.ts), so
 * the pack reads every file whole, old or new; a file replaced between node-tar's stat and its read fails the
 * pack, which is tried again.
 */
async function withStateLock<T>(stateDir: string, waitMs: number, fn: () => Promise<T>): Promise<T> {
  const lockfilePath = `${stateDir}.backup.lock`;
  let release: () => Promise<void>;
  try {
    release = await lockFolder(path.dirname(stateDir), { lockfilePath, staleMs: 30_000, waitMs });
  } catch (error) {
    // E_STATE_WRITE (a read-only or full disk refused the lock) says more than "someone holds it".
    if (isFleetError(error)) throw error;
    throw new FleetError(
      ErrorCode.StoreWrite,
      `Another backup or restore of ${stateDir} holds ${lockfilePath}: ${describeError(error)}`,
      { file: lockfilePath },
      { cause: error },
    );
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}

/** A state archive name not taken yet: two backups within a second get consecutive seconds. */
async function freeStateArchive(backupDir: string, at: Date): Promise<string> {
  for (let i = 0; i < 120; i++) {
    const file = path.join(backupDir, stateArchiveName(new Date(at.getTime() + i * 1000)));
    const taken = await fs.lstat(file).then(
      () => true,
      () => false,
    );
    if (!taken) return file;
  }
  throw new FleetError(ErrorCode.StoreWrite, `No free backup name in ${backupDir} near ${at.toISOString()}`, {
    file: backupDir,
  });
}

async function packState(options: BackupOptions): Promise<CreatedBackup> {
  const now = (options.now ?? (() => new Date()))();
  const stat = await fs.stat(options.stateDir).catch(() => undefined);
  if (!stat?.isDirectory()) {
    throw new FleetError(ErrorCode.StoreRead, `Nothing to back up: ${options.stateDir} is not a folder`, {
      file: options.stateDir,
    });
  }
  const file = await freeStateArchive(options.backupDir, now);
  const packed = await withApprovalsLock(options.stateDir, () =>
    packFolder({ dir: options.stateDir, file, exclude: [options.backupDir] }),
  );
  return { file, ...packed };
}

/**
 * The approvals store changes two files in one step (pending.json, completed.json) under its folder lock
 * (approvals/approvalStore.ts, `approvals/.lock`): the pack holds that lock too, so an archive never has a
 * request both pending and answered, or in neither file.
 */
async function withApprovalsLock<T>(stateDir: string, fn: () => Promise<T>): Promise<T> {
  const dir = path.join(stateDir, 'approvals');
  const there = await fs.stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!there) return fn();
  let release: () => Promise<void>;
  try {
    release = await lockFolder(dir, {
      lockfilePath: path.join(dir, '.lock'),
      staleMs: 10_000,
      waitMs: 30_000,
    });
  } catch (error) {
    if (isFleetError(error)) throw error;
    throw new FleetError(
      ErrorCode.StoreRead,
      `Could not lock ${dir} to back it up: ${describeError(error)}`,
      { file: dir },
      { cause: error },
    );
  }
  try {
    return await fn();
  } finally {
    await release().catch(() => undefined);
  }
}

/** Packs the state folder into `state-YYYYMMDD-HHMMSS.tar.gz`. */
export async function createBackup(options: BackupOptions): Promise<CreatedBackup> {
  return withStateLock(options.stateDir, options.lockWaitMs ?? 30_000, () => packState(options));
}

async function names(dir: string): Promise<string[]> {
  try {
    return await fs.readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** Deletes the state archives retention does not keep; returns the files deleted. */
export async function pruneStateBackups(backupDir: string, now: Date, keepDaily: number): Promise<string[]> {
  const { remove } = planStateRetention(await names(backupDir), now, keepDaily);
  const removed: string[] = [];
  for (const name of remove) {
    const file = path.join(backupDir, name);
    await fs.rm(file, { force: true });
    removed.push(file);
  }
  return removed;
}

export interface WeeklyLogs {
  /** The archive written this time; undefined when this week's exists already or there are no logs. */
  created?: CreatedBackup;
  week: IsoWeek;
  removed: string[];
}

/** Archives the logs folder once per ISO week (`logs-YYYY-Www.tar.gz`) and keeps the newest `keepWeekly`. */
export async function archiveWeeklyLogs(
  options: BackupFolders & { now: Date; keepWeekly: number },
): Promise<WeeklyLogs> {
  const week = isoWeek(options.now);
  const file = path.join(options.backupDir, logsArchiveName(week));
  let created: CreatedBackup | undefined;
  const done = await fs.lstat(file).then(
    () => true,
    () => false,
  );
  const logs = await fs.stat(options.logsDir).catch(() => undefined);
  if (!done && logs?.isDirectory()) {
    created = { file, ...(await packFolder({ dir: options.logsDir, file })) };
  }
  const { remove } = planLogsRetention(await names(options.backupDir), options.keepWeekly);
  const removed: string[] = [];
  for (const name of remove) {
    const old = path.join(options.backupDir, name);
    await fs.rm(old, { force: true });
    removed.push(old);
  }
  return { ...(created ? { created } : {}), week, removed };
}

export interface BackupRun {
  created: CreatedBackup;
  removed: string[];
  logs: WeeklyLogs;
}

/** What `fleet backup`, the palette command and the daily schedule do: pack, prune, archive the week's logs. */
export async function runBackup(
  options: BackupOptions & { keepDaily: number; keepWeeklyLogs: number },
): Promise<BackupRun> {
  const now = (options.now ?? (() => new Date()))();
  return withStateLock(options.stateDir, options.lockWaitMs ?? 30_000, async () => {
    const created = await packState({ ...options, now: () => now });
    const removed = await pruneStateBackups(options.backupDir, now, options.keepDaily);
    const logs = await archiveWeeklyLogs({ ...options, now, keepWeekly: options.keepWeeklyLogs });
    return { created, removed: [...removed, ...logs.removed], logs };
  });
}

export interface BackupListing {
  file: string;
  name: string;
  kind: 'state' | 'logs';
  bytes: number;
  /** State archives: when it was made (local time in the name). */
  createdAt?: string;
  /** Log archives: the ISO week, "2026-W47". */
  week?: string;
}

/** The archives of a backups folder, newest first (state archives, then weekly logs). */
export async function listBackups(backupDir: string): Promise<BackupListing[]> {
  const out: BackupListing[] = [];
  for (const name of await names(backupDir)) {
    const at = stateArchiveTime(name);
    const week = logsArchiveWeek(name);
    if (!at && !week) continue;
    const stat = await fs.stat(path.join(backupDir, name)).catch(() => undefined);
    if (!stat?.isFile()) continue;
    out.push({
      file: path.join(backupDir, name),
      name,
      kind: at ? 'state' : 'logs',
      bytes: stat.size,
      ...(at ? { createdAt: at.toISOString() } : {}),
      ...(week ? { week: `${week.year}-W${String(week.week).padStart(2, '0')}` } : {}),
    });
  }
  return out.sort((a, b) => (a.kind === b.kind ? b.name.localeCompare(a.name) : a.kind === 'state' ? -1 : 1));
}

export interface RestorePlan {
  archive: string;
  /** Files (and links) the archive has and the state has not. */
  added: string[];
  /** Files whose content differs. */
  changed: string[];
  /** Files the state has and the archive has not (restoring deletes them). */
  removed: string[];
  /** Files identical in both. */
  unchanged: number;
}

function byPath(entries: ArchiveEntry[]): Map<string, ArchiveEntry> {
  return new Map(entries.filter((e) => e.kind !== 'directory').map((e) => [e.path, e]));
}

/**
 * What restoring `archive` would change in the state folder, by content hash. Refuses (E_STORE_READ naming the
 * entry) an archive with an absolute path, a "..", or a link leading outside the folder.
 */
export async function planRestore(archive: string, stateDir: string): Promise<RestorePlan> {
  const incoming = byPath(await readArchive(archive));
  const current = byPath(await readFolder(stateDir));
  const added: string[] = [];
  const changed: string[] = [];
  const removed: string[] = [];
  let unchanged = 0;
  for (const [p, entry] of incoming) {
    const now = current.get(p);
    if (!now) added.push(p);
    else if (now.hash !== entry.hash || now.kind !== entry.kind) changed.push(p);
    else unchanged++;
  }
  for (const p of current.keys()) if (!incoming.has(p)) removed.push(p);
  return { archive, added: added.sort(), changed: changed.sort(), removed: removed.sort(), unchanged };
}

/**
 * A supervisor that is starting holds its lock (control/supervisorLock.ts) before control.json says it runs:
 * the lock is tried too, and let go at once (it lives inside the folder the restore swaps away).
 */
async function assertNoSupervisorLock(stateDir: string, archive: string): Promise<void> {
  const lockfilePath = path.join(stateDir, 'supervisor.lock');
  if (
    !(await fs.stat(stateDir).then(
      (s) => s.isDirectory(),
      () => false,
    ))
  )
    return;
  let release: () => Promise<void>;
  try {
    release = await lockFolder(stateDir, { lockfilePath, staleMs: 30_000, waitMs: 0 });
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ELOCKED') throw error;
    throw new FleetError(
      ErrorCode.SupervisorRunning,
      `A supervisor holds ${lockfilePath}; stop it before restoring ${archive}`,
      { file: archive, lock: lockfilePath },
      { cause: error },
    );
  }
  await release().catch(() => undefined);
}

export interface RestoreResult {
  plan: RestorePlan;
  /** The backup of the state as it was before the restore. */
  before?: CreatedBackup;
}

/**
 * Replaces the state folder with an archive's content. Refuses while a supervisor runs on the workspace (it
 * would write its state over the restored one). Under the backup lock: the current state is backed up first,
 * the archive is unpacked into a new folder beside the state, and the two folders swap by renames, so a
 * failure at any step leaves the current state as it was.
 */
export async function restoreBackup(archive: string, options: BackupOptions): Promise<RestoreResult> {
  const { stateDir } = options;
  const owner = await findSupervisorOwner(path.join(stateDir, 'control.json'));
  if (owner.state === 'live') {
    throw new FleetError(
      ErrorCode.SupervisorRunning,
      `A supervisor runs on this workspace (pid ${owner.control.pid}); stop it before restoring ${archive}`,
      { pid: owner.control.pid, file: archive },
    );
  }
  await assertNoSupervisorLock(stateDir, archive);
  return withStateLock(stateDir, options.lockWaitMs ?? 30_000, async () => {
    const plan = await planRestore(archive, stateDir);
    const hasState = await fs.stat(stateDir).then(
      (s) => s.isDirectory(),
      () => false,
    );
    const before = hasState ? await packState(options) : undefined;
    const parent = path.dirname(stateDir);
    await fs.mkdir(parent, { recursive: true });
    const base = path.basename(stateDir);
    const incoming = await fs.mkdtemp(path.join(parent, `.${base}-restore-`));
    try {
      await unpackArchive(archive, incoming);
    } catch (error) {
      await fs.rm(incoming, { recursive: true, force: true }).catch(() => undefined);
      throw error;
    }
    const replaced = path.join(parent, `.${base}-replaced-${randomBytes(6).toString('hex')}`);
    try {
      if (hasState) await fs.rename(stateDir, replaced);
      try {
        await fs.rename(incoming, stateDir);
      } catch (error) {
        if (hasState) await fs.rename(replaced, stateDir);
        throw error;
      }
    } catch (error) {
      await fs.rm(incoming, { recursive: true, force: true }).catch(() => undefined);
      throw new FleetError(
        ErrorCode.StoreWrite,
        `Could not put the restored state in place of ${stateDir}: ${describeError(error)}`,
        { file: stateDir },
        { cause: error },
      );
    }
    await fs.rm(replaced, { recursive: true, force: true }).catch(() => undefined);
    return { plan, ...(before ? { before } : {}) };
  });
}
