import * as vscode from 'vscode';
import type { Logger } from '../core/observability/appLog';
import { Endpoint, type RequestHandlers } from '../protocol/endpoint';
import { renderWebviewHtml } from './webviewHtml';
import { webviewTransport } from './webviewTransport';

/** One dashboard panel at a time; showing it again brings the existing one forward. */
export class DashboardPanel implements vscode.Disposable {
  static readonly viewType = 'fleetai.dashboard';
  private panel: vscode.WebviewPanel | undefined;
  private endpoint: Endpoint | undefined;
  private readonly served = new vscode.EventEmitter<string>();
  /** Fires with the method name each time the webview's request was answered (used by tests and the log). */
  readonly onDidServeRequest = this.served.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly handlers: RequestHandlers,
    private readonly log: Logger,
  ) {}

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  show(): void {
    if (this.panel) {
      this.panel.reveal();
      return;
    }
    const title = vscode.l10n.t('FleetAI Dashboard');
    const panel = vscode.window.createWebviewPanel(DashboardPanel.viewType, title, vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: false,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'media')],
    });
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'fleetai.svg');
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
      onProtocolError: (error) => this.log.warn('webview', 'protocol.error', { view: 'dashboard', ...error }),
    });
    panel.webview.html = renderWebviewHtml(panel.webview, this.extensionUri, 'dashboard', title);
    panel.onDidDispose(() => {
      this.endpoint?.dispose();
      this.endpoint = undefined;
      this.panel = undefined;
    });
    this.panel = panel;
    this.log.info('webview', 'dashboard.opened');
  }

  dispose(): void {
    this.panel?.dispose();
    this.served.dispose();
  }
}
