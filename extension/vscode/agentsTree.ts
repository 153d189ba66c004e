import * as vscode from 'vscode';
import type { AgentPane, PaneRegistry } from '../core/panes/paneRegistry';
import type { PaneStateName } from '../core/panes/types';

/** How each state looks in the Agents view. */
const STATE_ICONS: Record<PaneStateName, { icon: string; color?: string }> = {
  starting: { icon: 'loading~spin' },
  working: { icon: 'sync~spin', color: 'charts.blue' },
  awaiting_approval: { icon: 'warning', color: 'problemsWarningIcon.foreground' },
  awaiting_input: { icon: 'comment', color: 'charts.green' },
  stalled: { icon: 'clock', color: 'charts.orange' },
  error: { icon: 'error', color: 'problemsErrorIcon.foreground' },
  exited: { icon: 'circle-slash', color: 'disabledForeground' },
};

/** The state in the person's language, as the Agents view and pickers show it. */
export function stateLabel(state: PaneStateName): string {
  switch (state) {
    case 'starting':
      return vscode.l10n.t('starting');
    case 'working':
      return vscode.l10n.t('working');
    case 'awaiting_approval':
      return vscode.l10n.t('waiting for approval');
    case 'awaiting_input':
      return vscode.l10n.t('waiting for input');
    case 'stalled':
      return vscode.l10n.t('stalled');
    case 'error':
      return vscode.l10n.t('error');
    case 'exited':
      return vscode.l10n.t('exited');
  }
}

/** `contextValue` of a pane item: menus in package.json match `fleetai.pane.<state>`. */
export function paneContextValue(state: PaneStateName): string {
  return `fleetai.pane.${state}`;
}

/**
 * The Agents view: one item per pane of the registry, refreshed from the registry's events (never polled).
 * Elements are pane ids, so the view's commands receive the id of the item they were invoked on. Until the
 * first agent starts there is no registry and no item, and VS Code shows the welcome text.
 */
export class AgentsTreeProvider implements vscode.TreeDataProvider<string>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private registry: PaneRegistry | undefined;
  private subscription: { dispose(): void } | undefined;

  attach(registry: PaneRegistry): void {
    this.subscription?.dispose();
    this.registry = registry;
    this.subscription = registry.onDidChange((change) =>
      this.changed.fire(change.type === 'state' ? change.pane.id : undefined),
    );
    this.changed.fire(undefined);
  }

  getChildren(element?: string): string[] {
    if (element !== undefined || !this.registry) return [];
    return this.registry.list().map((p) => p.id);
  }

  getTreeItem(id: string): vscode.TreeItem {
    const pane = this.registry?.get(id);
    if (!pane) return new vscode.TreeItem(id);
    const state = pane.state;
    const item = new vscode.TreeItem(pane.name, vscode.TreeItemCollapsibleState.None);
    item.id = pane.id;
    item.description = [pane.kind, stateLabel(state.name), pane.branch].filter(Boolean).join(' · ');
    item.tooltip = tooltip(pane);
    const look = STATE_ICONS[state.name];
    item.iconPath = new vscode.ThemeIcon(
      look.icon,
      look.color === undefined ? undefined : new vscode.ThemeColor(look.color),
    );
    item.contextValue = paneContextValue(state.name);
    item.command = { command: 'fleetai.focusAgent', title: vscode.l10n.t('Show Terminal'), arguments: [id] };
    item.accessibilityInformation = { label: `${pane.name}, ${item.description}` };
    return item;
  }

  dispose(): void {
    this.subscription?.dispose();
    this.changed.dispose();
  }
}

/** Name, state, why, and the screen lines that showed it. Screen text is untrusted: shown as text, never rendered. */
function tooltip(pane: AgentPane): vscode.MarkdownString {
  const state = pane.state;
  const md = new vscode.MarkdownString();
  md.appendMarkdown('**');
  md.appendText(`${pane.name} (${pane.id})`);
  md.appendMarkdown('**\n\n');
  md.appendText(
    `${pane.displayName}${pane.version ? ` ${pane.version}` : ''} · ${stateLabel(state.name)}` +
      ` · ${vscode.l10n.t('since {0}', new Date(state.since).toLocaleTimeString())}`,
  );
  md.appendMarkdown('\n\n');
  md.appendText(vscode.l10n.t('Reason: {0}', state.reason));
  if (state.exitCode !== undefined) {
    md.appendMarkdown('\n\n');
    md.appendText(vscode.l10n.t('Exit code: {0}', state.exitCode));
  }
  if (state.evidence.length > 0) {
    md.appendMarkdown('\n\n');
    md.appendText(vscode.l10n.t('Evidence:'));
    md.appendCodeblock(state.evidence.join('\n'), 'text');
  }
  md.appendMarkdown('\n\n');
  md.appendText(`${[pane.command, ...pane.args].join(' ')}\n${pane.cwd}`);
  return md;
}
