import { Endpoint } from '../../extension/protocol/endpoint';
import type { Transport } from '../../extension/protocol/transport';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;
let endpoint: Endpoint | undefined;

/** `acquireVsCodeApi` may be called once per page; everything here shares that one handle. */
function vscodeApi(): VsCodeApi {
  api ??= acquireVsCodeApi();
  return api;
}

/**
 * The only place a webview touches `acquireVsCodeApi`. Every app talks to the host through the returned
 * protocol endpoint.
 */
export function hostEndpoint(): Endpoint {
  if (endpoint) return endpoint;
  const vscode = vscodeApi();
  const transport: Transport = {
    send: (message) => vscode.postMessage(message),
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

/** What the previous page of this webview saved, unchecked (see uiState.ts for the check). */
export function savedState(): unknown {
  return vscodeApi().getState();
}

let pending: unknown;
let timer: ReturnType<typeof setTimeout> | undefined;

function flush(): void {
  if (timer !== undefined) clearTimeout(timer);
  timer = undefined;
  if (pending !== undefined) vscodeApi().setState(pending);
  pending = undefined;
}

/**
 * Keeps `state` for the next page of this webview. Snapshots may change several times a second and each
 * `setState` serialises the whole state, so writes are coalesced (the last one wins within `delayMs`), and
 * flushed when the page goes away.
 */
export function saveState(state: unknown, delayMs = 500): void {
  pending = state;
  timer ??= setTimeout(flush, delayMs);
}

if (typeof window !== 'undefined') window.addEventListener('pagehide', flush);
