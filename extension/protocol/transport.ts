/** The smallest thing the protocol needs from a channel: send a value, hear values. */
export interface Transport {
  send(message: unknown): void;
  onMessage(listener: (message: unknown) => void): { dispose(): void };
}

/**
 * Two connected in-memory transports for tests. Delivery is asynchronous (a microtask) and structured-cloned,
 * like `postMessage`, so tests see the same ordering and copying as a real webview.
 */
export function createMemoryTransportPair(): [Transport, Transport] {
  const listeners: [Set<(m: unknown) => void>, Set<(m: unknown) => void>] = [new Set(), new Set()];
  const make = (own: 0 | 1): Transport => ({
    send(message) {
      const copy = structuredClone(message);
      queueMicrotask(() => {
        for (const listener of listeners[own === 0 ? 1 : 0]) listener(copy);
      });
    },
    onMessage(listener) {
      listeners[own].add(listener);
      return { dispose: () => listeners[own].delete(listener) };
    },
  });
  return [make(0), make(1)];
}
