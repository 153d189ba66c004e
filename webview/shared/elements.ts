// The few @vscode-elements components the apps use, registered before React renders (React sets a custom
// element's props as properties only when the element is already defined), and their JSX types.
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import type { DetailedHTMLProps, HTMLAttributes } from 'react';

type Base = DetailedHTMLProps<HTMLAttributes<HTMLElement>, HTMLElement>;

declare module 'react' {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace JSX {
    interface IntrinsicElements {
      'vscode-button': Base & {
        disabled?: boolean;
        secondary?: boolean;
        icon?: string;
        iconOnly?: boolean;
        iconSpin?: boolean;
      };
      'vscode-badge': Base & {
        variant?: 'default' | 'counter' | 'activity-bar-counter' | 'tab-header-counter';
      };
      'vscode-progress-ring': Base;
    }
  }
}

/**
 * `<vscode-icon>` (inside `<vscode-button icon>`) and the apps' own codicon spans draw codicons from a font whose stylesheet must be on the page with this id (the component
 * copies its address into its shadow root). The host's HTML does not carry it, so it is added here, next to
 * the app's own script: under the webview's CSP, styles and fonts may come only from the extension's media
 * folder, which is where the build puts codicon.css and codicon.ttf.
 */
export function linkCodicons(doc: Document = document): void {
  if (doc.getElementById('vscode-codicon-stylesheet')) return;
  const script = doc.querySelector<HTMLScriptElement>('script[type="module"][src]');
  if (!script) return;
  const link = doc.createElement('link');
  link.id = 'vscode-codicon-stylesheet';
  link.rel = 'stylesheet';
  link.href = new URL('codicon.css', script.src).href;
  doc.head.append(link);
}
