import type { NotifyEvent } from './types';

/**
 * The words of a notification, shared by every channel so WeCom, Slack and a webhook say the same thing. An
 * approval carries its id, pane, command and risk, and the reply words (`/approve <id>`, `/deny <id>`).
 */

export interface RenderedLine {
  label: string;
  value: string;
  /** Shown as code (a command). */
  code?: boolean;
}

export function headline(event: NotifyEvent): string {
  return `[FleetAI] ${event.title}`;
}

export function detailLines(event: NotifyEvent): RenderedLine[] {
  const lines: RenderedLine[] = [];
  if (event.pane)
    lines.push({ label: 'Pane', value: event.branch ? `${event.pane} (${event.branch})` : event.pane });
  if (event.approval) {
    if (event.approval.command) lines.push({ label: 'Command', value: event.approval.command, code: true });
    if (event.approval.risk) lines.push({ label: 'Risk', value: event.approval.risk });
    lines.push({ label: 'ID', value: event.approval.id });
  }
  lines.push({ label: 'Severity', value: event.severity });
  return lines;
}

/** "Reply /approve a1 or /deny a1 [reason]"; undefined when there is nothing to answer. */
export function replyHint(event: NotifyEvent): string | undefined {
  if (!event.approval) return undefined;
  const id = event.approval.id;
  return `Reply /approve ${id} or /deny ${id} [reason]`;
}

export function plainText(event: NotifyEvent): string {
  const parts = [headline(event), event.message, ...detailLines(event).map((l) => `${l.label}: ${l.value}`)];
  const hint = replyHint(event);
  if (hint) parts.push(hint);
  return parts.join('\n');
}
