import type { McpBridge, McpToolInfo } from './mcpBridge';

/** What a plan dry run says about one `mcp_tool` node: the server answers and lists the tool, or why not. */
export interface McpToolCheck {
  status: 'ok' | 'error';
  en: string;
  zh: string;
  /** `server` when the server itself is the problem (unknown, broken entry, unreachable), else `tool`. */
  field: 'server' | 'tool';
  tool?: McpToolInfo;
}

/**
 * Connects to the server (a stdio server is started: the dry run must say so to the person asking) and looks the
 * tool up. Never throws: every failure is a check result.
 */
export async function checkMcpTool(bridge: McpBridge, alias: string, name: string): Promise<McpToolCheck> {
  let tools: McpToolInfo[];
  try {
    tools = await bridge.listTools(alias);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { status: 'error', field: 'server', en: message, zh: message };
  }
  const tool = tools.find((t) => t.name === name);
  if (!tool) {
    const list = tools.map((t) => t.name).join(', ') || 'none';
    return {
      status: 'error',
      field: 'tool',
      en: `server "${alias}" has no tool "${name}" (it has: ${list})`,
      zh: `服务器 "${alias}" 没有工具 "${name}"（现有：${list === 'none' ? '无' : list}）`,
    };
  }
  if (tool.disabled)
    return {
      status: 'error',
      field: 'tool',
      tool,
      en: `tool "${name}" of server "${alias}" is in disabledTools`,
      zh: `服务器 "${alias}" 的工具 "${name}" 已在 disabledTools 中禁用`,
    };
  const hints = [
    tool.annotations?.readOnlyHint === true ? 'read-only' : undefined,
    tool.annotations?.idempotentHint === true ? 'idempotent' : undefined,
    tool.alwaysAllow ? 'always allowed' : undefined,
  ].filter((hint): hint is string => hint !== undefined);
  const hintsZh = [
    tool.annotations?.readOnlyHint === true ? '只读' : undefined,
    tool.annotations?.idempotentHint === true ? '幂等' : undefined,
    tool.alwaysAllow ? '始终允许' : undefined,
  ].filter((hint): hint is string => hint !== undefined);
  return {
    status: 'ok',
    field: 'tool',
    tool,
    en: `server "${alias}" has tool "${name}" (risk ${tool.risk}${hints.length ? `; ${hints.join(', ')}` : ''})`,
    zh: `服务器 "${alias}" 有工具 "${name}"（风险 ${tool.risk}${hintsZh.length ? `；${hintsZh.join('、')}` : ''}）`,
  };
}
