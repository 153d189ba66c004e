import type { ErrorPayload, Result } from '../../extension/protocol/envelope';
import { ProtocolErrorCode } from '../../extension/protocol/endpoint';
import type { RequestMethod, RequestParams, RequestResult } from '../../extension/protocol/messages';

/**
 * Whether the webview can talk to the extension host, as a small state machine without React or DOM:
 *
 * - `connecting`: the first attempt (host info + snapshot) is in flight; nothing has answered yet.
 * - `connected`: the last attempt or ping was answered.
 * - `disconnected`: an attempt failed, or a ping (every 5 s, 3 s to answer) or an action's request got no
 *   answer; the next automatic attempt waits its backoff (1 s, 2 s, 4 s … at most 30 s), `nextRetryAt` says when.
 * - `reconnecting`: an automatic or manual (`retryNow`) attempt is in flight after a disconnection.
 *
 * Each successful attempt hands the fresh value (the snapshot) to `onConnected`, so a reconnect re-fetches it.
 */
export type ConnectionState = 'connecting' | 'connected' | 'disconnected' | 'reconnecting';

export interface ConnectionStatus {
  state: ConnectionState;
  /** Failed attempts since the last success (the backoff grows with it). */
  failures: number;
  lastError?: ErrorPayload;
  /** When the next automatic attempt starts (ms since the epoch), while `disconnected`. */
  nextRetryAt?: number;
}

/** The part of the protocol Endpoint the connection needs (a test may pass a fake). */
export interface Requester {
  request<M extends RequestMethod>(
    method: M,
    params: RequestParams<M>,
    options?: { timeoutMs?: number },
  ): Promise<Result<RequestResult<M>>>;
}

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  now(): number;
}

export interface ConnectionOptions<T> {
  endpoint: Requester;
  /** Fetches what the view needs from the host; its failure counts as a failed attempt. */
  attempt: (timeoutMs: number) => Promise<Result<T>>;
  onConnected: (value: T) => void;
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  attemptTimeoutMs?: number;
  maxBackoffMs?: number;
  timers?: Timers;
}

const defaultTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

/** 1 s, 2 s, 4 s … capped: the wait before automatic attempt number `failures` + 1. */
export function backoffMs(failures: number, maxMs = 30_000): number {
  return Math.min(maxMs, 1000 * 2 ** Math.max(0, failures - 1));
}

/** Errors that say the host did not answer at all, as opposed to answering "no". */
export function isConnectionError(error: ErrorPayload): boolean {
  return error.code === ProtocolErrorCode.Timeout || error.code === ProtocolErrorCode.Closed;
}

export class HostConnection<T> {
  private current: ConnectionStatus = { state: 'connecting', failures: 0 };
  private readonly listeners = new Set<(status: ConnectionStatus) => void>();
  private timer: unknown;
  /** Bumped whenever an attempt or ping becomes irrelevant, so its late answer is ignored. */
  private generation = 0;
  private inFlight = false;
  private started = false;
  private disposed = false;
  private readonly timers: Timers;
  private readonly pingIntervalMs: number;
  private readonly pingTimeoutMs: number;
  private readonly attemptTimeoutMs: number;
  private readonly maxBackoffMs: number;

  constructor(private readonly options: ConnectionOptions<T>) {
    this.timers = options.timers ?? defaultTimers;
    this.pingIntervalMs = options.pingIntervalMs ?? 5000;
    this.pingTimeoutMs = options.pingTimeoutMs ?? 3000;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 5000;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
  }

  get status(): ConnectionStatus {
    return this.current;
  }

  get connected(): boolean {
    return this.current.state === 'connected';
  }

  subscribe(listener: (status: ConnectionStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (this.started || this.disposed) return;
    this.started = true;
    this.runAttempt();
  }

  /**
   * The Retry button: attempt at once instead of waiting out the backoff, or instead of waiting for an attempt
   * still in flight to time out (its late answer is then ignored).
   */
  retryNow(): void {
    if (!this.started || this.disposed || this.current.state === 'connected') return;
    this.clearTimer();
    this.runAttempt();
  }

  /**
   * An action's request came back: a missing answer means the host is gone, just as a failed ping does, so the
   * buttons are disabled at once rather than at the next ping.
   */
  noteResult(result: Result<unknown>): void {
    if (!result.ok && isConnectionError(result.error) && this.current.state === 'connected') {
      this.fail(result.error);
    }
  }

  /**
   * Something arrived from the host (an event) while we thought it gone: try again now rather than at the end
   * of the backoff.
   */
  noteAlive(): void {
    if (this.current.state === 'disconnected' && !this.inFlight) this.retryNow();
  }

  dispose(): void {
    this.disposed = true;
    this.generation++;
    this.clearTimer();
    this.listeners.clear();
  }

  private set(status: ConnectionStatus): void {
    this.current = status;
    for (const listener of [...this.listeners]) listener(status);
  }

  private clearTimer(): void {
    if (this.timer !== undefined) this.timers.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private runAttempt(): void {
    const generation = ++this.generation;
    this.inFlight = true;
    if (this.current.state !== 'connecting') {
      this.set({ ...this.current, state: 'reconnecting', nextRetryAt: undefined });
    }
    void this.options.attempt(this.attemptTimeoutMs).then(
      (result) => this.attemptDone(generation, result),
      (error: unknown) =>
        this.attemptDone(generation, {
          ok: false,
          error: {
            code: 'E_WEBVIEW_ATTEMPT',
            message: error instanceof Error ? error.message : String(error),
          },
        }),
    );
  }

  private attemptDone(generation: number, result: Result<T>): void {
    if (generation !== this.generation || this.disposed) return;
    this.inFlight = false;
    if (!result.ok) {
      this.fail(result.error);
      return;
    }
    this.set({ state: 'connected', failures: 0 });
    this.options.onConnected(result.value);
    this.schedulePing();
  }

  private fail(error: ErrorPayload): void {
    this.generation++;
    this.inFlight = false;
    this.clearTimer();
    const failures = this.current.failures + 1;
    const wait = backoffMs(failures, this.maxBackoffMs);
    this.set({ state: 'disconnected', failures, lastError: error, nextRetryAt: this.timers.now() + wait });
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      this.runAttempt();
    }, wait);
  }

  private schedulePing(): void {
    this.clearTimer();
    const generation = this.generation;
    this.timer = this.timers.setTimeout(() => {
      this.timer = undefined;
      void this.options.endpoint
        .request('host.ping', {}, { timeoutMs: this.pingTimeoutMs })
        .then((result) => {
          if (generation !== this.generation || this.disposed) return;
          // An error the host answered (say, a method it lacks) still proves that it is there.
          if (result.ok || !isConnectionError(result.error)) this.schedulePing();
          else this.fail(result.error);
        });
    }, this.pingIntervalMs);
  }
}
