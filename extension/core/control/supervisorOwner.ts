import { describeError } from '../errors';
import { callControl, readControlFile } from './controlClient';
import type { ControlFile } from './controlProtocol';

/** Who supervises a workspace, as its `.fleetai/state/control.json` tells. */
export type SupervisorOwner =
  /** Nobody: no file. */
  | { state: 'none' }
  /** Another process runs a supervisor and answers on its socket. */
  | { state: 'live'; control: ControlFile }
  /** A file left by a supervisor that is gone (or does not answer): the next one may take over. */
  | { state: 'stale'; control: ControlFile; reason: string }
  /** A file that cannot be read; nobody can be reached through it, so it counts as stale. */
  | { state: 'unreadable'; reason: string };

/**
 * Only one supervisor per workspace: two would both type into the same agents' answers and fight over the
 * control socket. A control file counts as live when its process exists (a pid of ours is a leftover of this
 * process, not another supervisor) and its socket answers `status` with the file's token; a pid alone could
 * be a recycled one.
 */
export async function findSupervisorOwner(
  controlFile: string,
  options: { timeoutMs?: number; selfPid?: number } = {},
): Promise<SupervisorOwner> {
  let control: ControlFile | undefined;
  try {
    control = await readControlFile(controlFile);
  } catch (error) {
    return { state: 'unreadable', reason: describeError(error) };
  }
  if (!control) return { state: 'none' };
  if (control.pid === (options.selfPid ?? process.pid))
    return { state: 'stale', control, reason: 'written by this process earlier' };
  if (!processExists(control.pid))
    return { state: 'stale', control, reason: `process ${control.pid} is gone` };
  try {
    const response = await callControl(control, 'status', {}, options.timeoutMs ?? 3000);
    if (response.ok) return { state: 'live', control };
    // It answers but refuses the token: another supervisor wrote a newer file meanwhile, or this one is damaged.
    return { state: 'stale', control, reason: `${response.error.code}: ${response.error.message}` };
  } catch (error) {
    return { state: 'stale', control, reason: describeError(error) };
  }
}

export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
