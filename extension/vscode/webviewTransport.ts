import type * as vscode from 'vscode';
import type { Transport } from '../protocol/transport';

/** The protocol's transport over a webview's postMessage channel. */
export function webviewTransport(webview: vscode.Webview): Transport {
  return {
    send: (message) => {
      void webview.postMessage(message);
    },
    onMessage: (listener) => webview.onDidReceiveMessage(listener),
  };
}
