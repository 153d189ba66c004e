import * as path from 'node:path';
import { callControl, readControlFile } from '../control/controlClient';
import type { CONTROL_METHODS } from '../control/controlProtocol';
import { describeError } from '../errors';
import { workspacePaths } from '../workspacePaths';

export type SupervisorMethod = (typeof CONTROL_METHODS)[number];
export type SupervisorAnswer = { ok: true; value: unknown } | { ok: false; code: string; message: string };

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
  return async (method, params, timeoutMs) => {
    let control;
    try {
      control = await readControlFile(file);
    } catch (error) {
      return { ok: false, code: 'E_CONTROL_FILE', message: describeError(error) };
    }
    if (!control)
      return {
        ok: false,
        code: 'E_NO_SUPERVISOR',
        message: `No FleetAI supervisor runs for ${workspace} (start one with "fleet orchestrator" or open the workspace in VS Code with FleetAI)`,
      };
    try {
      const response = await callControl(control, method, params, timeoutMs);
      return response.ok
        ? { ok: true, value: response.value }
        : { ok: false, code: response.error.code, message: response.error.message };
    } catch (error) {
      return {
        ok: false,
        code: (error as { code?: string }).code ?? 'E_CONTROL_UNREACHABLE',
        message: describeError(error),
      };
    }
  };
}
