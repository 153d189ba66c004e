import { ErrorCode, FleetError } from '../errors';

/**
 * The MCP bridge's failure codes, by their short names. They are members of core/errors.ts's `ErrorCode` (the
 * strings users see are unchanged: `E_MCP_*`), so an McpError is a FleetError and `isFleetError` callers, the CLI
 * and the log treat it like any other coded failure.
 */
export const McpErrorCode = {
  Config: ErrorCode.McpConfig,
  UnknownServer: ErrorCode.McpUnknownServer,
  UnknownTool: ErrorCode.McpUnknownTool,
  ToolDisabled: ErrorCode.McpToolDisabled,
  ServerDisabled: ErrorCode.McpServerDisabled,
  Connect: ErrorCode.McpConnect,
  Disconnected: ErrorCode.McpDisconnected,
  Call: ErrorCode.McpCall,
  Timeout: ErrorCode.McpTimeout,
  Closed: ErrorCode.McpClosed,
  ApprovalRequired: ErrorCode.McpApprovalRequired,
  Denied: ErrorCode.McpDenied,
  MayHaveRun: ErrorCode.McpMayHaveRun,
} as const;
export type McpErrorCode = (typeof McpErrorCode)[keyof typeof McpErrorCode];

/** What an MCP failure says about itself beyond its message (a type, not an interface: it is a FleetError's details). */
export type McpErrorDetails = {
  alias?: string;
  tool?: string;
  file?: string;
  field?: string;
  /**
   * For a failed tool call: `failed` when the server answered with an error (the call is over), `unknown`
   * when the answer never came (timeout, abort, lost connection): the tool may or may not have run.
   */
  outcome?: 'failed' | 'unknown';
  /** For E_MCP_DISCONNECTED: the session's state and the ISO time of its next attempt, when one is scheduled. */
  state?: string;
  nextRetryAt?: string;
};

export class McpError extends FleetError {
  override readonly name: string = 'McpError';
  // Narrowed: an McpError always has details, of this shape.
  declare readonly code: McpErrorCode;
  declare readonly details: McpErrorDetails;

  constructor(
    code: McpErrorCode,
    message: string,
    details: McpErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, details, options);
  }
}

export function isMcpError(value: unknown): value is McpError {
  return value instanceof McpError;
}

/** One message in both languages, the way FleetAI's core reports to people (English / 简体中文). */
export function bilingual(en: string, zh: string): string {
  return `${en} / ${zh}`;
}
