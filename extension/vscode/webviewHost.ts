import * as vscode from 'vscode';
import type { Logger } from '../core/observability/appLog';
import type { PaneRegistryChange } from '../core/panes/paneRegistry';
import { fleetVersion } from '../core/version';
import type { RequestHandlers } from '../protocol/endpoint';
import type {
  DecideResult,
  PaneAction,
  RequestMethod,
  RequestParams,
  RequestResult,
} from '../protocol/messages';
import type { AgentPanes } from './agentPanes';
import type { McpHost } from './mcpHost';
import type { PlanGraphHost } from './planGraphHost';
import { ReviewDashboard } from './reviewDashboard';
import type { SupervisorHost } from './supervisorHost';
import {
  EventRing,
  approvalsSnapshot,
  dashboardSnapshot,
  mcpStateEvents,
  type SnapshotSources,
} from './webviewSnapshots';
import type { FleetWebviewPanel, WebviewApp } from './webviewPanel';

/**
 * Snapshots arrive as whole pictures; a burst of pane events (20 panes streaming) becomes one message per
 * this interval, which keeps a webview with 100 panes responsive.
 */
const PUSH_INTERVAL_MS = 150;

const PANE_COMMANDS: Record<PaneAction, string> = {
  focus: 'fleetai.focusAgent',
  send: 'fleetai.sendToAgent',
  ask: 'fleetai.askAgent',
  nudge: 'fleetai.nudgeAgent',
  restart: 'fleetai.restartAgent',
  stop: 'fleetai.stopAgent',
  openTranscript: 'fleetai.openTranscript',
};

export interface WebviewHostOptions {
  extensionUri: vscode.Uri;
  folder: string | undefined;
  supervisor: SupervisorHost;
  agents: AgentPanes;
  /** The plan graph's side: its runs, snapshots and actions. */
  plans: PlanGraphHost;
  /** The window's MCP sessions (the MCP Servers view's): their states go into the dashboard's snapshot. */
  mcp?: Pick<McpHost, 'rows' | 'onDidChange' | 'bridge'>;
  log: Logger;
}

/**
 * The host side of the dashboard, approvals and plan graph webviews: answers their protocol requests from the
 * window's panes, supervisor and plan runs, and pushes a new snapshot to an open panel whenever the fleet
 * changes (core events, no polling; the plan graph follows its run's record file). The panels' code loads on
 * first use.
 */
export class WebviewHost implements vscode.Disposable {
  private readonly panels = new Map<WebviewApp, FleetWebviewPanel>();
  private readonly events = new EventRing();
  /** The last state seen per MCP server, to tell a state change from the countdown's tick. */
  private readonly mcpStates = new Map<string, string>();
  private readonly served = new vscode.EventEmitter<{ app: WebviewApp; method: string }>();
  readonly onDidServeRequest = this.served.event;
  private pushTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly disposables: vscode.Disposable[] = [this.served];
  /** The dashboard's review section: its state goes into every dashboard snapshot. */
  private readonly review: ReviewDashboard;
  readonly handlers: RequestHandlers;

  constructor(private readonly options: WebviewHostOptions) {
    const { supervisor, agents, folder, plans } = options;
    this.disposables.push(supervisor.onDidChange(() => this.schedulePush()));
    this.review = new ReviewDashboard({ folder, log: options.log });
    this.disposables.push(
      this.review,
      this.review.onDidChange(() => this.schedulePush()),
    );
    // Every bridge.state-change (and the view's once-a-second countdown tick while one reconnects) reaches an
    // open dashboard through the same throttled push as the panes.
    if (options.mcp) {
      const mcp = options.mcp;
      this.disposables.push(mcp.onDidChange(() => this.onMcpChange(mcp)));
    }
    this.handlers = {
      'host.getInfo': () => ({
        name: 'FleetAI',
        version: fleetVersion,
        hostVersion: `VS Code ${vscode.version}`,
        uiLanguage: vscode.env.language,
        workspace: folder ?? null,
      }),
      'host.ping': () => ({ at: new Date().toISOString() }),
      'fleet.getSnapshot': () => ({
        heartbeat: supervisor.heartbeatWord(),
        panes: agents.list().filter((p) => !p.exited).length,
        pendingApprovals: supervisor.pendingCount(),
        updatedAt: new Date().toISOString(),
      }),
      'dashboard.getSnapshot': () => this.dashboard(),
      'approvals.getSnapshot': () => approvalsSnapshot(this.sources()),
      'approvals.decide': async ({ id, decision, note }): Promise<DecideResult> => {
        const outcome = await supervisor.decide(id, decision, note || undefined, { quiet: true });
        return outcome.ok
          ? { ok: true, id, decision }
          : { ok: false, id, code: outcome.error.code, message: outcome.error.message };
      },
      'pane.action': async ({ pane, action }) => {
        if (!agents.list().some((p) => p.id === pane))
          throw Object.assign(new Error(vscode.l10n.t('There is no agent {0} in this window.', pane)), {
            code: 'E_PANE_NOT_FOUND',
          });
        await vscode.commands.executeCommand(PANE_COMMANDS[action], pane);
        return { done: true };
      },
      'host.openLog': async () => {
        await vscode.commands.executeCommand('fleetai.openLog');
        return { opened: true };
      },
      'host.showApprovals': async () => {
        await this.show('approvals');
        return { opened: true };
      },
      'host.showDashboard': async () => {
        await this.show('dashboard');
        return { opened: true };
      },
      'host.copyText': async ({ text }) => {
        await vscode.env.clipboard.writeText(text);
        return { copied: true };
      },
      'review.run': ({ runTests }) => this.review.run(runTests),
      'plan.getSnapshot': ({ runId }) => plans.snapshot(runId),
      'plan.listRuns': async () => ({ runs: await plans.runs() }),
      'plan.approve': ({ runId, nodeId, decision, note }) => plans.approve(runId, nodeId, decision, note),
      'plan.openNodeOutput': async ({ runId, nodeId }) => {
        await plans.openNodeOutput(runId, nodeId);
        return { opened: true };
      },
    };
  }

  /**
   * Answers a protocol request as a webview's would be answered, its params checked by the protocol's schema
   * (the API's way in for tests: everything but the postMessage hop).
   */
  async request<M extends RequestMethod>(method: M, params: RequestParams<M>): Promise<RequestResult<M>> {
    const { requests } = await import('../protocol/messages');
    const checked = requests[method].params.parse(params);
    const handler = this.handlers[method] as ((p: unknown) => unknown) | undefined;
    if (!handler) throw new Error(`No handler for ${method}.`);
    return requests[method].result.parse(await handler(checked)) as RequestResult<M>;
  }

  /** A pane's state change, as the dashboard's recent events list shows it. */
  onPaneChange(change: PaneRegistryChange): void {
    switch (change.type) {
      case 'state':
        this.events.add({
          at: change.event.ts,
          pane: change.pane.id,
          kind: `state.${change.event.to}`,
          text: `${change.event.from} → ${change.event.to}${change.event.reason ? `: ${change.event.reason}` : ''}`,
        });
        break;
      case 'added':
        this.events.add({
          at: new Date().toISOString(),
          pane: change.pane.id,
          kind: 'pane.added',
          text: change.pane.name,
        });
        break;
      case 'restarted':
        this.events.add({
          at: new Date().toISOString(),
          pane: change.pane.id,
          kind: 'pane.restarted',
          text: change.pane.name,
        });
        break;
      case 'removed':
        this.events.add({
          at: new Date().toISOString(),
          pane: change.id,
          kind: 'pane.removed',
          text: change.id,
        });
        break;
    }
    this.schedulePush();
  }

  /** Each server whose state moved becomes a `bridge.state-change` line in the dashboard's recent events. */
  private onMcpChange(mcp: Pick<McpHost, 'rows'>): void {
    for (const event of mcpStateEvents(this.mcpStates, mcp.rows(), new Date().toISOString()))
      this.events.add(event);
    this.schedulePush();
  }

  async show(app: WebviewApp): Promise<void> {
    (await this.panel(app)).show();
  }

  /** VS Code restores a panel it kept over a window reload. */
  async restore(app: WebviewApp, panel: vscode.WebviewPanel): Promise<void> {
    (await this.panel(app)).restore(panel);
  }

  isOpen(app: WebviewApp): boolean {
    return this.panels.get(app)?.isOpen ?? false;
  }

  /** The snapshot the webview would get now (the API's view for tests). */
  snapshot(app: 'dashboard'): ReturnType<typeof dashboardSnapshot>;
  snapshot(app: 'approvals'): ReturnType<typeof approvalsSnapshot>;
  snapshot(app: WebviewApp): unknown {
    return app === 'dashboard' ? this.dashboard() : approvalsSnapshot(this.sources());
  }

  /** The dashboard's snapshot: the fleet's picture and the review section. */
  private dashboard(): ReturnType<typeof dashboardSnapshot> {
    return { ...dashboardSnapshot(this.sources()), review: this.review.state() };
  }

  // The panels (and with them the protocol's zod schemas) load on first use: activation stays cheap.
  private async panel(app: WebviewApp): Promise<FleetWebviewPanel> {
    let panel = this.panels.get(app);
    if (!panel) {
      const { FleetWebviewPanel } = await import('./webviewPanel');
      panel = this.panels.get(app);
      if (panel) return panel;
      const title = (): string =>
        app === 'dashboard'
          ? vscode.l10n.t('FleetAI Dashboard')
          : app === 'approvals'
            ? vscode.l10n.t('FleetAI Approvals')
            : vscode.l10n.t('FleetAI Plan Graph');
      const created = new FleetWebviewPanel(
        app,
        title,
        this.options.extensionUri,
        this.handlers,
        this.options.log,
      );
      panel = created;
      panel.onDidServeRequest((method) => this.served.fire({ app, method }));
      if (app === 'plan') {
        // The graph follows its run's record while visible; a hidden webview is discarded and asks again.
        panel.onDidOpen(() =>
          this.options.plans.follow((snapshot) => {
            try {
              created.post('plan.snapshot', snapshot);
            } catch (error) {
              this.options.log.error('webview', 'snapshot.failed', {
                view: 'plan',
                error: error instanceof Error ? error.message : String(error),
              });
            }
          }),
        );
        panel.onDidHide(() => this.options.plans.follow(undefined));
      } else
        panel.onDidOpen(() => {
          // The dashboard shows the MCP servers: their sessions start with it, as with the MCP Servers view.
          if (app === 'dashboard') void this.options.mcp?.bridge().catch(() => undefined);
          // The last review the state folder remembers (read, never re-run); pushed when read.
          if (app === 'dashboard') void this.review.loadLast();
          this.schedulePush();
        });
      this.panels.set(app, panel);
      this.disposables.push(panel);
    }
    return panel;
  }

  private sources(): SnapshotSources {
    const { supervisor, agents } = this.options;
    return {
      panes: agents.list(),
      meta: (id) => supervisor.metaFor(id),
      tasks: supervisor.tasks(),
      pending: supervisor.pending(),
      supervisor: supervisor.supervisorView(),
      events: this.events.list(),
      ...(this.options.mcp ? { mcp: this.options.mcp.rows() } : {}),
    };
  }

  private schedulePush(): void {
    if (this.pushTimer) return;
    if (![...this.panels.values()].some((p) => p.isVisible)) return;
    this.pushTimer = setTimeout(() => {
      this.pushTimer = undefined;
      try {
        const dashboard = this.panels.get('dashboard');
        if (dashboard?.isVisible) dashboard.post('dashboard.snapshot', this.dashboard());
        const approvals = this.panels.get('approvals');
        if (approvals?.isVisible) approvals.post('approvals.snapshot', approvalsSnapshot(this.sources()));
      } catch (error) {
        // A snapshot that does not fit the protocol is a FleetAI bug: log it, keep the window working.
        this.options.log.error('webview', 'snapshot.failed', {
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }, PUSH_INTERVAL_MS);
  }

  dispose(): void {
    if (this.pushTimer) clearTimeout(this.pushTimer);
    for (const d of this.disposables) d.dispose();
  }
}
