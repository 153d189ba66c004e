/** Polls `check` every 100 ms until it gives a truthy value (returned), or fails after `timeoutMs` with `what()`. */
export async function until<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  what: () => string,
  timeoutMs = 30_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
