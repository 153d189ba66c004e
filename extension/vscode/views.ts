import * as vscode from 'vscode';

export const VIEW_IDS = [
  'fleetai.agents',
  'fleetai.tasks',
  'fleetai.approvals',
  'fleetai.mcpServers',
] as const;

/**
 * Until later issues fill them, each view without its own provider has one with no items, so VS Code shows the welcome text from
 * package.json instead of "no data provider".
 */
class EmptyTree implements vscode.TreeDataProvider<never> {
  getTreeItem(element: never): vscode.TreeItem {
    return element;
  }
  getChildren(): never[] {
    return [];
  }
}

export type ViewId = (typeof VIEW_IDS)[number];

/** Registers every view: with the provider given for it, else an empty one (its welcome text shows). */
export function registerViews(
  providers: Partial<Record<ViewId, vscode.TreeDataProvider<unknown>>> = {},
): vscode.Disposable[] {
  return VIEW_IDS.map((id) =>
    vscode.window.createTreeView(id, { treeDataProvider: providers[id] ?? new EmptyTree() }),
  );
}
