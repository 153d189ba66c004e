import * as vscode from 'vscode';
import {
  countFleet,
  heartbeatAgeMs,
  HEARTBEAT_STALE_MS,
  type FleetCounts,
} from '../core/supervisor/fleetCounts';
import type { PaneStateName } from '../core/panes/types';
import { stateLabel } from './agentsTree';

/** Where the supervisor of the workspace runs, as the window knows it. */
export type SupervisorMode = 'off' | 'window' | 'elsewhere' | 'failed';

/** What the heartbeat shows, read from the window's panes and supervisor at each change. */
export interface HeartbeatView {
  panes: { id: string; name: string; state: PaneStateName }[];
  pending: { id: string; pane: string }[];
  supervisor: {
    mode: SupervisorMode;
    /** ISO time of the supervisor's last heartbeat. */
    heartbeat?: string;
    dryRun: boolean;
    /** The process that supervises the workspace when it is not this window. */
    ownerPid?: number;
    /** Why it failed to start. */
    problem?: string;
  };
}

export interface HeartbeatSource {
  readonly onDidChange: vscode.Event<void>;
  view(): HeartbeatView;
}

/** Only the age of the heartbeat changes by itself; everything else comes with an event. */
const AGE_REFRESH_MS = 10_000;

/**
 * The heartbeat in the status bar: how many agents work, wait, stall, fail or need an approval, redrawn on each
 * change of the panes or the supervisor; a warning background when the supervisor's heartbeat is older than a
 * minute (the supervisor is not looking any more). A click opens the dashboard.
 */
export class HeartbeatStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(
    'fleetai.heartbeat',
    vscode.StatusBarAlignment.Left,
    100,
  );
  private readonly subscriptions: vscode.Disposable[] = [];
  private source: HeartbeatSource | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor() {
    this.item.name = vscode.l10n.t('FleetAI Heartbeat');
    this.item.command = 'fleetai.showDashboard';
    this.showIdle();
    this.item.show();
  }

  /** Follows a source from now on. */
  bind(source: HeartbeatSource): void {
    this.source = source;
    this.subscriptions.push(source.onDidChange(() => this.render()));
    this.render();
  }

  showIdle(): void {
    this.item.text = `$(pulse) ${vscode.l10n.t('FleetAI: idle')}`;
    this.item.tooltip = vscode.l10n.t('No agents are running. Click to open the FleetAI dashboard.');
    this.item.backgroundColor = undefined;
  }

  get text(): string {
    return this.item.text;
  }

  get tooltip(): string {
    const tooltip = this.item.tooltip;
    return typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? '');
  }

  /** True when the warning background is on (a stale heartbeat). */
  get warning(): boolean {
    return this.item.backgroundColor !== undefined;
  }

  private render(): void {
    const view = this.source?.view();
    if (!view) return this.showIdle();
    const counts = countFleet(view.panes, view.pending);
    const age = heartbeatAgeMs(view.supervisor.heartbeat, Date.now());
    const watching = view.supervisor.mode === 'window' || view.supervisor.mode === 'elsewhere';
    const stale = watching && age !== undefined && age > HEARTBEAT_STALE_MS;
    this.keepAgeFresh(watching && age !== undefined);

    if (counts.live === 0 && counts.approval === 0 && !stale) {
      this.showIdle();
      if (view.panes.length > 0 || view.supervisor.mode !== 'off') this.item.tooltip = tooltip(view, counts);
      return;
    }
    const parts = segments(counts);
    if (view.supervisor.dryRun && view.supervisor.mode === 'window') parts.push(vscode.l10n.t('dry run'));
    const icon = stale ? '$(warning)' : counts.approval > 0 ? '$(bell-dot)' : '$(pulse)';
    this.item.text = `${icon} FleetAI: ${parts.join(' · ') || vscode.l10n.t('idle')}`;
    this.item.tooltip = tooltip(view, counts);
    this.item.backgroundColor = stale ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  private keepAgeFresh(on: boolean): void {
    if (on && !this.timer) {
      this.timer = setInterval(() => this.render(), AGE_REFRESH_MS);
    } else if (!on && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    for (const s of this.subscriptions) s.dispose();
    this.item.dispose();
  }
}

/** "2 working", "1 waiting"...; counts of zero are left out. */
function segments(counts: FleetCounts): string[] {
  const parts: string[] = [];
  if (counts.working) parts.push(vscode.l10n.t('{0} working', counts.working));
  if (counts.waiting) parts.push(vscode.l10n.t('{0} waiting', counts.waiting));
  if (counts.stalled) parts.push(vscode.l10n.t('{0} stalled', counts.stalled));
  if (counts.error)
    parts.push(
      counts.error === 1
        ? vscode.l10n.t('{0} error', counts.error)
        : vscode.l10n.t('{0} errors', counts.error),
    );
  if (counts.approval)
    parts.push(
      counts.approval === 1
        ? vscode.l10n.t('{0} approval', counts.approval)
        : vscode.l10n.t('{0} approvals', counts.approval),
    );
  return parts;
}

/** The breakdown: each pane and its state, the approvals, and what the supervisor is doing. */
function tooltip(view: HeartbeatView, counts: FleetCounts): vscode.MarkdownString {
  const md = new vscode.MarkdownString();
  md.appendMarkdown('**FleetAI**\n\n');
  for (const pane of view.panes) {
    // Names are the person's own text: shown as text, never rendered.
    md.appendText(`${pane.name} (${pane.id}): ${stateLabel(pane.state)}`);
    md.appendMarkdown('  \n');
  }
  if (counts.approval > 0) {
    md.appendMarkdown('\n');
    md.appendText(vscode.l10n.t('Waiting for your approval: {0}', counts.approval));
    md.appendMarkdown('\n');
  }
  md.appendMarkdown('\n');
  md.appendText(supervisorLine(view));
  md.appendMarkdown('\n\n');
  md.appendText(vscode.l10n.t('Click to open the FleetAI dashboard.'));
  return md;
}

function supervisorLine(view: HeartbeatView): string {
  const { supervisor } = view;
  const age = heartbeatAgeMs(supervisor.heartbeat, Date.now());
  const beat =
    age === undefined
      ? vscode.l10n.t('no heartbeat yet')
      : vscode.l10n.t('heartbeat {0} s ago', Math.round(age / 1000));
  switch (supervisor.mode) {
    case 'off':
      return vscode.l10n.t('Supervisor: starts with the first agent of this window.');
    case 'window':
      return supervisor.dryRun
        ? vscode.l10n.t(
            'Supervisor: runs in this window, in dry run (it decides and logs, types nothing); {0}.',
            beat,
          )
        : vscode.l10n.t('Supervisor: runs in this window; {0}.', beat);
    case 'elsewhere':
      return vscode.l10n.t(
        'Supervisor: runs in another FleetAI process (pid {0}), so the agents of this window are not supervised; {1}.',
        supervisor.ownerPid ?? '?',
        beat,
      );
    case 'failed':
      return vscode.l10n.t('Supervisor: did not start: {0}', supervisor.problem ?? '');
  }
}
