import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorCode, FleetError } from '../../errors';
import { lockFolder } from '../../store/folderLock';
import { readRunRecord, runFile, runsDir, type RunOwner, type RunRecord } from './runRecord';

/** Threads this process runs now: a second runPlan of the same thread in the same process is refused too. */
const running = new Set<string>();

/** Whether a live process runs this run now (this one included). */
export function isRunActive(record: Pick<RunRecord, 'planId' | 'thread' | 'runner'>): boolean {
  if (running.has(`${record.planId}/${record.thread}`)) return true;
  const owner = record.runner;
  return owner !== undefined && owner.pid !== process.pid && isAlive(owner);
}

function isAlive(owner: RunOwner): boolean {
  if (owner.host !== os.hostname()) return true; // Another machine's process cannot be checked: assume alive.
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes a run for this process, or refuses with E_PLAN_RUN_BUSY when a live process runs it (two runners of one
 * thread would run its nodes twice). A runner that died (SIGKILL, a crash) is recognised by its pid and taken
 * over at once, so a resume right after a crash is not kept waiting for a lock to go stale. The check and the
 * claim happen under one short lock on the runs folder, so two resumers racing cannot both win.
 */
export async function claimRun(
  stateDir: string,
  planId: string,
  thread: string,
  write: (previous: RunRecord | undefined, owner: RunOwner) => Promise<void>,
): Promise<() => void> {
  const key = `${planId}/${thread}`;
  if (running.has(key)) throw busy(planId, thread, { pid: process.pid, host: os.hostname(), since: '' });
  const dir = runsDir(stateDir, planId);
  const release = await lockFolder(dir, {
    lockfilePath: path.join(dir, '.claim.lock'),
    staleMs: 10_000,
    waitMs: 5_000,
  });
  try {
    // Checked again under the lock: another call of this process may have claimed it while this one waited.
    if (running.has(key)) throw busy(planId, thread, { pid: process.pid, host: os.hostname(), since: '' });
    const previous = await readRunRecord(runFile(stateDir, planId, thread));
    const owner = previous?.runner;
    if (owner && owner.pid !== process.pid && isAlive(owner)) throw busy(planId, thread, owner);
    running.add(key);
    try {
      await write(previous, { pid: process.pid, host: os.hostname(), since: new Date().toISOString() });
    } catch (error) {
      running.delete(key);
      throw error;
    }
  } finally {
    await release();
  }
  return () => running.delete(key);
}

function busy(planId: string, thread: string, owner: RunOwner): FleetError {
  return new FleetError(
    ErrorCode.PlanRunBusy,
    `run ${thread} of plan ${planId} is already being run by process ${owner.pid} on ${owner.host} / ` +
      `计划 ${planId} 的运行 ${thread} 正由进程 ${owner.pid} 执行`,
    { planId, thread, pid: owner.pid, host: owner.host },
  );
}
