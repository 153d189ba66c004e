import * as vscode from 'vscode';

/** The heartbeat in the status bar; for now it only says FleetAI is loaded and idle. */
export class HeartbeatStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'fleetai.heartbeat',
    vscode.StatusBarAlignment.Left,
    100,
  );

  constructor() {
    this.item.name = vscode.l10n.t('FleetAI Heartbeat');
    this.item.command = 'fleetai.showDashboard';
    this.showIdle();
    this.item.show();
  }

  showIdle(): void {
    this.item.text = `$(pulse) ${vscode.l10n.t('FleetAI: idle')}`;
    this.item.tooltip = vscode.l10n.t('No agents are running. Click to open the FleetAI dashboard.');
  }

  get text(): string {
    return this.item.text;
  }

  dispose(): void {
    this.item.dispose();
  }
}
