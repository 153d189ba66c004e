import * as vscode from 'vscode';

export const VIEW_IDS = [
  'fleetai.agents',
  'fleetai.tasks',
  'fleetai.approvals',
  'fleetai.mcpServers',
] as const;

/**
 * Until later issues fill them, each view has a provider with no items, so VS Code shows the welcome text from
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

export function registerViews(): vscode.Disposable[] {
  return VIEW_IDS.map((id) => vscode.window.createTreeView(id, { treeDataProvider: new EmptyTree() }));
}
