/**
 * The MCP bridge's failure codes. They live here rather than in core/errors.ts until that file takes them in
 * (its `ErrorCode` is a closed list owned elsewhere); the values follow the same `E_*` convention, so callers
 * can already switch on them.
 */
export const McpErrorCode = {
  /** A servers file that is not JSON, or an entry with a wrong or missing field; names file, alias and field. */
  Config: 'E_MCP_CONFIG',
  /** No server with that alias in the shipped or workspace servers file. */
  UnknownServer: 'E_MCP_UNKNOWN_SERVER',
  /** The server does not list a tool of that name. */
  UnknownTool: 'E_MCP_UNKNOWN_TOOL',
  /** The tool is in the server's `disabledTools`. */
  ToolDisabled: 'E_MCP_TOOL_DISABLED',
  /** The server is switched off in its entry (`disabled: true`). */
  ServerDisabled: 'E_MCP_SERVER_DISABLED',
  /** Connecting failed (program missing, refused, handshake error or timeout). */
  Connect: 'E_MCP_CONNECT',
  /** The session is down (waiting to reconnect): calls fail at once instead of hanging. */
  Disconnected: 'E_MCP_DISCONNECTED',
  /** The tool call failed in transport or protocol (not a tool result with isError). */
  Call: 'E_MCP_CALL',
  /** The tool call took longer than its timeout or was aborted. */
  Timeout: 'E_MCP_TIMEOUT',
  /** The bridge was closed. */
  Closed: 'E_MCP_CLOSED',
  /** A risky tool (high/critical, not alwaysAllow) called where no supervisor can ask a person. */
  ApprovalRequired: 'E_MCP_APPROVAL_REQUIRED',
  /** A person denied the call, or nobody decided in time. */
  Denied: 'E_MCP_DENIED',
  /** A journaled call started before a crash and the tool is not known to be safe to repeat. */
  MayHaveRun: 'E_MCP_MAY_HAVE_RUN',
} as const;
export type McpErrorCode = (typeof McpErrorCode)[keyof typeof McpErrorCode];

export class McpError extends Error {
  override readonly name = 'McpError';
  constructor(
    readonly code: McpErrorCode,
    message: string,
    readonly details: {
      alias?: string;
      tool?: string;
      file?: string;
      field?: string;
      /**
       * For a failed tool call: `failed` when the server answered with an error (the call is over), `unknown`
       * when the answer never came (timeout, abort, lost connection): the tool may or may not have run.
       */
      outcome?: 'failed' | 'unknown';
    } = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isMcpError(value: unknown): value is McpError {
  return value instanceof McpError;
}

/** One message in both languages, the way FleetAI's core reports to people (English / 简体中文). */
export function bilingual(en: string, zh: string): string {
  return `${en} / ${zh}`;
}
