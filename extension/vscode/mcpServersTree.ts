import * as vscode from 'vscode';
import type { McpConfigProblem, McpToolInfo } from '../core/mcp';
import { summarizeItem } from './agentsTree';
import type { TreeItemSummary } from './api';
import { riskLabel } from './approvalWords';
import type { McpHost, McpServerRow } from './mcpHost';
import { mcpServerContext, mcpStateIcon, retryInSeconds, type McpRowState } from './mcpText';
import { riskColor } from './sidebarText';

/** What the view's rows stand for; commands from its menus receive these (`{alias}` is all they read). */
export type McpTreeElement =
  | { kind: 'server'; alias: string }
  | { kind: 'tool'; alias: string; name: string }
  | { kind: 'problem'; index: number };

/**
 * The MCP Servers view: one row per configured alias with its state (icon and colour), transport, tool count
 * (and resource and prompt counts when the server offers any), last error and, while reconnecting, the seconds to the next attempt; its tools as children while connected;
 * problems of unreadable files as their own rows. Refreshed from the bridge's events through the host.
 */
export class McpServersTreeProvider implements vscode.TreeDataProvider<McpTreeElement>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<McpTreeElement | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly host: McpHost) {
    this.subscription = host.onDidChange(() => this.changed.fire(undefined));
  }

  getChildren(element?: McpTreeElement): McpTreeElement[] {
    // The view asks for its rows when it first shows: that is when the servers start connecting.
    if (!this.host.current()) void this.host.bridge().catch(() => undefined);
    const { servers, fileProblems } = this.host.rows();
    if (!element)
      return [
        ...servers.map((s) => ({ kind: 'server', alias: s.alias }) as const),
        ...fileProblems.map((_, index) => ({ kind: 'problem', index }) as const),
      ];
    if (element.kind !== 'server') return [];
    const row = servers.find((s) => s.alias === element.alias);
    return (row?.tools ?? []).map((t) => ({ kind: 'tool', alias: element.alias, name: t.name }) as const);
  }

  getTreeItem(element: McpTreeElement): vscode.TreeItem {
    const { servers, fileProblems } = this.host.rows();
    if (element.kind === 'problem') return problemItem(fileProblems[element.index], element.index);
    const row = servers.find((s) => s.alias === element.alias);
    if (!row) return new vscode.TreeItem(element.alias);
    if (element.kind === 'server') return serverItem(row);
    const tool = row.tools?.find((t) => t.name === element.name);
    return tool ? toolItem(row.alias, tool) : new vscode.TreeItem(element.name);
  }

  /** The top-level rows, or the tool rows of `alias`, as the test API shows them. */
  items(alias?: string): TreeItemSummary[] {
    const parent = alias === undefined ? undefined : ({ kind: 'server', alias } as const);
    return this.getChildren(parent).map((e) => {
      const item = this.getTreeItem(e);
      return summarizeItem(item, item.id ?? '');
    });
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

export function mcpStateLabel(state: McpRowState): string {
  switch (state) {
    case 'connected':
      return vscode.l10n.t('connected');
    case 'connecting':
      return vscode.l10n.t('connecting');
    case 'reconnecting':
      return vscode.l10n.t('reconnecting');
    case 'disconnected':
      return vscode.l10n.t('disconnected');
    case 'disabled':
      return vscode.l10n.t('disabled');
    case 'broken':
      return vscode.l10n.t('configuration error');
    default:
      return vscode.l10n.t('not connected yet');
  }
}

function serverItem(row: McpServerRow): vscode.TreeItem {
  const tools = row.tools ?? [];
  const item = new vscode.TreeItem(
    row.alias,
    tools.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None,
  );
  item.id = `mcp:${row.alias}`;
  const parts = [mcpStateLabel(row.state)];
  if (row.state === 'reconnecting' && row.nextAttemptAt !== undefined)
    parts.push(vscode.l10n.t('next retry in {0} s', retryInSeconds(row.nextAttemptAt, Date.now())));
  if (row.transport) parts.push(row.transport);
  if (row.state === 'connected') {
    parts.push(vscode.l10n.t('{0} tools', tools.length));
    // Most servers offer neither: the row stays short unless they do.
    if (row.resources) parts.push(vscode.l10n.t('{0} resources', row.resources));
    if (row.prompts) parts.push(vscode.l10n.t('{0} prompts', row.prompts));
  }
  if (row.state === 'disabled' && row.sessionDisabled) parts.push(vscode.l10n.t('for this session'));
  if (row.problem) parts.push(row.problem.field ?? row.problem.file);
  else if (row.state !== 'connected' && row.lastError) parts.push(row.lastError);
  item.description = parts.join(' · ');
  const look = mcpStateIcon(row.state);
  item.iconPath = new vscode.ThemeIcon(look.icon, look.color ? new vscode.ThemeColor(look.color) : undefined);
  item.contextValue = mcpServerContext(row.state, row.sessionDisabled);
  const md = new vscode.MarkdownString();
  md.appendMarkdown('**');
  md.appendText(`${row.alias} · ${mcpStateLabel(row.state)}`);
  md.appendMarkdown('**\n\n');
  // Server texts (errors, descriptions) are shown as text, never as markdown.
  if (row.description) md.appendText(`${row.description}\n\n`);
  md.appendText(vscode.l10n.t('Configured in {0}', row.file));
  if (row.pid !== undefined) md.appendText(` · pid ${row.pid}`);
  if (row.state === 'connected')
    md.appendMarkdown('\n\n').appendText(
      vscode.l10n.t(
        '{0} tools, {1} resources, {2} prompts',
        tools.length,
        row.resources ?? 0,
        row.prompts ?? 0,
      ),
    );
  if (row.problem) md.appendMarkdown('\n\n').appendText(row.problem.message);
  if (row.lastError) md.appendMarkdown('\n\n').appendText(vscode.l10n.t('Last error: {0}', row.lastError));
  item.tooltip = md;
  item.accessibilityInformation = { label: `${row.alias}, ${item.description}` };
  return item;
}

function toolItem(alias: string, tool: McpToolInfo): vscode.TreeItem {
  const item = new vscode.TreeItem(tool.name);
  item.id = `mcp:${alias}/${tool.name}`;
  const parts = [riskLabel(tool.risk)];
  if (tool.annotations?.readOnlyHint === true) parts.push(vscode.l10n.t('read-only'));
  if (tool.alwaysAllow) parts.push(vscode.l10n.t('always allowed'));
  if (tool.disabled) parts.push(vscode.l10n.t('disabled'));
  item.description = parts.join(' · ');
  item.iconPath = tool.disabled
    ? new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground'))
    : new vscode.ThemeIcon('tools', new vscode.ThemeColor(riskColor(tool.risk)));
  item.contextValue = tool.disabled ? 'fleetai.mcp.tool.disabled' : 'fleetai.mcp.tool';
  const md = new vscode.MarkdownString();
  md.appendMarkdown('**');
  md.appendText(tool.title ?? tool.name);
  md.appendMarkdown('**');
  if (tool.description) md.appendMarkdown('\n\n').appendText(tool.description);
  item.tooltip = md;
  return item;
}

function problemItem(problem: McpConfigProblem | undefined, index: number): vscode.TreeItem {
  const item = new vscode.TreeItem(problem?.file ?? '');
  item.id = `mcp-problem:${index}`;
  item.description = problem?.message ?? '';
  item.tooltip = problem?.message ?? '';
  item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
  item.contextValue = 'fleetai.mcp.problem';
  return item;
}
