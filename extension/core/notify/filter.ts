import { SEVERITY_ORDER, type NotifyEvent, type NotifySeverity } from './types';

/**
 * The seeds' filter (seed 000, stage 3): only what needs a person reaches a phone. A decision to make always
 * does; otherwise the event's severity must reach `minLevel` (critical by default). Everything else stays in the
 * log and VS Code.
 */
export function reachesRemote(event: NotifyEvent, minLevel: NotifySeverity): boolean {
  return (
    event.requiresConfirmation ||
    event.digest === true ||
    SEVERITY_ORDER[event.severity] >= SEVERITY_ORDER[minLevel]
  );
}

/** What makes two events "the same" for de-duplication: an approval by its id, anything else by its words. */
export function dedupeKey(event: NotifyEvent): string {
  if (event.approval) return `approval:${event.approval.id}`;
  return [event.severity, event.pane ?? '', event.branch ?? '', event.title, event.message].join('\u0000');
}

/** Remembers when each key was last let through; a key seen again within `windowMs` is a duplicate. */
export class Deduper {
  private readonly seen = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /** True the first time within the window (and records it); false for a repeat. */
  admit(key: string): boolean {
    const now = this.now();
    const last = this.seen.get(key);
    if (last !== undefined && now - last < this.windowMs) return false;
    this.seen.set(key, now);
    if (this.seen.size > 1000) this.prune(now);
    return true;
  }

  private prune(now: number): void {
    for (const [key, at] of this.seen) if (now - at >= this.windowMs) this.seen.delete(key);
  }
}

/**
 * A token bucket: `burst` messages at once, then `perMinute` on average. Chat robots have limits of their own
 * (a WeCom robot: 20 a minute) and a flood of alerts helps no one.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly burst: number,
    private readonly perMinute: number,
    private readonly now: () => number,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.perMinute) / 60_000);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
