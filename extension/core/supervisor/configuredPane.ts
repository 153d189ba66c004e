import * as path from 'node:path';
import type { OrchestratorConfig, PaneConfig } from '../config/orchestratorConfig';
import { FleetError, isFleetError } from '../errors';
import type { Logger } from '../observability/appLog';
import type { AgentPane, PaneRegistry } from '../panes/paneRegistry';
import { worktreeForBranch } from '../panes/worktree';

/** Starts one pane of the config: its agent's bin and extra args, its worktree when asked for. */
export async function startConfiguredPane(
  registry: PaneRegistry,
  config: OrchestratorConfig,
  pane: PaneConfig,
  workspace: string,
  log: Logger,
): Promise<AgentPane> {
  const agent = config.agents[pane.agent];
  let cwd = path.resolve(workspace, pane.cwd ?? '.');
  if (pane.worktree && pane.branch) {
    cwd = await worktreeForBranch({
      repo: cwd,
      branch: pane.branch,
      ...(pane.base ? { base: pane.base } : {}),
      log,
    });
  }
  let command = pane.command ?? agent?.bin;
  let args = pane.args ?? (command === undefined ? undefined : []);
  if (agent?.extra_args.length) args = [...(args ?? []), ...agent.extra_args];
  // A bin with shell syntax (". ~/.proxy-on.sh && proxychains4 -q codex") runs through the shell.
  if (command !== undefined && /[\s;&|$`<>]/.test(command)) {
    const quoted = (args ?? []).map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
    args = ['-c', `${command}${quoted ? ` ${quoted}` : ''}`];
    command = '/bin/sh';
  }
  const fleetMcp = pane.fleet_mcp ?? agent?.fleet_mcp ?? false;
  const request = {
    id: pane.id,
    // The config's id is the name people gave the pane ("api", "docs"); the kind shows beside it anyway.
    name: pane.id,
    kind: pane.agent,
    ...(command !== undefined ? { command } : {}),
    ...(args !== undefined ? { args } : {}),
    cwd,
    ...(pane.branch ? { branch: pane.branch } : {}),
    env: { ...(agent?.env ?? {}), ...pane.env },
    ...(fleetMcp ? { fleetMcp } : {}),
  };
  try {
    return await registry.start(request);
  } catch (error) {
    // The registry knows the profile; the person needs the config field that asked for it.
    if (fleetMcp && isFleetError(error) && error.details?.field === 'fleetMcp') {
      const where =
        pane.fleet_mcp !== undefined ? `panes[id=${pane.id}].fleet_mcp` : `agents.${pane.agent}.fleet_mcp`;
      throw new FleetError(error.code, `orchestrator.json: ${where}: ${error.message}`, error.details, {
        cause: error,
      });
    }
    throw error;
  }
}
