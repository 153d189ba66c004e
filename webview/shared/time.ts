import type { Translate } from './i18n';

/** How long, short: `45s`, `3m`, `2h 5m`, `3d` (as the sidebar writes it), in the person's language. */
export function shortDuration(t: Translate, ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return t('{0}s', s);
  const m = Math.floor(s / 60);
  if (m < 60) return t('{0}m', m);
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? t('{0}h', h) : t('{0}h {1}m', h, m % 60);
  return t('{0}d', Math.floor(h / 24));
}

/** Milliseconds since an ISO time; 0 for a time the host wrote wrongly (rather than `NaN` on screen). */
export function ageMs(iso: string, now: number): number {
  const at = Date.parse(iso);
  return Number.isNaN(at) ? 0 : Math.max(0, now - at);
}

const two = (n: number): string => String(n).padStart(2, '0');

/**
 * A wall-clock time for lists, `14:03:07`, with the date before it (`2026-11-20 14:03:07`) when it is not
 * today. Written by hand, not with `Intl`: the same 24-hour form suits both languages, and making the first
 * `Intl.DateTimeFormat` cost more than the rest of the dashboard's times together (measured in the bench).
 */
export function clockTime(iso: string, now: number): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  const time = `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
  const today = new Date(now);
  const sameDay =
    at.getFullYear() === today.getFullYear() &&
    at.getMonth() === today.getMonth() &&
    at.getDate() === today.getDate();
  return sameDay ? time : `${at.getFullYear()}-${two(at.getMonth() + 1)}-${two(at.getDate())} ${time}`;
}

type Listener = () => void;

/**
 * One shared one-second clock for every "3m ago" on the page: only the components that show a time subscribe,
 * so a tick re-renders those texts and not the rows around them.
 */
export function createClock(periodMs = 1000): {
  now: () => number;
  subscribe: (listener: Listener) => () => void;
} {
  const listeners = new Set<Listener>();
  let timer: ReturnType<typeof setInterval> | undefined;
  let current = Date.now();
  return {
    now: () => current,
    // Arrow functions: React calls `subscribe` detached from this object.
    subscribe: (listener) => {
      listeners.add(listener);
      if (!timer) {
        current = Date.now();
        timer = setInterval(() => {
          current = Date.now();
          for (const l of listeners) l();
        }, periodMs);
      }
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer) {
          clearInterval(timer);
          timer = undefined;
        }
      };
    },
  };
}
