import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { ErrorCode, isFleetError } from '../errors';
import { readJson, writeJsonAtomic } from '../store/jsonStore';
import type { StateStorePort } from './orchestrator';
import { supervisorStateSchema, type SupervisorState } from './paneMetadata';

export const SUPERVISOR_STATE_FILE = 'supervisor.json';

/** `.fleetai/state/supervisor.json`: validated on read (a broken file is an error naming it), atomic writes. */
export function supervisorStateStore(stateDir: string): StateStorePort {
  const file = path.join(stateDir, SUPERVISOR_STATE_FILE);
  return {
    load: async () => {
      try {
        return await readJson(file, supervisorStateSchema);
      } catch (error) {
        // The supervisor will save a fresh state: keep the damaged one beside it for the user, never overwrite it.
        if (
          isFleetError(error) &&
          (error.code === ErrorCode.StoreParse || error.code === ErrorCode.StoreSchema)
        ) {
          const aside = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
          await fs.rename(file, aside).catch(() => undefined);
          error.message = `${error.message} (kept as ${aside})`;
        }
        throw error;
      }
    },
    save: (state: SupervisorState) => writeJsonAtomic(file, supervisorStateSchema.parse(state)),
  };
}

/** For `fleet status` when no supervisor runs: the last saved state. */
export function readSupervisorState(stateDir: string): Promise<SupervisorState | undefined> {
  return readJson(path.join(stateDir, SUPERVISOR_STATE_FILE), supervisorStateSchema);
}
