import type { TrackerClock } from '../../../extension/core/panes/stateTracker';

/** A clock the test moves by hand, so debounce and stall timing are exact and the tests fast. */
export function fakeClock(): TrackerClock & { advance(ms: number): void } {
  let now = 1_000_000;
  const timers: { at: number; fn: () => void; live: boolean }[] = [];
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const timer = { at: now + ms, fn, live: true };
      timers.push(timer);
      return { cancel: () => (timer.live = false) };
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const next = timers.filter((t) => t.live && t.at <= until).sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        now = next.at;
        next.live = false;
        next.fn();
      }
      now = until;
    },
  };
}
