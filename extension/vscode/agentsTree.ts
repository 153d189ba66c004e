import * as vscode from 'vscode';
import type { AgentPane, PaneRegistry } from '../core/panes/paneRegistry';
import type { PaneStateName } from '../core/panes/types';
import type { PaneMeta } from '../core/supervisor/paneMetadata';
import type { TreeItemSummary } from './api';
import { paneDescription, panePhase } from './sidebarText';

/** The supervisor as the Agents view reads it: a pane's metadata, and news that some changed. */
export interface PaneMetaSource {
  metaFor(paneId: string): PaneMeta | undefined;
  /** The phase of the task the pane works on, if it has one. */
  taskPhaseFor?(paneId: string): string | undefined;
  readonly onDidChange: vscode.Event<void>;
}

/** A tree item as the test API shows it. */
export function summarizeItem(item: vscode.TreeItem, fallbackId: string): TreeItemSummary {
  const label = typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
  const icon = item.iconPath instanceof vscode.ThemeIcon ? item.iconPath : undefined;
  return {
    id: item.id ?? fallbackId,
    label,
    description: typeof item.description === 'string' ? item.description : '',
    contextValue: item.contextValue ?? '',
    icon: icon?.id ?? '',
    ...(icon?.color ? { color: icon.color.id } : {}),
  };
}

/** How each state looks in the Agents view. */
const STATE_ICONS: Record<PaneStateName, { icon: string; color?: string }> = {
  starting: { icon: 'loading~spin' },
  working: { icon: 'sync~spin', color: 'charts.blue' },
  awaiting_approval: { icon: 'warning', color: 'charts.yellow' },
  awaiting_input: { icon: 'comment', color: 'charts.green' },
  stalled: { icon: 'clock', color: 'charts.red' },
  error: { icon: 'error', color: 'errorForeground' },
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

/** A phase of the seeds' state machine in the person's language (English keeps the seeds' own words). */
export function phaseLabel(phase: string): string {
  switch (phase) {
    case 'PLANNING':
      return vscode.l10n.t('PLANNING');
    case 'EXECUTING':
      return vscode.l10n.t('EXECUTING');
    case 'VERIFYING':
      return vscode.l10n.t('VERIFYING');
    case 'BLOCKED':
      return vscode.l10n.t('BLOCKED');
    case 'DONE':
      return vscode.l10n.t('DONE');
    default:
      return phase;
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
  private metaSource: PaneMetaSource | undefined;
  private metaSubscription: vscode.Disposable | undefined;
  /** What each item showed last: a supervisor change refreshes only the items whose text changed. */
  private readonly shown = new Map<string, string>();

  /**
   * The supervisor's phases and blockers. It says "changed" on every save (its heartbeat included), so the
   * view compares what each item would show and refreshes only those that differ; the time in state follows
   * the heartbeat that way, without a timer of its own.
   */
  bindSupervisor(source: PaneMetaSource): void {
    this.metaSubscription?.dispose();
    this.metaSource = source;
    this.metaSubscription = source.onDidChange(() => {
      for (const pane of this.registry?.list() ?? []) {
        const before = this.shown.get(pane.id);
        if (before !== undefined && before !== this.signature(pane)) this.changed.fire(pane.id);
      }
    });
  }

  /** The items as the test API shows them, in view order. */
  items(): TreeItemSummary[] {
    return this.getChildren().map((id) => summarizeItem(this.getTreeItem(id), id));
  }

  attach(registry: PaneRegistry): void {
    this.subscription?.dispose();
    this.registry = registry;
    this.subscription = registry.onDidChange((change) => {
      if (change.type === 'removed') this.shown.delete(change.id);
      this.changed.fire(change.type === 'state' ? change.pane.id : undefined);
    });
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
    const meta = this.metaSource?.metaFor(pane.id);
    item.description = this.describe(pane, meta);
    this.shown.set(pane.id, this.signature(pane, meta));
    item.tooltip = tooltip(pane, meta);
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

  private describe(pane: AgentPane, meta: PaneMeta | undefined): string {
    return paneDescription({
      kind: pane.kind,
      branch: pane.branch,
      // Without a supervisor here (or before it knows the pane) the pane's own state says what it does.
      phase: (() => {
        const phase = panePhase(meta?.phase, this.metaSource?.taskPhaseFor?.(pane.id));
        return phase ? phaseLabel(phase) : stateLabel(pane.state.name);
      })(),
      inStateMs: Date.now() - Date.parse(pane.state.since),
    });
  }

  private signature(pane: AgentPane, meta = this.metaSource?.metaFor(pane.id)): string {
    return JSON.stringify([
      this.describe(pane, meta),
      pane.state.name,
      meta?.blockers.length,
      meta?.next_actions,
      meta?.last_command_result?.command_id,
    ]);
  }

  dispose(): void {
    this.metaSubscription?.dispose();
    this.subscription?.dispose();
    this.changed.dispose();
  }
}

/** Name, state, why, and the screen lines that showed it. Screen text is untrusted: shown as text, never rendered. */
function tooltip(pane: AgentPane, meta: PaneMeta | undefined): vscode.MarkdownString {
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
  if (meta) {
    md.appendMarkdown('\n\n');
    md.appendText(vscode.l10n.t('Phase: {0}', phaseLabel(meta.phase)));
    for (const blocker of meta.blockers) {
      md.appendMarkdown('\n\n');
      md.appendText(vscode.l10n.t('Blocked ({0}): {1}', blocker.kind, blocker.reason));
    }
    if (meta.next_actions.length > 0) {
      md.appendMarkdown('\n\n');
      md.appendText(vscode.l10n.t('Next: {0}', meta.next_actions.join('; ')));
    }
    const last = meta.last_command_result;
    if (last) {
      md.appendMarkdown('\n\n');
      md.appendText(vscode.l10n.t('Last command: {0} → {1} {2}', last.text, last.result, last.detail));
    }
  }
  md.appendMarkdown('\n\n');
  md.appendText(`${[pane.command, ...pane.args].join(' ')}\n${pane.cwd}`);
  return md;
}
