/**
 * The vocabulary of pane states shared by the pane runtime, the detectors, the supervisor, the CLI and the
 * views. One state per pane, always with a reason and the evidence that led to it.
 */
export const PANE_STATES = [
  'starting',
  'working',
  'awaiting_approval',
  'awaiting_input',
  'stalled',
  'error',
  'exited',
] as const;
export type PaneStateName = (typeof PANE_STATES)[number];

export const ERROR_CLASSES = ['rate_limit', 'server', 'network', 'auth', 'unknown'] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

export interface ApprovalOption {
  /** What to send to choose it (e.g. "y", "\u001b" for Esc), from the agent profile or the screen. */
  keys: string;
  label: string;
}

export interface ApprovalRequest {
  kind: 'command' | 'edit' | 'other';
  /** Where the request was read: the screen, or a structured channel that can also answer it. */
  source?: 'screen' | 'protocol' | 'hook';
  /** The structured channel's own id for the request (e.g. Codex's JSON-RPC request id), when it has one. */
  channelId?: string;
  /** The command the agent wants to run, when the prompt shows one. */
  command?: string;
  reason?: string;
  options: ApprovalOption[];
}

export interface PaneErrorInfo {
  class: ErrorClass;
  /** True when the agent says it retries by itself (e.g. "Reconnecting... 1/5"). */
  retrying: boolean;
  message: string;
}

export interface PaneState {
  name: PaneStateName;
  reason: string;
  /** The matched screen lines, title or protocol event, verbatim (untrusted text: display, never execute). */
  evidence: string[];
  /** ISO time of the transition into this state. */
  since: string;
  approval?: ApprovalRequest;
  error?: PaneErrorInfo;
  exitCode?: number;
}

/** Emitted on every change, on the core event stream and into app.jsonl (category `pane`, event `pane.state`). */
export interface PaneStateEvent {
  type: 'pane.state';
  ts: string;
  pane: string;
  agent: string;
  branch?: string;
  from: PaneStateName;
  to: PaneStateName;
  reason: string;
  evidence: string[];
  approval?: ApprovalRequest;
  error?: PaneErrorInfo;
  exitCode?: number;
}

/** What a detector looks at: the live copy of the pane's screen. */
export interface ScreenSnapshot {
  /** The visible viewport, one string per row, trailing spaces trimmed. */
  lines: string[];
  /** Cursor row within `lines`. */
  cursorRow: number;
  title: string;
}

/** What a human or a rule decided about an approval; carried to the agent by keys or by its protocol. */
export const APPROVAL_DECISIONS = ['approve', 'approve_for_session', 'deny', 'cancel'] as const;
export type ApprovalDecision = (typeof APPROVAL_DECISIONS)[number];

/**
 * A structured way to answer an agent's pending approval (Codex's app-server protocol). When a pane has one,
 * decisions go through it instead of keystrokes.
 */
export interface ApprovalChannel {
  readonly name: string;
  /** Resolves false when no request is pending on the channel (the caller then falls back to keys). */
  answer(decision: ApprovalDecision, message?: string): Promise<boolean>;
}
