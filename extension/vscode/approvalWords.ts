import * as vscode from 'vscode';

/** What an approval request asks for, in the user's language (views, notifications, quick picks). */
export function approvalKindLabel(kind: string): string {
  switch (kind) {
    case 'command':
      return vscode.l10n.t('run a command');
    case 'edit':
      return vscode.l10n.t('edit files');
    default:
      return vscode.l10n.t('a permission');
  }
}

export function riskLabel(risk: string): string {
  switch (risk) {
    case 'low':
      return vscode.l10n.t('low risk');
    case 'medium':
      return vscode.l10n.t('medium risk');
    case 'high':
      return vscode.l10n.t('high risk');
    case 'critical':
      return vscode.l10n.t('critical risk');
    default:
      return risk;
  }
}
