import type { PaneStateName } from '../panes/types';

/** The seeds' rule for the dashboard: a heartbeat older than this means the supervisor is not looking. */
export const HEARTBEAT_STALE_MS = 60_000;

/** How many panes need what, as the status bar shows it. */
export interface FleetCounts {
  /** Starting or working. */
  working: number;
  /** Idle, waiting for the next instruction. */
  waiting: number;
  stalled: number;
  /** In an error the agent does not (or does) retry by itself. */
  error: number;
  /** Things a person must answer: pending approval requests, and agents showing a prompt not yet recorded. */
  approval: number;
  /** Panes whose process runs. */
  live: number;
}

/**
 * Counts the panes by what they need. An agent on an approval prompt counts once, as an approval: through its
 * pending request when the supervisor has recorded one, by itself while the request is still being written (or
 * when no supervisor records it). Requests of panes in other processes (a `fleet orchestrator`) count too: a
 * person answers them from this window as well.
 */
export function countFleet(
  panes: readonly { id: string; state: PaneStateName }[],
  pending: readonly { pane: string }[],
): FleetCounts {
  const counts: FleetCounts = { working: 0, waiting: 0, stalled: 0, error: 0, approval: 0, live: 0 };
  const requested = new Set(pending.map((p) => p.pane));
  for (const pane of panes) {
    if (pane.state === 'exited') continue;
    counts.live += 1;
    switch (pane.state) {
      case 'starting':
      case 'working':
        counts.working += 1;
        break;
      case 'awaiting_input':
        counts.waiting += 1;
        break;
      case 'stalled':
        counts.stalled += 1;
        break;
      case 'error':
        counts.error += 1;
        break;
      case 'awaiting_approval':
        if (!requested.has(pane.id)) counts.approval += 1;
        break;
    }
  }
  counts.approval += pending.length;
  return counts;
}

/** Milliseconds since an ISO heartbeat; undefined without one (or an unreadable one). Never negative. */
export function heartbeatAgeMs(heartbeat: string | undefined, now: number): number | undefined {
  if (heartbeat === undefined) return undefined;
  const at = Date.parse(heartbeat);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, now - at);
}
