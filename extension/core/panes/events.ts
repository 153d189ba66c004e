/** Returned by every subscription in the core, so hosts can hand it straight to VS Code's `Disposable.from`. */
export interface Disposable {
  dispose(): void;
}

/**
 * A typed event source shaped like VS Code's `Emitter`, which the core cannot import. A throwing listener must
 * not stop the others nor reach the caller of `fire` (often node-pty's data callback), so failures go to
 * `onListenerError`.
 */
export class Emitter<T> {
  private listeners: Array<(value: T) => void> = [];

  constructor(private readonly onListenerError: (error: unknown) => void = () => undefined) {}

  readonly event = (listener: (value: T) => void): Disposable => {
    this.listeners.push(listener);
    return {
      dispose: () => {
        this.listeners = this.listeners.filter((l) => l !== listener);
      },
    };
  };

  fire(value: T): void {
    // A copy, so listeners that unsubscribe (or subscribe) while being called do not skip their neighbours.
    for (const listener of [...this.listeners]) {
      try {
        listener(value);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }

  get size(): number {
    return this.listeners.length;
  }

  dispose(): void {
    this.listeners = [];
  }
}
