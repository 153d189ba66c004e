/**
 * What an agent's hook process (`fleet hook`) and FleetAI's hook listener agree on. Kept free of zod and of every
 * other module: `fleet hook` runs once per hook event and must start fast.
 */

/** The listener's address: a unix domain socket path, or a Windows named pipe. */
export const HOOK_SOCKET_ENV = 'FLEETAI_HOOK_SOCKET';
/** The pane's token: the listener refuses messages without it. */
export const HOOK_TOKEN_ENV = 'FLEETAI_HOOK_TOKEN';
/** The pane the agent runs in (`p1`, `watch-1234`). */
export const HOOK_PANE_ENV = 'FLEETAI_PANE';

export const HOOK_WIRE_VERSION = 1;

/** A bigger message is refused; `fleet hook` trims payloads well below it. */
export const HOOK_MAX_MESSAGE_BYTES = 1024 * 1024;

/** Strings longer than this are cut by `fleet hook` (a Write tool's file content, a long answer). */
export const HOOK_MAX_STRING = 4000;

/**
 * One message per connection: the client writes one JSON line and half-closes; the listener answers one JSON
 * line, `{"ok":true}` or `{"ok":false,"error":{"code","message"}}`, and closes.
 */
export interface HookWireMessage {
  v: typeof HOOK_WIRE_VERSION;
  token: string;
  pane: string;
  /** The agent's own payload: Claude Code's hook input (stdin) or Codex's notify argument. */
  payload: unknown;
}

export type HookWireReply = { ok: true } | { ok: false; error: { code: string; message: string } };
