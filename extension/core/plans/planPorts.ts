import * as path from 'node:path';
import type { ApprovalStore } from '../approvals';
import type { Logger } from '../observability/appLog';
import type { McpBridge } from '../mcp/mcpBridge';
import type { PaneRegistry } from '../panes/paneRegistry';
import type { WorkspacePaths } from '../workspacePaths';
import type { AgentWorkPort, McpWorkPort } from './executor/workPorts';

/** What a plan run's agent and MCP nodes are given, and how to end them. */
export interface PlanPorts {
  agents: AgentWorkPort;
  mcp: McpWorkPort;
  close(): Promise<void>;
}

export interface PlanPortsOptions {
  workspace: string;
  paths: WorkspacePaths;
  /** The shipped `agents-config/`; FleetAI's `config/mcp.servers.json` sits next to it. */
  builtinProfilesDir: string;
  log: Logger;
  approvals: ApprovalStore;
  /** The supervisor's panes when it runs the plan (see openWorkspaceAgents). */
  registry?: PaneRegistry;
  /** The supervisor's MCP bridge, so plan runs share its sessions; left open by `close()`. */
  bridge?: McpBridge;
}

/**
 * The agents (panes and the agent registry) and the MCP bridge a plan run uses, the same whoever runs it: `fleet
 * run:auto`, `fleet orchestrator` resuming a run after a decision, or the VS Code window. Journals are kept per
 * workspace (`.fleetai/state/agent-journal`, `.fleetai/state/mcp-journal`) under keys that carry the run, so any
 * of them resuming a run finds what the previous runner noted.
 */
export async function openPlanPorts(options: PlanPortsOptions): Promise<PlanPorts> {
  const [{ openWorkspaceAgents }, { openMcpBridge, mcpWorkPort }] = await Promise.all([
    import('./agents'),
    import('../mcp'),
  ]);
  const agents = await openWorkspaceAgents({
    workspace: options.workspace,
    paths: options.paths,
    builtinProfilesDir: options.builtinProfilesDir,
    log: options.log,
    approvals: options.approvals,
    ...(options.registry ? { registry: options.registry } : {}),
  });
  const bridge =
    options.bridge ??
    (await openMcpBridge({
      workspace: options.workspace,
      shippedConfig: path.join(path.dirname(options.builtinProfilesDir), 'config', 'mcp.servers.json'),
      log: options.log,
    }));
  const mcp = mcpWorkPort(bridge, {
    journalDir: path.join(options.paths.stateDir, 'mcp-journal'),
    log: options.log,
  });
  return {
    agents,
    mcp,
    close: async () => {
      await agents.close();
      if (!options.bridge) await bridge.close();
    },
  };
}
