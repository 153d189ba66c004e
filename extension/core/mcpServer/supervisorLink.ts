import * as path from 'node:path';
import { askSupervisor, type SupervisorAnswer } from '../control/controlClient';
import type { CONTROL_METHODS } from '../control/controlProtocol';
import { workspacePaths } from '../workspacePaths';

export type SupervisorMethod = (typeof CONTROL_METHODS)[number];
export type { SupervisorAnswer };

/** One request to the workspace's supervisor; resolves with a coded error, never throws. */
export type SupervisorCall = (
  method: SupervisorMethod,
  params: Record<string, unknown>,
  timeoutMs?: number,
) => Promise<SupervisorAnswer>;

/**
 * The MCP server's way to the supervisor of a workspace: its control socket, looked up on every call, so an agent
 * started before the supervisor (or one that outlives a restart of it) reaches whichever supervisor runs now.
 */
export function supervisorLink(workspace: string): SupervisorCall {
  const file = path.join(workspacePaths(workspace).stateDir, 'control.json');
  return async (method, params, timeoutMs) =>
    (await askSupervisor(file, method, params, timeoutMs)) ?? {
      ok: false,
      code: 'E_NO_SUPERVISOR',
      message: `No FleetAI supervisor runs for ${workspace} (start one with "fleet orchestrator" or open the workspace in VS Code with FleetAI)`,
    };
}
