import { describe, expect, it } from 'vitest';
import type { DigestClock } from '../../../extension/core/review/digest';
import {
  DIGEST_CLOCK_ENV,
  digestClockFromEnv,
  shiftedDigestClock,
} from '../../../extension/core/review/shiftedClock';

/** A base clock whose time the test sets; its timers are only recorded. */
function baseClock(start: number): DigestClock & { set(ms: number): void; timers: number[] } {
  let now = start;
  const timers: number[] = [];
  return {
    now: () => new Date(now),
    setTimeout: (_fn, ms) => timers.push(ms),
    clearTimeout: () => undefined,
    set: (ms) => {
      now = ms;
    },
    timers,
  };
}

describe('the shifted digest clock (the window test hook)', () => {
  it('starts at the given time and moves on with the base clock, its timers unchanged', () => {
    const base = baseClock(1_000_000);
    const clock = shiftedDigestClock(new Date('2026-11-21T08:59:57Z'), base);
    expect(clock.now().toISOString()).toBe('2026-11-21T08:59:57.000Z');
    base.set(1_002_500);
    expect(clock.now().toISOString()).toBe('2026-11-21T08:59:59.500Z');
    clock.setTimeout(() => undefined, 3000);
    expect(base.timers).toEqual([3000]);
  });

  it('is off when the variable is unset and refuses a value that is not a date, naming the variable', () => {
    expect(digestClockFromEnv({})).toBeUndefined();
    expect(digestClockFromEnv({ [DIGEST_CLOCK_ENV]: ' ' })).toBeUndefined();
    expect(() => digestClockFromEnv({ [DIGEST_CLOCK_ENV]: 'tomorrow' })).toThrow(
      /FLEETAI_TEST_DIGEST_CLOCK: "tomorrow" is not an ISO date/,
    );
    const clock = digestClockFromEnv({ [DIGEST_CLOCK_ENV]: '2026-11-21T08:59:57Z' });
    // Real time moves on from the given start by at most the time this line takes.
    expect(Math.abs(clock!.now().getTime() - Date.parse('2026-11-21T08:59:57Z'))).toBeLessThan(60_000);
  });
});
