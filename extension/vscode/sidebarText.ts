// Pure helpers of the sidebar views: no `vscode` import, so unit tests run them directly.

/** How long a pane has been in its state, short: `45s`, `3m`, `2h 5m`, `3d`. */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h}h` : `${h}h ${m % 60}m`;
  return `${Math.floor(h / 24)}d`;
}

/** An Agents item's description: `codex · feat/x · EXECUTING · 3m` (missing parts left out). */
export function paneDescription(parts: {
  kind: string;
  branch?: string | undefined;
  phase?: string | undefined;
  inStateMs: number;
}): string {
  return [parts.kind, parts.branch, parts.phase, shortDuration(parts.inStateMs)].filter(Boolean).join(' · ');
}

/** Theme colour of a risk level in the Approvals view. */
export function riskColor(risk: string): string {
  switch (risk) {
    case 'low':
      return 'charts.green';
    case 'medium':
      return 'charts.yellow';
    case 'high':
      return 'charts.orange';
    default:
      return 'charts.red';
  }
}

/** `contextValue` of a Tasks item: `fleetai.task.<phase>`. */
export function taskContextValue(phase: string): string {
  return `fleetai.task.${phase.toLowerCase()}`;
}

/**
 * The phase a pane shows: BLOCKED when the supervisor blocked it, else the phase of the task it works on (a pane
 * whose task still waits on another is PLANNING, not EXECUTING), else the supervisor's phase for the pane.
 */
export function panePhase(metaPhase: string | undefined, taskPhase: string | undefined): string | undefined {
  if (metaPhase === 'BLOCKED') return metaPhase;
  return taskPhase ?? metaPhase;
}
