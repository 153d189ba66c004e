import * as path from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Logger } from '../observability/appLog';
import type { ApprovalsPort } from '../supervisor/ports';
import { openMcpBridge, type OpenMcpBridgeOptions } from './index';
import type { McpBridge, McpServerState, McpToolInfo } from './mcpBridge';
import { bilingual, McpError, McpErrorCode } from './mcpErrors';

/**
 * What `fleet mcp:*` and the control methods `mcp.list`, `mcp.tools`, `mcp.call`, `mcp.reconnect` do with a
 * bridge, whoever holds it: the running supervisor (one shared session per server for everything in the
 * workspace) or, when none runs, the CLI's own short-lived bridge. Same answers either way.
 */

/** FleetAI's shipped servers file: `config/` sits next to the shipped `agents-config/`. */
export function shippedMcpServersFile(builtinProfilesDir: string): string {
  return path.join(path.dirname(builtinProfilesDir), 'config', 'mcp.servers.json');
}

/**
 * The workspace's bridge as a supervisor (headless or VS Code) opens it: the shipped and workspace servers files,
 * state changes (`bridge.state-change`) and tool calls (`mcp.tool.invoke`) in the host's app log, and, with
 * `connectAll`, every enabled server connected at once in the background so its state is known before first use.
 */
export async function openWorkspaceMcpBridge(
  options: Omit<OpenMcpBridgeOptions, 'shippedConfig'> & {
    builtinProfilesDir: string;
    log: Logger;
    connectAll?: boolean;
  },
): Promise<McpBridge> {
  const { builtinProfilesDir, connectAll, ...rest } = options;
  const bridge = await openMcpBridge({ ...rest, shippedConfig: shippedMcpServersFile(builtinProfilesDir) });
  if (connectAll)
    for (const alias of bridge.aliases()) {
      if (bridge.config.servers.get(alias)?.disabled) continue;
      // A failure is logged and retried by the bridge itself; nobody awaits it here.
      bridge.connect(alias).catch(() => undefined);
    }
  return bridge;
}

export interface McpServerSummary {
  alias: string;
  state: McpServerState | 'disabled' | 'broken';
  transport: 'stdio' | 'http' | 'sse' | 'unknown';
  tools: number;
  /** Resources and prompts the server lists (0 when it offers none, or is not connected yet). */
  resources: number;
  prompts: number;
  lastError?: string;
  /** ISO time of the next reconnect attempt while `reconnecting`. */
  nextRetryAt?: string;
  file?: string;
}

export interface McpToolSummary {
  name: string;
  title?: string;
  description?: string;
  risk: McpToolInfo['risk'];
  alwaysAllow: boolean;
  disabled: boolean;
  readOnly: boolean;
  inputSchema: McpToolInfo['inputSchema'];
}

export const mcpToolsParamsSchema = z.object({ alias: z.string().min(1) });
export const mcpReconnectParamsSchema = z.object({ alias: z.string().min(1) });
export const mcpCallParamsSchema = z.object({
  alias: z.string().min(1),
  tool: z.string().min(1),
  args: z.record(z.string(), z.unknown()).default({}),
  timeoutMs: z.number().int().positive().max(3_600_000).optional(),
  /** When the server is down, how long to wait for it to be connected again before failing (default: fail at once). */
  waitForConnectionMs: z.number().int().nonnegative().max(3_600_000).optional(),
  /** How long a risky call waits for a person's decision. */
  approvalTimeoutSeconds: z.number().positive().max(3600).default(600),
  /** Where the call was asked from, for the approval record (the palette says vscode). */
  from: z.enum(['cli', 'vscode']).default('cli'),
});

export interface McpControlOptions {
  bridge: McpBridge;
  /** The supervisor's approvals: without them a risky tool is refused instead of asked about. */
  approvals?: Pick<ApprovalsPort, 'request' | 'decide' | 'onDecided'>;
  /** Who the request is filed as (`cli` when it came through the control socket). */
  requester?: string;
  log?: Pick<Logger, 'log'>;
}

export interface McpControl {
  list(): McpServerSummary[];
  tools(params: unknown): Promise<McpToolSummary[]>;
  call(params: unknown): Promise<CallToolResult>;
  reconnect(params: unknown): Promise<McpServerSummary>;
}

export function mcpControl(options: McpControlOptions): McpControl {
  const { bridge } = options;

  const summary = (alias: string): McpServerSummary => {
    const broken = bridge.config.broken.get(alias);
    if (broken)
      return {
        alias,
        state: 'broken',
        transport: 'unknown',
        tools: 0,
        resources: 0,
        prompts: 0,
        lastError: broken.message,
        file: broken.file,
      };
    const server = bridge.config.servers.get(alias);
    const transport = server?.type ?? 'unknown';
    if (server?.disabled)
      return { alias, state: 'disabled', transport, tools: 0, resources: 0, prompts: 0, file: server.file };
    const status = bridge.status(alias);
    return {
      alias,
      state: status.state,
      transport,
      tools: status.tools,
      resources: status.resources,
      prompts: status.prompts,
      ...(status.lastError === undefined ? {} : { lastError: status.lastError }),
      ...(status.nextAttemptAt === undefined
        ? {}
        : { nextRetryAt: new Date(status.nextAttemptAt).toISOString() }),
      ...(server ? { file: server.file } : {}),
    };
  };

  /** Files a request in the approvals store and waits for the first decision, like request_approval does. */
  const approve = async (p: z.infer<typeof mcpCallParamsSchema>, tool: McpToolInfo): Promise<void> => {
    const approvals = options.approvals;
    const what = `MCP ${p.alias}/${p.tool}`;
    if (!approvals)
      throw new McpError(
        McpErrorCode.ApprovalRequired,
        `${McpErrorCode.ApprovalRequired}: ${bilingual(
          `tool "${p.tool}" of MCP server "${p.alias}" is rated ${tool.risk} and not in alwaysAllow; it needs a person's approval, which only a running supervisor can ask for (start fleet orchestrator or the VS Code window, or add it to alwaysAllow)`,
          `MCP 服务器 "${p.alias}" 的工具 "${p.tool}" 风险为 ${tool.risk} 且不在 alwaysAllow 中，需要人工批准，只有运行中的监督器才能发起（请启动 fleet orchestrator 或 VS Code 窗口，或将其加入 alwaysAllow）`,
        )}`,
        { alias: p.alias, tool: p.tool },
      );
    const decided = new Map<string, { decision?: string; decidedBy?: string; message?: string }>();
    let wake: (() => void) | undefined;
    // Listening before filing: a decision made at once is not missed.
    const subscription = approvals.onDecided((record) => {
      decided.set(record.id, record);
      wake?.();
    });
    try {
      const record = await approvals.request({
        pane: `mcp:${p.alias}`,
        agent: p.from === 'vscode' ? 'vscode' : (options.requester ?? 'cli'),
        kind: 'other',
        command: `${what} ${JSON.stringify(p.args).slice(0, 300)}`,
        reason: `${what} is rated ${tool.risk} / 风险 ${tool.risk}`,
        risk: tool.risk,
        reasons: [
          p.from === 'vscode'
            ? 'MCP tool call from the VS Code palette (Call MCP Tool) / 从 VS Code 命令面板调用 MCP 工具'
            : 'MCP tool call through fleet mcp:call / 通过 fleet mcp:call 调用 MCP 工具',
        ],
        source: 'fleet',
      });
      options.log?.log('info', 'mcp', 'mcp.approval.requested', {
        id: record.id,
        alias: p.alias,
        tool: p.tool,
        risk: tool.risk,
      });
      const deadline = Date.now() + p.approvalTimeoutSeconds * 1000;
      while (!decided.has(record.id) && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.min(1000, Math.max(0, deadline - Date.now())));
        });
      }
      let final = decided.get(record.id);
      if (!final) {
        const expired = await approvals.decide(record.id, 'expired', {
          by: 'rule',
          message: `nobody decided within ${p.approvalTimeoutSeconds} s`,
        });
        final = expired.ok ? expired.record : decided.get(record.id);
      }
      const decision = final?.decision ?? 'expired';
      if (decision !== 'approve' && decision !== 'approve_for_session')
        throw new McpError(
          McpErrorCode.Denied,
          `${McpErrorCode.Denied}: ${bilingual(
            `${what} (${tool.risk}) was not approved: ${decision}${final?.message ? ` (${final.message})` : ''}`,
            `${what}（${tool.risk}）未获批准：${decision}${final?.message ? `（${final.message}）` : ''}`,
          )}`,
          { alias: p.alias, tool: p.tool },
        );
    } finally {
      subscription.dispose();
    }
  };

  return {
    list: () => [...new Set([...bridge.aliases(), ...bridge.config.broken.keys()])].sort().map(summary),

    async tools(params) {
      const p = mcpToolsParamsSchema.parse(params);
      return (await bridge.listTools(p.alias)).map((t) => ({
        name: t.name,
        ...(t.title === undefined ? {} : { title: t.title }),
        ...(t.description === undefined ? {} : { description: t.description }),
        risk: t.risk,
        alwaysAllow: t.alwaysAllow,
        disabled: t.disabled,
        readOnly: t.annotations?.readOnlyHint === true,
        inputSchema: t.inputSchema,
      }));
    },

    async call(params) {
      const p = mcpCallParamsSchema.parse(params);
      const wait = p.waitForConnectionMs === undefined ? {} : { waitForConnectionMs: p.waitForConnectionMs };
      const tool = await bridge.requireTool(p.alias, p.tool, wait);
      if ((tool.risk === 'high' || tool.risk === 'critical') && !tool.alwaysAllow) await approve(p, tool);
      // The server may have dropped while a person decided: the same wait applies to the call.
      return bridge.callTool(p.alias, p.tool, p.args, {
        ...(p.timeoutMs === undefined ? {} : { timeoutMs: p.timeoutMs }),
        ...wait,
      });
    },

    async reconnect(params) {
      const p = mcpReconnectParamsSchema.parse(params);
      await bridge.reconnect(p.alias);
      return summary(p.alias);
    },
  };
}
