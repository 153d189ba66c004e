import * as vscode from 'vscode';
import type { TaskSpec, TaskStatus } from '../core/supervisor/taskBoard';
import { phaseLabel, summarizeItem } from './agentsTree';
import type { TreeItemSummary } from './api';
import { taskContextValue } from './sidebarText';

type Task = TaskSpec & { status: TaskStatus };

/** The task board as the view reads it, and news that it may have changed. */
export interface TaskSource {
  tasks(): Task[];
  readonly onDidChange: vscode.Event<void>;
}

const PHASE_ICONS: Record<string, { icon: string; color: string }> = {
  PLANNING: { icon: 'circle-large-outline', color: 'descriptionForeground' },
  EXECUTING: { icon: 'play-circle', color: 'charts.blue' },
  VERIFYING: { icon: 'beaker', color: 'charts.purple' },
  DONE: { icon: 'pass-filled', color: 'charts.green' },
  BLOCKED: { icon: 'error', color: 'charts.red' },
};

/**
 * The Tasks view: the supervisor's task board, flat in the config's order, each task saying what it waits for
 * ("after a, b"), who owns it and which pane runs it. Elements are task ids. With no task (or no supervisor in
 * this window) there is no item and VS Code shows the welcome text.
 */
export class TasksTreeProvider implements vscode.TreeDataProvider<string>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<string | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  private readonly shown = new Map<string, string>();

  constructor(private readonly source: TaskSource) {
    // The host says "changed" on every save of the supervisor: only tasks that look different refresh.
    this.subscription = source.onDidChange(() => {
      const tasks = source.tasks();
      if (tasks.length !== this.shown.size || tasks.some((t) => !this.shown.has(t.id))) {
        this.changed.fire(undefined);
        return;
      }
      for (const task of tasks) if (this.shown.get(task.id) !== signature(task)) this.changed.fire(task.id);
    });
  }

  getChildren(element?: string): string[] {
    if (element !== undefined) return [];
    const tasks = this.source.tasks();
    if (tasks.length !== this.shown.size) this.shown.clear();
    return tasks.map((t) => t.id);
  }

  getTreeItem(id: string): vscode.TreeItem {
    const task = this.source.tasks().find((t) => t.id === id);
    if (!task) return new vscode.TreeItem(id);
    this.shown.set(id, signature(task));
    const item = new vscode.TreeItem(task.title);
    item.id = `task:${id}`;
    const phase = task.status.phase;
    const look = PHASE_ICONS[phase] ?? { icon: 'circle-outline', color: 'descriptionForeground' };
    item.iconPath = new vscode.ThemeIcon(look.icon, new vscode.ThemeColor(look.color));
    const pane = task.status.pane ?? task.pane;
    item.description = [
      phaseLabel(phase),
      task.depends_on?.length ? vscode.l10n.t('after {0}', task.depends_on.join(', ')) : undefined,
      task.owner,
      pane,
    ]
      .filter(Boolean)
      .join(' · ');
    item.contextValue = taskContextValue(phase);
    const md = new vscode.MarkdownString();
    md.appendMarkdown('**');
    md.appendText(`${task.id}: ${task.title}`);
    md.appendMarkdown('**\n\n');
    md.appendText(
      [
        phaseLabel(phase),
        task.branch ? vscode.l10n.t('branch {0}', task.branch) : undefined,
        task.owner ? vscode.l10n.t('owner {0}', task.owner) : undefined,
        pane ? vscode.l10n.t('pane {0}', pane) : undefined,
      ]
        .filter(Boolean)
        .join(' · '),
    );
    for (const check of task.acceptance?.checklist ?? []) {
      md.appendMarkdown('\n\n');
      md.appendText(`☐ ${check}`);
    }
    item.tooltip = md;
    if (pane) {
      item.command = {
        command: 'fleetai.focusAgent',
        title: vscode.l10n.t('Show Terminal'),
        arguments: [pane],
      };
    }
    return item;
  }

  /** The items as the test API shows them, in view order. */
  items(): TreeItemSummary[] {
    return this.getChildren().map((id) => summarizeItem(this.getTreeItem(id), id));
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function signature(task: Task): string {
  return JSON.stringify([task.status.phase, task.status.pane, task.owner, task.title]);
}
