/**
 * Every failure FleetAI reports carries a stable code, so the CLI, the log, the webviews and tests can react to
 * the kind of failure without parsing English (or Chinese) messages.
 */
export const ErrorCode = {
  StoreParse: 'E_STORE_PARSE',
  StoreSchema: 'E_STORE_SCHEMA',
  StoreWrite: 'E_STORE_WRITE',
  StoreRead: 'E_STORE_READ',
  /**
   * A write to `.fleetai/state` failed for a reason of the disk, not of FleetAI (read-only, full, no permission,
   * I/O error, quota): details name the `file` and the OS `osCode`. The file as it was stays intact.
   */
  StateWrite: 'E_STATE_WRITE',
  ConfigInvalid: 'E_CONFIG_INVALID',
  /** The orchestrator config is not JSON/JSONC (or cannot be read); the message has file:line:column. */
  ConfigParse: 'E_CONFIG_PARSE',
  /** The orchestrator config has a field of the wrong type or value, or one that does not exist. */
  ConfigSchema: 'E_CONFIG_SCHEMA',
  /** The orchestrator config names an id that is not there, twice, or in a dependency cycle. */
  ConfigReference: 'E_CONFIG_REFERENCE',
  NativeModule: 'E_NATIVE_MODULE',
  PaneSpawn: 'E_PANE_SPAWN',
  /** An agent's program is not installed (not on PATH, or the path given does not exist). */
  AgentNotFound: 'E_AGENT_NOT_FOUND',
  /** No agent profile of the kind asked for. */
  AgentUnknown: 'E_AGENT_UNKNOWN',
  /** No pane with the id given (never started, or removed). */
  PaneNotFound: 'E_PANE_NOT_FOUND',
  PaneTranscript: 'E_PANE_TRANSCRIPT',
  Git: 'E_GIT',
  Worktree: 'E_WORKTREE',
  /** Someone (another window, the CLI, a phone) answered this approval first; details say who and when. */
  ApprovalAlreadyDecided: 'E_APPROVAL_ALREADY_DECIDED',
  /** No approval request with the id given. */
  ApprovalNotFound: 'E_APPROVAL_NOT_FOUND',
  /** An approval request or decision that does not fit the schema. */
  ApprovalInvalid: 'E_APPROVAL_INVALID',
  /** The approvals folder stayed locked by another process for too long, or the lock was lost mid-write. */
  ApprovalLock: 'E_APPROVAL_LOCK',
  /** No model endpoint is configured: the supervisor decides by its rules alone (the normal default). */
  ModelNotConfigured: 'E_MODEL_NOT_CONFIGURED',
  /** The model endpoint could not be reached (connection refused, DNS, TLS); the message names the URL. */
  ModelUnreachable: 'E_MODEL_UNREACHABLE',
  /** The model endpoint answered with an HTTP error (401, 429, 500...); details carry the status. */
  ModelHttp: 'E_MODEL_HTTP',
  /** The model did not answer within the call's timeout. */
  ModelTimeout: 'E_MODEL_TIMEOUT',
  /** The model's answer is not JSON or does not fit the schema; the message names the field. */
  ModelBadOutput: 'E_MODEL_BAD_OUTPUT',
  /** A prompt template is missing, or uses a placeholder its caller does not supply; names the file. */
  PromptTemplate: 'E_PROMPT_TEMPLATE',
  /** A question asked of a running agent got no finished answer in time. */
  AskTimeout: 'E_ASK_TIMEOUT',
  /** A question could not be asked or answered: the pane exited or refused the input. */
  AskFailed: 'E_ASK_FAILED',
  /** No supervisor answers on the control socket of the workspace. */
  ControlUnreachable: 'E_CONTROL_UNREACHABLE',
  ControlTimeout: 'E_CONTROL_TIMEOUT',
  /** Another process already supervises the workspace. */
  SupervisorRunning: 'E_SUPERVISOR_RUNNING',
  PlanInvalid: 'E_PLAN_INVALID',
  PlanNotFound: 'E_PLAN_NOT_FOUND',
  /** Another live process runs this plan run (thread) already; the message names it. */
  PlanRunBusy: 'E_PLAN_RUN_BUSY',
  /** A hook message that is not JSON or does not fit the schema; the message names the field. */
  HookMessage: 'E_HOOK_MESSAGE',
  /** A hook message without the pane's token (or with another pane's). */
  HookToken: 'E_HOOK_TOKEN',
  /** A hook message for a pane this FleetAI process does not run. */
  HookPane: 'E_HOOK_PANE',
  /** The hook listener could not listen on its socket or pipe. */
  HookListen: 'E_HOOK_LISTEN',
  /** Codex's app-server socket could not be connected to (missing, refused, path too long); names the socket. */
  CodexAppServerConnect: 'E_CODEX_APP_SERVER_CONNECT',
  /** Codex's app-server did not answer a request in time. */
  CodexAppServerTimeout: 'E_CODEX_APP_SERVER_TIMEOUT',
  /** The connection to Codex's app-server closed before a request was answered. */
  CodexAppServerClosed: 'E_CODEX_APP_SERVER_CLOSED',
  /** Codex's app-server answered a request with a JSON-RPC error; details carry its code. */
  CodexAppServerRpc: 'E_CODEX_APP_SERVER_RPC',
  /** Codex's app-server sent something that is not a JSON-RPC message. */
  CodexAppServerProtocol: 'E_CODEX_APP_SERVER_PROTOCOL',
  /** A servers file that is not JSON, or an entry with a wrong or missing field; names file, alias and field. */
  McpConfig: 'E_MCP_CONFIG',
  /** No server with that alias in the shipped or workspace servers file. */
  McpUnknownServer: 'E_MCP_UNKNOWN_SERVER',
  /** The server does not list a tool of that name. */
  McpUnknownTool: 'E_MCP_UNKNOWN_TOOL',
  /** The tool is in the server's `disabledTools`. */
  McpToolDisabled: 'E_MCP_TOOL_DISABLED',
  /** The server is switched off: in its entry (`disabled: true`) or for this session (`bridge.disable`). */
  McpServerDisabled: 'E_MCP_SERVER_DISABLED',
  /** Connecting to an MCP server failed (program missing, refused, handshake error or timeout). */
  McpConnect: 'E_MCP_CONNECT',
  /** The MCP session is down (waiting to reconnect): calls fail at once, or after the wait the caller asked for. */
  McpDisconnected: 'E_MCP_DISCONNECTED',
  /** An MCP tool call failed in transport or protocol (not a tool result with isError). */
  McpCall: 'E_MCP_CALL',
  /** An MCP tool call took longer than its timeout or was aborted. */
  McpTimeout: 'E_MCP_TIMEOUT',
  /** The MCP bridge was closed. */
  McpClosed: 'E_MCP_CLOSED',
  /** A risky MCP tool (high/critical, not alwaysAllow) called where no supervisor can ask a person. */
  McpApprovalRequired: 'E_MCP_APPROVAL_REQUIRED',
  /** A person denied the MCP call, or nobody decided in time. */
  McpDenied: 'E_MCP_DENIED',
  /** A journaled MCP call started before a crash and the tool is not known to be safe to repeat. */
  McpMayHaveRun: 'E_MCP_MAY_HAVE_RUN',
  /** The Prometheus exporter cannot listen on its host and port (in use, no permission, not this machine). */
  MetricsListen: 'E_METRICS_LISTEN',
  /** A notification channel (WeCom, Slack, webhook) is missing its URL or refused or failed a message. */
  NotifyChannel: 'E_NOTIFY_CHANNEL',
  /** A chat callback (WeCom msg_signature, Slack v0 signature) whose signature or timestamp does not check out. */
  ChatSignature: 'E_CHAT_SIGNATURE',
  /** A WeCom callback body that cannot be decrypted or parsed (bad base64, padding, length, CorpID or XML). */
  ChatDecrypt: 'E_CHAT_DECRYPT',
  /** A chat command that cannot be carried out (bad arguments, ambiguous or unknown id, unknown pane). */
  ChatCommand: 'E_CHAT_COMMAND',
  /** The approval portal cannot listen on its host and port (in use, no permission, not this machine). */
  PortalListen: 'E_PORTAL_LISTEN',
  /** A portal request without the portal token, or with a wrong one: nothing was run. */
  PortalAuth: 'E_PORTAL_AUTH',
  /** A portal request refused before it ran: too large, not JSON, from another site, bad fields. */
  PortalRequest: 'E_PORTAL_REQUEST',
  Internal: 'E_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class FleetError extends Error {
  // `string`, not the literal: subclasses (McpError) keep their own name in stack traces.
  override readonly name: string = 'FleetError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isFleetError(value: unknown): value is FleetError {
  return value instanceof FleetError;
}

/** A message for people, whatever was thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
