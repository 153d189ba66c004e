import * as vscode from 'vscode';
import type { Logger } from '../core/observability/appLog';
import { Endpoint, type RequestHandlers } from '../protocol/endpoint';
import type { EventName, EventPayload } from '../protocol/messages';
import { renderWebviewHtml } from './webviewHtml';
import { webviewTransport } from './webviewTransport';

export type WebviewApp = 'dashboard' | 'approvals' | 'plan';

/**
 * One FleetAI webview panel (the dashboard, the approvals queue or the plan graph), one at a time per app: showing it again
 * brings the existing one forward. The panel talks to the host only through the typed protocol; after a window
 * reload VS Code hands the panel back through `restore` (the serializer), and the webview restores its own
 * state from `setState`.
 */
export class FleetWebviewPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private endpoint: Endpoint | undefined;
  private readonly served = new vscode.EventEmitter<string>();
  private readonly opened = new vscode.EventEmitter<void>();
  private readonly hidden = new vscode.EventEmitter<void>();
  /** Fires with the method name each time the webview's request was answered (used by tests and the log). */
  readonly onDidServeRequest = this.served.event;
  /** Fires when the panel opens or becomes visible again: the host sends it a fresh snapshot. */
  readonly onDidOpen = this.opened.event;
  /** Fires when the panel is hidden or closed: whatever follows it for pushes can stop. */
  readonly onDidHide = this.hidden.event;

  constructor(
    readonly app: WebviewApp,
    private readonly title: () => string,
    private readonly extensionUri: vscode.Uri,
    private readonly handlers: RequestHandlers,
    private readonly log: Logger,
  ) {}

  static viewType(app: WebviewApp): string {
    return `fleetai.${app}`;
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** Open and visible: worth sending a snapshot to (a hidden webview is discarded and asks again when shown). */
  get isVisible(): boolean {
    return this.panel?.visible ?? false;
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      FleetWebviewPanel.viewType(this.app),
      this.title(),
      vscode.ViewColumn.Active,
      this.webviewOptions(),
    );
    this.bind(panel);
  }

  /** A panel VS Code kept over a reload. */
  restore(panel: vscode.WebviewPanel): void {
    if (this.panel) {
      // Two restored panels of one app cannot both be ours: keep the first.
      panel.dispose();
      return;
    }
    panel.webview.options = this.webviewOptions();
    this.bind(panel);
    this.log.info('webview', `${this.app}.restored`);
  }

  /** Sends an event to the webview when it is open (validated by the endpoint like every message). */
  post<N extends EventName>(name: N, payload: EventPayload<N>): void {
    if (this.panel?.visible) this.endpoint?.emit(name, payload);
  }

  private webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      // The webview keeps its own state (setState) and asks for a whole snapshot when it comes back.
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
  }

  private bind(panel: vscode.WebviewPanel): void {
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'fleetai.svg');
    panel.title = this.title();
    const traced: RequestHandlers = {};
    for (const [method, handler] of Object.entries(this.handlers) as [
      keyof RequestHandlers,
      (p: unknown) => unknown,
    ][]) {
      (traced as Record<string, (p: unknown) => Promise<unknown>>)[method] = async (params) => {
        const value = await handler(params);
        queueMicrotask(() => this.served.fire(method));
        return value;
      };
    }
    this.endpoint = new Endpoint(webviewTransport(panel.webview), traced, {
      idPrefix: 'host',
      onProtocolError: (error) => this.log.warn('webview', 'protocol.error', { view: this.app, ...error }),
    });
    panel.webview.html = renderWebviewHtml(panel.webview, this.extensionUri, this.app, this.title());
    panel.onDidChangeViewState(() => {
      if (panel.visible) this.opened.fire();
      else this.hidden.fire();
    });
    panel.onDidDispose(() => {
      this.endpoint?.dispose();
      this.endpoint = undefined;
      this.panel = undefined;
      this.hidden.fire();
    });
    this.panel = panel;
    this.opened.fire();
    this.log.info('webview', `${this.app}.opened`);
  }

  dispose(): void {
    this.panel?.dispose();
    this.served.dispose();
    this.opened.dispose();
    this.hidden.dispose();
  }
}
