import * as path from 'node:path';
import { describeError } from '../errors';
import type { Logger } from '../observability/appLog';
import { lockFolder } from '../store/folderLock';

/** A holder that stopped refreshing its lock this long ago has died; its lock is taken over. */
const STALE_MS = 30_000;

export interface SupervisorLock {
  release(): Promise<void>;
}

/**
 * The one-supervisor-per-workspace rule, made atomic. `control.json` tells who supervises, but two processes that
 * start together (two windows opening the same folder, a window and `fleet orchestrator`) both read "nobody"
 * before either has written it. Whoever holds this lock (proper-lockfile: an atomic `mkdir`, refreshed while held,
 * taken over when its holder died) may supervise; the other defers. Undefined when another process holds it.
 */
export async function takeSupervisorLock(stateDir: string, log: Logger): Promise<SupervisorLock | undefined> {
  const lockfilePath = path.join(stateDir, 'supervisor.lock');
  let release: () => Promise<void>;
  try {
    release = await lockFolder(stateDir, {
      lockfilePath,
      staleMs: STALE_MS,
      waitMs: 0,
      onCompromised: (error) =>
        log.error('control', 'supervisor.lock.lost', { lock: lockfilePath, error: describeError(error) }),
    });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ELOCKED') return undefined;
    throw error;
  }
  log.info('control', 'supervisor.lock.taken', { lock: lockfilePath });
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      await release().catch(() => undefined);
    },
  };
}
