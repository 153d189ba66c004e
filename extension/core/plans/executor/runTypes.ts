import type { BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import type { Logger } from '../../observability/appLog';
import type { NotifierPort } from '../../supervisor/ports';
import type { Plan } from '../planSchema';
import type { ApprovalWait, CompileOptions, ExecutorEvent } from './compilePlan';
import type { NodeStates } from './runState';
import type { RunRecord, RunStatus } from './runRecord';

// The run's options and result on their own, so the pause path (statePause.ts) can name them without importing the
// runner that calls it.
export interface RunPlanOptions extends Omit<CompileOptions, 'checkpointer' | 'onEvent'> {
  plan: Plan;
  /** `.fleetai/state` of the workspace: checkpoints and run records go there. */
  stateDir: string;
  /** A new run gets `<planId>-<timestamp>`; an existing thread is resumed from its last checkpoint. */
  thread?: string;
  planVersion?: number;
  /** 'json' (default) survives crashes; 'memory' for quick runs. */
  checkpointer?: 'json' | 'memory' | BaseCheckpointSaver;
  /** Wait for approval decisions (default) or return at the first approval the run waits for. */
  wait?: boolean;
  pollMs?: number;
  onEvent?: (event: ExecutorEvent) => void;
  /** The app log: runs that end or wait, and failed nodes marked for a person. */
  log?: Logger;
  /** Where a paused run (the state could not be written) is told to a person: the supervisor's notifier. */
  notifier?: NotifierPort;
}

export interface RunResult {
  thread: string;
  /** `paused`: stopped on a state write failure (record.paused says where); resumable. */
  status: RunStatus | 'paused';
  nodes: NodeStates;
  waits: ApprovalWait[];
  record: RunRecord;
}
