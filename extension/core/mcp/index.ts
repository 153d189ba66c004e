/**
 * The MCP bridge (core of issue 7): FleetAI's one client for MCP servers, shared by plans (`mcp_tool` nodes,
 * through `mcpWorkPort`) and later by the agents' tools and the MCP Servers view.
 *
 * Configuration: `config/mcp.servers.json` (shipped, empty) and `<workspace>/.fleetai/mcp.servers.json`, e.g.
 *
 *     {
 *       "$schema": "<FleetAI>/config/mcp.servers.schema.json",
 *       "servers": {
 *         "everything": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-everything"],
 *                         "alwaysAllow": ["echo"], "disabledTools": ["get-env"] },
 *         "remote": { "url": "https://mcp.example.com/mcp",
 *                     "headers": { "Authorization": "Bearer ${env:EXAMPLE_TOKEN}" },
 *                     "toolRisk": { "delete-issue": "critical" } },
 *         "legacy": { "type": "sse", "url": "http://127.0.0.1:3001/sse" }
 *       }
 *     }
 *
 * A plan node then calls `{ "type": "mcp_tool", "server": "everything", "tool": "echo", "arguments": {...} }`.
 */
import type { Logger } from '../observability/appLog';
import { McpBridge, type McpBridgeOptions } from './mcpBridge';
import { loadMcpConfig } from './mcpConfig';

export { McpBridge } from './mcpBridge';
export type {
  BridgeClock,
  CallToolOptions,
  McpBridgeEvents,
  McpBridgeOptions,
  McpInvokeRecord,
  McpPromptInfo,
  McpReloadResult,
  McpResourceInfo,
  McpServerState,
  McpStateEvent,
  McpToolInfo,
} from './mcpBridge';
export { reconnectDelay, systemClock, toolRisk } from './mcpBridge';
export {
  loadMcpConfig,
  MCP_SERVERS_FILE,
  MCP_SERVERS_SCHEMA_FILE,
  mcpServersJsonSchema,
  parseMcpServers,
  redact,
} from './mcpConfig';
export type { LoadedMcpConfig, McpConfigProblem, McpServerConfig } from './mcpConfig';
export { isMcpError, McpError, McpErrorCode } from './mcpErrors';
export type { McpErrorDetails } from './mcpErrors';
export { connectionWaitMs, journalFileName, mcpWorkPort, toWorkResult } from './mcpWorkPort';
export { checkMcpTool } from './mcpToolCheck';
export type { McpToolCheck } from './mcpToolCheck';
export type {
  McpJournalEntry,
  McpPlanPort,
  McpToolOutput,
  McpToolRating,
  McpWorkPortOptions,
} from './mcpWorkPort';

export interface OpenMcpBridgeOptions extends Partial<Omit<McpBridgeOptions, 'workspace' | 'log'>> {
  workspace: string;
  /** FleetAI's own `config/mcp.servers.json` (the CLI and the extension know where it is installed). */
  shippedConfig?: string;
  log?: Logger;
}

/**
 * Reads the servers files and returns a bridge that connects lazily. Problems in the files are logged (and kept
 * in `bridge.config.problems`) rather than thrown: one bad entry must not take the good ones down.
 */
export async function openMcpBridge(options: OpenMcpBridgeOptions): Promise<McpBridge> {
  const config = await loadMcpConfig({
    workspace: options.workspace,
    ...(options.shippedConfig === undefined ? {} : { shippedConfig: options.shippedConfig }),
  });
  for (const problem of config.problems)
    options.log?.warn('mcp', 'config_problem', {
      file: problem.file,
      ...(problem.alias === undefined ? {} : { alias: problem.alias }),
      ...(problem.field === undefined ? {} : { field: problem.field }),
      message: problem.message,
    });
  return new McpBridge(config, { ...options, workspace: options.workspace });
}
