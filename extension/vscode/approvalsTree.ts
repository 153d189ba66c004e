import * as vscode from 'vscode';
import { approvalKindLabel, riskLabel } from './approvalWords';
import type { ApprovalRequest } from '../core/approvals';
import { summarizeItem } from './agentsTree';
import type { TreeItemSummary } from './api';
import { riskColor } from './sidebarText';

/** The approvals as the view reads them: the store's pending requests, and news that they changed. */
export interface PendingSource {
  pending(): readonly ApprovalRequest[];
  readonly onDidChange: vscode.Event<void>;
}

/**
 * The Approvals view: the workspace's pending requests (whoever asked), oldest first, refreshed from the
 * store's watch through the supervisor host. Elements are the requests themselves, so the inline Approve and
 * Deny (`fleetai.approve` / `fleetai.deny`) receive `{id}` as their argument.
 */
export class ApprovalsTreeProvider implements vscode.TreeDataProvider<ApprovalRequest>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<ApprovalRequest | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  /** The ids shown last: the host says "changed" on every heartbeat, the view refreshes only when these differ. */
  private shownIds = '';

  constructor(private readonly source: PendingSource) {
    this.subscription = source.onDidChange(() => {
      const ids = source
        .pending()
        .map((r) => r.id)
        .join('\n');
      if (ids === this.shownIds) return;
      this.shownIds = ids;
      this.changed.fire(undefined);
    });
  }

  getChildren(element?: ApprovalRequest): ApprovalRequest[] {
    return element ? [] : [...this.source.pending()];
  }

  getTreeItem(request: ApprovalRequest): vscode.TreeItem {
    // Commands come from an agent's screen: shown as a plain label, never as markdown or icons.
    const item = new vscode.TreeItem(request.command ?? approvalKindLabel(request.kind));
    item.id = request.id;
    item.description = [riskLabel(request.risk), request.pane].join(' · ');
    item.iconPath = new vscode.ThemeIcon('shield', new vscode.ThemeColor(riskColor(request.risk)));
    item.contextValue = `fleetai.approval.${request.risk}`;
    item.tooltip = tooltip(request);
    item.accessibilityInformation = { label: `${request.command ?? request.kind}, ${item.description}` };
    return item;
  }

  /** The items as the test API shows them, in view order. */
  items(): TreeItemSummary[] {
    return this.getChildren().map((r) => summarizeItem(this.getTreeItem(r), r.id));
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function tooltip(request: ApprovalRequest): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown('**');
  md.appendText(
    `${request.id} · ${request.agent} (${request.pane})${request.branch ? ` · ${request.branch}` : ''}`,
  );
  md.appendMarkdown('**\n\n');
  md.appendText(`${riskLabel(request.risk)} · ${new Date(request.requestedAt).toLocaleTimeString()}`);
  const reasons = [request.reason, ...request.reasons].filter(Boolean);
  if (reasons.length > 0) {
    md.appendMarkdown('\n\n');
    md.appendText(vscode.l10n.t('Why: {0}', reasons.join('; ')));
  }
  if (request.transcriptExcerpt) md.appendCodeblock(request.transcriptExcerpt, 'text');
  return md;
}
