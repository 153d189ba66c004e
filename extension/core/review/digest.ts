import type { Notification } from '../supervisor/ports';
import type { Review } from './types';

/**
 * The daily review digest: at `review.digest_time` (local "HH:MM") a review is made and its headline with the top
 * three next steps goes to the notifier as an `info` notification. The scheduler is pure timing with an
 * injectable clock (tests move time by hand); what a digest does is the `run` it is given.
 */

export interface DigestClock {
  now(): Date;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemDigestClock: DigestClock = {
  now: () => new Date(),
  setTimeout: (fn, ms) => {
    const handle = setTimeout(fn, ms);
    // A digest due tomorrow must not keep `fleet orchestrator` (or a test worker) alive on its own.
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** The next moment at `hhmm` local time strictly after `now`. */
export function nextDigestAt(now: Date, hhmm: string): Date {
  const match = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!match) throw new RangeError(`digest time must be "HH:MM": ${hhmm}`);
  const next = new Date(now.getTime());
  next.setHours(Number(match[1]), Number(match[2]), 0, 0);
  if (next.getTime() <= now.getTime()) next.setDate(next.getDate() + 1);
  return next;
}

export interface DigestScheduler {
  /** When the next digest is due. */
  readonly next: Date | undefined;
  stop(): void;
}

/**
 * Runs `run` every day at `digestTime`. A failing run is reported to `onError` and the next day's is scheduled
 * all the same. Long timers are re-checked at most every hour, so a machine that slept does not skip a day.
 */
export function startDigestScheduler(options: {
  digestTime: string;
  run: () => Promise<void>;
  clock?: DigestClock;
  onError?: (error: unknown) => void;
}): DigestScheduler {
  const clock = options.clock ?? systemDigestClock;
  let due = nextDigestAt(clock.now(), options.digestTime);
  let handle: unknown;
  let stopped = false;
  const arm = (): void => {
    if (stopped) return;
    const wait = Math.max(0, Math.min(due.getTime() - clock.now().getTime(), 3600_000));
    handle = clock.setTimeout(tick, wait);
  };
  const tick = (): void => {
    if (stopped) return;
    if (clock.now().getTime() < due.getTime()) return arm();
    due = nextDigestAt(clock.now(), options.digestTime);
    void options
      .run()
      .catch((error: unknown) => options.onError?.(error))
      .finally(arm);
  };
  arm();
  return {
    get next() {
      return stopped ? undefined : due;
    },
    stop: () => {
      stopped = true;
      clock.clearTimeout(handle);
    },
  };
}

/** The digest as a notification: the headline and the top three steps with their commands. */
export function digestNotification(review: Review): Notification {
  const steps = review.recommendations.slice(0, 3).map((r) => `${r.rank}. ${r.title}\n   ${r.command}`);
  return {
    severity: 'info',
    title: 'FleetAI daily review',
    message: [review.headline, ...(steps.length ? ['', 'Next steps:', ...steps] : [])].join('\n'),
    requires_confirmation: false,
    digest: true,
  };
}
