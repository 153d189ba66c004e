import { promises as fs } from 'node:fs';
import { stateWriteError, stateWriteOsCode } from './stateWriteError';

export interface FolderLockOptions {
  /** The lock itself (a folder proper-lockfile creates); every process of the workspace names the same one. */
  lockfilePath: string;
  /** A holder that stopped refreshing the lock this long ago has died: its lock is taken over. */
  staleMs: number;
  /** How long to keep trying while another process holds it; 0 gives up at once (ELOCKED). */
  waitMs: number;
  /** The lock was lost while held (its folder removed, the refresh failed). */
  onCompromised?: (error: Error) => void;
}

/**
 * FleetAI's one cross-process lock (approvals, plan versions, the supervisor): proper-lockfile's atomic `mkdir`,
 * refreshed while held, taken over when its holder died. Resolves with the release; rejects with
 * proper-lockfile's error (code `ELOCKED` when another process holds it and `waitMs` ran out), or E_STATE_WRITE
 * when the disk refuses the lock (read-only, full, no permission).
 */
export async function lockFolder(dir: string, options: FolderLockOptions): Promise<() => Promise<void>> {
  try {
    return await lock(dir, options);
  } catch (error) {
    // A read-only or full disk is not "another process holds it": E_STATE_WRITE naming the lock, so callers
    // stop and ask a person rather than wait for a lock that can never be taken.
    if (stateWriteOsCode(error)) throw stateWriteError(options.lockfilePath, error);
    throw error;
  }
}

async function lock(dir: string, options: FolderLockOptions): Promise<() => Promise<void>> {
  await fs.mkdir(dir, { recursive: true });
  // One try first: proper-lockfile retries whatever the error, so a read-only disk would be retried for the
  // whole wait before anyone heard of it. Only a lock another process holds is worth waiting for.
  if (options.waitMs > 0) {
    try {
      return await lock(dir, { ...options, waitMs: 0 });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    }
  }
  const lockfile = await import('proper-lockfile');
  return lockfile.lock(dir, {
    lockfilePath: options.lockfilePath,
    realpath: false,
    stale: options.staleMs,
    update: Math.max(1000, Math.floor(options.staleMs / 4)),
    retries:
      options.waitMs > 0
        ? {
            retries: Math.ceil(options.waitMs / 60),
            minTimeout: 10,
            maxTimeout: 100,
            factor: 1.5,
            randomize: true,
          }
        : 0,
    // The default throws from a timer, which would take the whole extension host down.
    onCompromised: options.onCompromised ?? (() => undefined),
  });
}
