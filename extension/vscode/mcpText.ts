// Pure helpers of the MCP Servers view and commands: no `vscode` import, so unit tests run them directly.
import type { McpServerState } from '../core/mcp';

/** What a server row shows: the bridge's state, or why the bridge does not use it. */
export type McpRowState = McpServerState | 'disabled' | 'broken';

/** Codicon and theme colour per state: green connected, yellow retrying, red down or broken, grey off. */
export function mcpStateIcon(state: McpRowState): { icon: string; color?: string } {
  switch (state) {
    case 'connected':
      return { icon: 'pass-filled', color: 'charts.green' };
    case 'connecting':
      return { icon: 'loading~spin', color: 'charts.blue' };
    case 'reconnecting':
      return { icon: 'sync~spin', color: 'charts.yellow' };
    case 'disconnected':
      return { icon: 'debug-disconnect', color: 'errorForeground' };
    case 'broken':
      return { icon: 'error', color: 'errorForeground' };
    case 'disabled':
      return { icon: 'circle-slash', color: 'disabledForeground' };
    default:
      return { icon: 'circle-outline' };
  }
}

/** Whole seconds until the next reconnect attempt (never negative; rounded up so "0 s" means "now"). */
export function retryInSeconds(nextAttemptAt: number, now: number): number {
  return Math.max(0, Math.ceil((nextAttemptAt - now) / 1000));
}

/**
 * `contextValue` of a server row, which the view's menus match: `fleetai.mcp.server.<state>`, and
 * `fleetai.mcp.server.disabled.session` for one turned off in this window (which Enable turns back on).
 */
export function mcpServerContext(state: McpRowState, sessionDisabled = false): string {
  return `fleetai.mcp.server.${state}${state === 'disabled' && sessionDisabled ? '.session' : ''}`;
}

/** A tool asks a person first unless it is low or medium risk, or listed in the server's `alwaysAllow`. */
export function mcpToolNeedsApproval(tool: { risk: string; alwaysAllow: boolean }): boolean {
  return !tool.alwaysAllow && (tool.risk === 'high' || tool.risk === 'critical');
}

export type ToolArgsCheck =
  | { ok: true; args: Record<string, unknown> }
  | { ok: false; problem: 'json'; detail: string }
  | { ok: false; problem: 'object' }
  | { ok: false; problem: 'missing'; detail: string };

/**
 * Checks what a person typed as a tool's arguments: JSON, an object, with the schema's required properties.
 * The server validates the rest; this only catches the mistakes a person makes most, before a round trip.
 */
export function parseToolArgs(text: string, schema: { required?: unknown } | undefined): ToolArgsCheck {
  const trimmed = text.trim();
  let value: unknown;
  try {
    value = trimmed === '' ? {} : JSON.parse(trimmed);
  } catch (error) {
    return { ok: false, problem: 'json', detail: error instanceof Error ? error.message : String(error) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ok: false, problem: 'object' };
  const args = value as Record<string, unknown>;
  const required = Array.isArray(schema?.required)
    ? schema.required.filter((r): r is string => typeof r === 'string')
    : [];
  const missing = required.filter((name) => !(name in args));
  if (missing.length > 0) return { ok: false, problem: 'missing', detail: missing.join(', ') };
  return { ok: true, args };
}

/** A skeleton the arguments box starts with: each required property with an empty value of its type. */
export function argsTemplate(schema: { properties?: unknown; required?: unknown } | undefined): string {
  const required = Array.isArray(schema?.required)
    ? schema.required.filter((r): r is string => typeof r === 'string')
    : [];
  if (required.length === 0) return '{}';
  const properties = (
    typeof schema?.properties === 'object' && schema.properties !== null ? schema.properties : {}
  ) as Record<string, { type?: unknown }>;
  const skeleton: Record<string, unknown> = {};
  for (const name of required) {
    const type = properties[name]?.type;
    skeleton[name] =
      type === 'number' || type === 'integer'
        ? 0
        : type === 'boolean'
          ? false
          : type === 'array'
            ? []
            : type === 'object'
              ? {}
              : '';
  }
  return JSON.stringify(skeleton);
}

/** The `app.jsonl` lines about one MCP server (category `mcp` with its alias), or every `mcp` line. */
export function mcpLogLines(text: string, alias?: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let record: { category?: unknown; context?: { alias?: unknown } };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      continue;
    }
    if (record.category !== 'mcp') continue;
    if (alias !== undefined && record.context?.alias !== alias) continue;
    out.push(line);
  }
  return out;
}

/** A slug for a read-only document's path: letters, digits, `_.-`. */
export function docSlug(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80) || '_';
}
