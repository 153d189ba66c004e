/**
 * Every failure FleetAI reports carries a stable code, so the CLI, the log, the webviews and tests can react to
 * the kind of failure without parsing English (or Chinese) messages.
 */
export const ErrorCode = {
  StoreParse: 'E_STORE_PARSE',
  StoreSchema: 'E_STORE_SCHEMA',
  StoreWrite: 'E_STORE_WRITE',
  StoreRead: 'E_STORE_READ',
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
  Internal: 'E_INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class FleetError extends Error {
  override readonly name = 'FleetError';
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
