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
export { journalFileName, mcpWorkPort, toWorkResult } from './mcpWorkPort';
export { checkMcpTool } from './mcpToolCheck';
export type { McpToolCheck } from './mcpToolCheck';
export type { McpJournalEntry, McpToolOutput, McpWorkPortOptions } from './mcpWorkPort';

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
