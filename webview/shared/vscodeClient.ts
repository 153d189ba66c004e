import { Endpoint } from '../../extension/protocol/endpoint';
import type { Transport } from '../../extension/protocol/transport';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

let endpoint: Endpoint | undefined;

/**
 * The only place a webview touches `acquireVsCodeApi` (it may be called once per page). Every app talks to the
 * host through the returned protocol endpoint.
 */
export function hostEndpoint(): Endpoint {
  if (endpoint) return endpoint;
  const api = acquireVsCodeApi();
  const transport: Transport = {
    send: (message) => api.postMessage(message),
    onMessage: (listener) => {
      const handler = (event: MessageEvent): void => listener(event.data);
      window.addEventListener('message', handler);
      return { dispose: () => window.removeEventListener('message', handler) };
    },
  };
  endpoint = new Endpoint(
    transport,
    {},
    {
      idPrefix: `web-${Math.random().toString(36).slice(2, 8)}`,
      timeoutMs: 10_000,
      onProtocolError: (error) => console.warn('[FleetAI] protocol', error.code, error.message),
    },
  );
  return endpoint;
}
