/**
 * What the notifier carries: one event from the supervisor, with what a person needs to act on it away from the
 * editor. The supervisor's `Notification` (ports.ts) is turned into this by `eventFromNotification`.
 */

export type NotifySeverity = 'info' | 'warning' | 'critical';

export const SEVERITY_ORDER: Record<NotifySeverity, number> = { info: 0, warning: 1, critical: 2 };

export interface ApprovalFacts {
  id: string;
  command?: string;
  risk?: string;
  kind?: string;
}

export interface NotifyEvent {
  severity: NotifySeverity;
  title: string;
  message: string;
  pane?: string;
  branch?: string;
  /** A decision is waiting for a person (the seeds' `requires_confirmation`). */
  requiresConfirmation: boolean;
  /** Set for an approval request: what a reply `/approve <id>` answers. */
  approval?: ApprovalFacts;
  /** A digest the user scheduled (the daily review): sent to remote channels whatever `min_level` says. */
  digest?: boolean;
  /** Epoch ms, from the notifier's clock. */
  at: number;
}

/** A channel that leaves the machine (WeCom, Slack, a webhook). `send` throws a ChannelFailure. */
export interface RemoteChannel {
  readonly name: string;
  /**
   * Undefined when the channel can send; else why not (a missing variable or secret). Asked again before every
   * retry, so a secret set later (VS Code SecretStorage) brings the channel back without a restart.
   */
  unavailable(): Promise<string | undefined>;
  send(event: NotifyEvent, signal: AbortSignal): Promise<void>;
  /** Values that must never reach a log line (webhook URLs, keys, signing secrets), for masking. */
  secrets(): readonly string[];
}

/** A channel inside the machine (VS Code's notification, the CLI's stdout): gets every event, never fails. */
export type LocalChannel = (event: NotifyEvent) => void;

/** Time, injectable so dedupe windows, buckets and backoff are tested without waiting. */
export interface NotifyClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: NotifyClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    // A pending retry must not keep `fleet orchestrator` (or a test worker) alive on its own.
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};
