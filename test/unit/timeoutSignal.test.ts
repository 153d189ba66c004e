import { describe, expect, it } from 'vitest';
import { anySignal, timeoutSignal } from '../../extension/core/timeoutSignal';

const aborted = (signal: AbortSignal): Promise<unknown> =>
  new Promise((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));

describe('timeoutSignal and anySignal', () => {
  it('a timeout signal aborts with a TimeoutError, even when nobody listens until later', async () => {
    const signal = timeoutSignal(30);
    expect(signal.aborted).toBe(false);
    // Garbage made on purpose: the weakly held signals of AbortSignal.timeout were seen to never fire under it.
    for (let i = 0; i < 50; i++) new Array(10_000).fill({ i });
    const reason = await aborted(signal);
    expect(signal.aborted).toBe(true);
    expect((reason as DOMException).name).toBe('TimeoutError');
  });

  it('anySignal follows the first of its signals, with its reason, and an already aborted one at once', async () => {
    const a = new AbortController();
    const b = new AbortController();
    const any = anySignal([a.signal, b.signal]);
    b.abort('b went first');
    expect(any.aborted).toBe(true);
    expect(any.reason).toBe('b went first');
    a.abort('late');
    expect(any.reason).toBe('b went first');

    const done = new AbortController();
    done.abort('before');
    expect(anySignal([new AbortController().signal, done.signal])).toMatchObject({
      aborted: true,
      reason: 'before',
    });

    const timed = anySignal([new AbortController().signal, timeoutSignal(20)]);
    expect(((await aborted(timed)) as DOMException).name).toBe('TimeoutError');
  });
});
