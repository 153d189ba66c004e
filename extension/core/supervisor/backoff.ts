/**
 * Exponential backoff with jitter: attempt 0 waits `baseMs`, each further attempt doubles, never more than
 * `maxMs`. Jitter spreads a fleet of agents hitting the same rate limit so they do not retry in step.
 */
export function backoffDelayMs(
  attempt: number,
  options: { baseMs: number; maxMs: number; jitter: number },
  random: () => number = Math.random,
): number {
  const exp = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, attempt));
  const spread = exp * Math.min(1, Math.max(0, options.jitter));
  // Symmetric jitter, then clamped: the cap stays a cap.
  return Math.round(Math.min(options.maxMs, Math.max(0, exp - spread + 2 * spread * random())));
}
