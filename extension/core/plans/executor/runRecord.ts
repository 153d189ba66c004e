import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { NodeStatus } from '../planSchema';
import { PLANS_DIR } from '../planStore';
import type { ApprovalWait } from './compilePlan';

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

/** Written whole through a temporary file and a rename, so a reader never sees half a record. */
export async function writeRunRecord(stateDir: string, record: RunRecord): Promise<void> {
  const file = runFile(stateDir, record.planId, record.thread);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(temp, `${JSON.stringify(record, null, 2)}\n`);
  await fs.rename(temp, file);
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
