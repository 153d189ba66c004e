import * as path from 'node:path';
import { MemorySaver, type BaseCheckpointSaver } from '@langchain/langgraph-checkpoint';
import type { WorkspacePaths } from '../../workspacePaths';
import { JsonFileSaver, type JsonFileSaverOptions } from './jsonFileSaver';

/** `<workspace>/.fleetai/state/checkpoints`: one folder per plan run (thread). */
export function checkpointsDir(paths: Pick<WorkspacePaths, 'stateDir'>): string {
  return path.join(paths.stateDir, 'checkpoints');
}

export type CheckpointerOptions =
  | ({ mode: 'json' } & JsonFileSaverOptions)
  /** Nothing on disk: for quick runs and tests, gone when the process ends (LangGraph's MemorySaver). */
  | { mode: 'memory' };

/** The checkpointer a plan run uses: JSON files that survive a crash, or memory for runs that need not. */
export function createCheckpointer(options: CheckpointerOptions): BaseCheckpointSaver {
  switch (options.mode) {
    case 'json': {
      const { mode: _mode, ...saverOptions } = options;
      return new JsonFileSaver(saverOptions);
    }
    case 'memory':
      return new MemorySaver();
  }
}
