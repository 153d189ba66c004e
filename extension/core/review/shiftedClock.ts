import { FleetError, ErrorCode } from '../errors';
import { systemDigestClock, type DigestClock } from './digest';

/**
 * The environment variable that starts the VS Code window's digest clock at another time (an ISO date). A
 * test-only hook: the integration test (test/integration/reviewDigest.test.ts) runs in the extension host's
 * process, sets it to a moment just before `review.digest_time`, and sees the real scheduler fire a few seconds
 * later instead of waiting for a wall-clock minute. Unset, the window uses the system clock.
 */
export const DIGEST_CLOCK_ENV = 'FLEETAI_TEST_DIGEST_CLOCK';

/**
 * A digest clock that reads `start` at the moment it is made and then moves on with real time: the real
 * timers of `base`, only shifted, so the scheduler's timing is exercised as it runs every day.
 */
export function shiftedDigestClock(start: Date, base: DigestClock = systemDigestClock): DigestClock {
  const shift = start.getTime() - base.now().getTime();
  return {
    now: () => new Date(base.now().getTime() + shift),
    setTimeout: (fn, ms) => base.setTimeout(fn, ms),
    clearTimeout: (handle) => base.clearTimeout(handle),
  };
}

/** The clock `DIGEST_CLOCK_ENV` asks for, or undefined (the system clock) when it is unset. */
export function digestClockFromEnv(env: Record<string, string | undefined>): DigestClock | undefined {
  const value = env[DIGEST_CLOCK_ENV]?.trim();
  if (!value) return undefined;
  const start = new Date(value);
  if (Number.isNaN(start.getTime())) {
    throw new FleetError(
      ErrorCode.ConfigInvalid,
      `${DIGEST_CLOCK_ENV}: "${value}" is not an ISO date (e.g. 2026-11-21T08:59:57)`,
      { field: DIGEST_CLOCK_ENV },
    );
  }
  return shiftedDigestClock(start);
}
