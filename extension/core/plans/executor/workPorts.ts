import type { Risk } from '../../approvals';
import type { Logger } from '../../observability/appLog';
import type { PlanNodeOf } from '../planSchema';

/** What a work node gives back: its output (read by conditions as `$.nodes.<id>.output`). */
export type WorkResult = { ok: true; output: unknown } | { ok: false; error: string; output?: unknown };

export interface WorkContext {
  workspace: string;
  /** Aborted when the node's timeoutSeconds is over. */
  signal: AbortSignal;
  env: NodeJS.ProcessEnv;
  /** The app log, for what the work itself reports (a worktree created for a branch). */
  log?: Logger;
}

/**
 * Where agents and MCP tools will plug in: the supervisor (a prompt to an agent in a pane, done when the
 * completion criteria hold) and the MCP bridge (a tool call). Implementations must be safe to call again for
 * the same `key` (plan run + node + attempt), because a node interrupted by a crash runs again on resume.
 */
export interface AgentWorkPort {
  invokeAgent(node: PlanNodeOf<'agent_invocation'>, key: string, context: WorkContext): Promise<WorkResult>;
}
export interface McpWorkPort {
  callTool(node: PlanNodeOf<'mcp_tool'>, key: string, context: WorkContext): Promise<WorkResult>;
  /**
   * The tool's risk (its server's `toolRisk` label, else its annotations) and whether the server config always
   * allows it; undefined when the tool cannot be looked up (the call then fails with the reason). The executor
   * asks a person before a high or critical tool that is not always allowed.
   */
  rate?(node: PlanNodeOf<'mcp_tool'>): Promise<{ risk: Risk; alwaysAllow: boolean } | undefined>;
}

export const E_PLAN_NODE_UNSUPPORTED = 'E_PLAN_NODE_UNSUPPORTED';

/** The ports until the supervisor and the MCP bridge provide them: such nodes fail with a clear reason. */
export const unsupportedAgents: AgentWorkPort = {
  invokeAgent: () =>
    Promise.resolve({
      ok: false,
      error:
        `${E_PLAN_NODE_UNSUPPORTED}: agent_invocation nodes need the supervisor, which is not connected to the ` +
        'executor yet / agent_invocation 节点需要 supervisor，执行器尚未接入',
    }),
};
export const unsupportedMcp: McpWorkPort = {
  callTool: () =>
    Promise.resolve({
      ok: false,
      error:
        `${E_PLAN_NODE_UNSUPPORTED}: mcp_tool nodes need the MCP bridge, which is not connected to the executor ` +
        'yet / mcp_tool 节点需要 MCP 桥接，执行器尚未接入',
    }),
};
