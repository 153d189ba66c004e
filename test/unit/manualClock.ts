import type { DigestClock } from '../../extension/core/review/digest';

/**
 * A clock moved by hand for the daily schedulers (review digest, backup): timers fire when `advance` passes their
 * time, and the scheduled work's promise chain (run, then re-arm) settles between one timer and the next.
 */
export function manualClock(
  start: Date,
): DigestClock & { advance(ms: number): Promise<void>; readonly timers: number } {
  let now = start.getTime();
  let timers: { at: number; fn: () => void; id: number }[] = [];
  let next = 0;
  return {
    now: () => new Date(now),
    setTimeout: (fn, ms) => {
      const id = ++next;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (id) => {
      timers = timers.filter((t) => t.id !== id);
    },
    get timers() {
      return timers.length;
    },
    async advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!due) break;
        timers = timers.filter((t) => t !== due);
        now = due.at;
        due.fn();
        // Let the digest's promise chain (run, then re-arm) settle before the next timer.
        for (let i = 0; i < 5; i++) await Promise.resolve();
      }
      now = end;
    },
  };
}
