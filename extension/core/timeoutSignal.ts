/**
 * `AbortSignal.timeout` and `AbortSignal.any` on plain timers and listeners. Node 20's own ones hold their signals
 * weakly, and under garbage-collection pressure a timeout signal was seen never to abort even while still
 * referenced (a plan node's 400 ms limit polled as not aborted for 30 s, about one run in four on a loaded
 * machine). A node, a request or a turn that must end has to end, so these hold what they need strongly.
 */

/** A signal that aborts with a TimeoutError after `ms`; the timer does not keep the process alive. */
export function timeoutSignal(ms: number): AbortSignal {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
    ms,
  );
  timer.unref();
  return controller.signal;
}

/** A signal that aborts when any of `signals` does, with that one's reason. */
export function anySignal(signals: readonly AbortSignal[]): AbortSignal {
  const controller = new AbortController();
  const already = signals.find((s) => s.aborted);
  if (already) {
    controller.abort(already.reason);
    return controller.signal;
  }
  const onAbort = (event: Event): void => {
    for (const s of signals) s.removeEventListener('abort', onAbort);
    controller.abort((event.target as AbortSignal).reason);
  };
  for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
  return controller.signal;
}
