import { promises as fs } from 'node:fs';

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
 * proper-lockfile's error (code `ELOCKED` when another process holds it and `waitMs` ran out).
 */
export async function lockFolder(dir: string, options: FolderLockOptions): Promise<() => Promise<void>> {
  await fs.mkdir(dir, { recursive: true });
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
