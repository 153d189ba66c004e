import type { Disposable } from '../panes/events';
import type { ApprovalDecision, ApprovalRequest, PaneState, PaneStateEvent } from '../panes/types';
import type { ModelDecider } from '../decisions/modelDecider';
import type { Risk } from './paneMetadata';

/**
 * What the supervisor needs from the panes, whoever hosts them (the VS Code window's registry, the headless
 * `fleet orchestrator`, a test). Kept narrow so the policies can be driven by a scripted fleet in unit tests.
 */
export interface FleetPaneView {
  id: string;
  kind: string;
  branch?: string;
  cwd: string;
  state: PaneState;
  exited: boolean;
  /** When the current process started (ms). */
  startedAt: number;
  /** The current process was started by `restart`. */
  restarted: boolean;
  /** A person stopped it (or it exited cleanly): no automatic restart. */
  stoppedByUser: boolean;
}

export interface FleetPort {
  list(): FleetPaneView[];
  get(id: string): FleetPaneView | undefined;
  onStateChange(listener: (event: PaneStateEvent) => void): Disposable;
  /** A pane was added or removed. */
  onMembershipChange(listener: () => void): Disposable;
  /** Types text (paced, submitted); `whenReady: false` types even though the agent does not wait for input. */
  send(id: string, text: string, options?: { whenReady?: boolean }): Promise<boolean>;
  /** Presses the agent's submit keys (Enter) again, for text that sits unsent in its input. */
  submit(id: string): boolean;
  /** Sends the agent's interrupt keys (Esc for Codex), for a nudge of a stalled agent. */
  interrupt(id: string): boolean;
  /** The agent's nudge text (profile `nudge.text`). */
  nudgeText(id: string): string;
  answerApproval(
    id: string,
    decision: ApprovalDecision,
    message?: string,
  ): Promise<{ via: string } | undefined>;
  /** Starts the agent again in the same pane with its resume command (`codex resume --last`...). */
  restart(id: string): Promise<void>;
  /**
   * Asks the agent a question and returns its answer once the turn is over (seed 002's "talk with a running
   * agent"). Resolves with a coded error, never throws.
   */
  ask(
    id: string,
    question: string,
    timeoutMs: number,
  ): Promise<
    { ok: true; answer: string; latencyMs: number } | { ok: false; error: { code: string; message: string } }
  >;
  /** The visible screen, for loop fingerprints and approval excerpts. */
  screen(id: string): string[];
  /** The last `lines` lines of the pane (scrollback included), for summaries and the model's context. */
  tail(id: string, lines: number): string[];
}

export interface ApprovalRecordView {
  id: string;
  pane: string;
  command?: string;
  kind: string;
  risk: Risk;
  source: 'agent' | 'fleet';
  decision?: ApprovalDecision | 'expired';
  decidedBy?: string;
  message?: string;
}

export interface ApprovalsPort {
  request(input: {
    pane: string;
    branch?: string;
    agent: string;
    kind: ApprovalRequest['kind'];
    command?: string;
    reason?: string;
    risk: Risk;
    reasons: string[];
    source: 'agent' | 'fleet';
    transcriptExcerpt?: string;
  }): Promise<ApprovalRecordView>;
  /** First decision wins; a later one is refused. */
  decide(
    id: string,
    decision: ApprovalDecision | 'expired',
    by: { by: string; message?: string },
  ): Promise<
    { ok: true; record: ApprovalRecordView } | { ok: false; error: { code: string; message: string } }
  >;
  pending(): Promise<ApprovalRecordView[]>;
  /** Closes requests nobody answered for `olderThanMs` (decision `expired`); returns them. */
  expire(olderThanMs: number): Promise<ApprovalRecordView[]>;
  /** Called with each record decided by anyone (this process or another). */
  onDecided(listener: (record: ApprovalRecordView) => void): Disposable;
}

export interface Notification {
  severity: 'info' | 'warning' | 'critical';
  title: string;
  message: string;
  pane?: string;
  branch?: string;
  /** Set when the human can answer it (Approve / Deny). */
  approvalId?: string;
  requires_confirmation: boolean;
  /** A digest the user scheduled (the daily review): remote channels get it at any `min_level`. */
  digest?: boolean;
}

export interface NotifierPort {
  notify(notification: Notification): void;
}

/**
 * The optional model (extension/core/decisions): without one the supervisor decides by rules. Every method
 * resolves, never throws.
 */
export type DeciderPort = Pick<ModelDecider, 'decide' | 'summarize' | 'decompose' | 'judgeRisk'>;
