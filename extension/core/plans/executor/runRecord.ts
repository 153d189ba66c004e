import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { NodeStatus } from '../planSchema';
import { PLANS_DIR } from '../planStore';
import type { ApprovalWait } from './compilePlan';
import { writeJsonAtomic } from '../../store/jsonStore';

export type RunStatus = 'running' | 'waiting_approval' | 'done' | 'failed';

/** `.fleetai/state/plans/<planId>/runs/<thread>.json`: what `fleet plan:status` and the graph webview read. */
export interface RunRecord {
  planId: string;
  thread: string;
  planVersion?: number;
  workspace: string;
  status: RunStatus;
  started: string;
  updated: string;
  /** Approvals the run waits for. */
  waits: ApprovalWait[];
  nodes: Record<string, RunRecordNode>;
  /** Where its checkpoints are: only a 'json' run can be resumed by another process or after a crash. */
  checkpoints?: 'json' | 'memory' | 'custom';
  /** The process running it now; cleared when the run returns (done, failed, or left waiting). */
  runner?: RunOwner;
  /** Nodes that failed after all their attempts (or were denied): a person should look. */
  markedForHuman: { node: string; error: string; at: string }[];
  /**
   * Set when the run stopped because the state could not be written (E_STATE_WRITE): the nodes that run again
   * on resume and the file refused. Its status stays `running` (unfinished, no runner) for the readers that
   * know four statuses; `fleet plan:resume THREAD` goes on once the disk takes writes.
   */
  paused?: RunPause;
}

export interface RunPause {
  at: string;
  nodes: string[];
  file: string;
  osCode: string;
  error: string;
}

export interface RunOwner {
  pid: number;
  host: string;
  since: string;
}

export interface RunRecordNode {
  status: NodeStatus;
  attempts?: number;
  error?: string;
  /** The start of the node's output as text (the whole output stays in the run's checkpoint). */
  outputExcerpt?: string;
  /** When the node last started running and when it last finished (ISO times). */
  startedAt?: string;
  finishedAt?: string;
}

export function runsDir(stateDir: string, planId: string): string {
  return path.join(stateDir, PLANS_DIR, planId, 'runs');
}

export function runFile(stateDir: string, planId: string, thread: string): string {
  return path.join(runsDir(stateDir, planId), `${thread}.json`);
}

/**
 * Written whole through the one atomic write (a reader never sees half a record); a disk that refuses it is
 * E_STATE_WRITE and the record saved before stays.
 */
export async function writeRunRecord(stateDir: string, record: RunRecord): Promise<void> {
  await writeJsonAtomic(runFile(stateDir, record.planId, record.thread), record);
}

export async function readRunRecord(file: string): Promise<RunRecord | undefined> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as RunRecord;
  } catch {
    return undefined;
  }
}

/** Every run of every plan in the workspace, newest first. */
export async function listRuns(stateDir: string): Promise<RunRecord[]> {
  const plans = await fs.readdir(path.join(stateDir, PLANS_DIR)).catch(() => [] as string[]);
  const records: RunRecord[] = [];
  for (const planId of plans) {
    const dir = runsDir(stateDir, planId);
    for (const name of await fs.readdir(dir).catch(() => [] as string[])) {
      if (!name.endsWith('.json')) continue;
      const record = await readRunRecord(path.join(dir, name));
      if (record) records.push(record);
    }
  }
  return records.sort((a, b) => b.started.localeCompare(a.started));
}
