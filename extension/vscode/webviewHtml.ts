import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/**
 * The HTML shell of a FleetAI webview: only our own bundle may run (a fresh nonce each time), resources only from
 * `media/`, no inline scripts, no remote content. The shared chunks are preloaded so the browser fetches them
 * beside the app's entry instead of after it (the first render of a large fleet is measured against 500 ms); the
 * plan graph also preloads its own libraries (React Flow, the layout), which only it loads.
 */
export function renderWebviewHtml(
  webview: vscode.Webview,
  extensionUri: vscode.Uri,
  app: string,
  title: string,
): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (file: string): vscode.Uri =>
    webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'webview', file));
  const csp = [
    "default-src 'none'",
    `img-src ${webview.cspSource} data:`,
    `style-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="${vscode.env.language}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${asset(`${app}.css`).toString()}">
<link id="vscode-codicon-stylesheet" rel="stylesheet" href="${asset('codicon.css').toString()}">
<link rel="modulepreload" nonce="${nonce}" href="${asset('chunks/vendor.js').toString()}">
<link rel="modulepreload" nonce="${nonce}" href="${asset('chunks/shared.js').toString()}">
${app === 'plan' ? `<link rel="modulepreload" nonce="${nonce}" href="${asset('chunks/plan-vendor.js').toString()}">\n` : ''}<title>${escapeHtml(title)}</title>
</head>
<body>
<div id="root" data-app="${app}"></div>
<script nonce="${nonce}" type="module" src="${asset(`${app}.js`).toString()}"></script>
</body>
</html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
