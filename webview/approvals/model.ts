import type { ApprovalView, DecideResult } from '../../extension/protocol/messages';
import { naturalCompare } from '../shared/naturalCompare';

export const RISKS: readonly ApprovalView['risk'][] = ['low', 'medium', 'high', 'critical'];

/** High and critical requests are drawn so they stand out from the routine ones. */
export function isLoud(risk: ApprovalView['risk']): boolean {
  return risk === 'high' || risk === 'critical';
}

/** Oldest first (the store's order); equal or unreadable times keep the host's order. */
export function oldestFirst<T extends { requestedAt: string }>(items: readonly T[]): T[] {
  return items
    .map((item, index) => ({ item, index, at: Date.parse(item.requestedAt) }))
    .sort((a, b) => (Number.isNaN(a.at) || Number.isNaN(b.at) ? 0 : a.at - b.at) || a.index - b.index)
    .map((x) => x.item);
}

export interface ApprovalFilter {
  /** A pane id, or '' for every pane. */
  pane: string;
  /** A risk word, or '' for every risk. */
  risk: string;
}

export function matches(approval: ApprovalView, filter: ApprovalFilter): boolean {
  return (
    (filter.pane === '' || approval.pane === filter.pane) &&
    (filter.risk === '' || approval.risk === filter.risk)
  );
}

/**
 * The panes the filter offers: those with pending requests, by name, plus the chosen one even when it has none
 * left (so the select still shows the person's choice).
 */
export function paneOptions(
  pending: readonly ApprovalView[],
  chosen: string,
): { id: string; name: string }[] {
  const names = new Map<string, string>();
  for (const a of pending) if (!names.has(a.pane)) names.set(a.pane, a.paneName ?? a.pane);
  if (chosen !== '' && !names.has(chosen)) names.set(chosen, chosen);
  return [...names.entries()]
    .map(([id, name]) => ({ id, name }))
    .sort((a, b) => naturalCompare(a.name, b.name));
}

/** What became of the person's answer to one request. */
export type Outcome =
  | { kind: 'sending'; decision: 'approve' | 'deny' }
  | { kind: 'done'; decision: 'approve' | 'deny' }
  /** The host refused it (answered elsewhere first, expired, unknown): information, not a failure. */
  | { kind: 'refused'; decision: 'approve' | 'deny'; code: string; message: string }
  /** No usable answer (the host is gone, or broke): the request may still be pending, so it can be retried. */
  | { kind: 'failed'; decision: 'approve' | 'deny'; message: string; lost: boolean };

export function outcomeOf(
  decision: 'approve' | 'deny',
  result: { ok: true; value: DecideResult } | { ok: false; error: { code: string; message: string } },
  isConnectionError: (error: { code: string; message: string }) => boolean,
): Outcome {
  if (!result.ok) {
    return { kind: 'failed', decision, message: result.error.message, lost: isConnectionError(result.error) };
  }
  const value = result.value;
  return value.ok
    ? { kind: 'done', decision: value.decision }
    : { kind: 'refused', decision, code: value.code, message: value.message };
}

/** A request the person answered here: kept on screen with its outcome after the host drops it. */
export interface Held {
  approval: ApprovalView;
  outcome: Outcome;
}

export interface Row {
  approval: ApprovalView;
  outcome: Outcome | undefined;
  /** Still in the host's queue (so it can be answered, unless an answer is on its way or done). */
  pending: boolean;
}

/**
 * The rows to show (`pending` oldest first already): the filtered queue plus the requests answered here that the host has since dropped, all
 * oldest first, so a row stays where it was when its answer lands.
 */
export function rowsToShow(
  pending: readonly ApprovalView[],
  held: Readonly<Record<string, Held>>,
  filter: ApprovalFilter,
): Row[] {
  const rows: Row[] = [];
  const seen = new Set<string>();
  for (const approval of pending) {
    seen.add(approval.id);
    const h = Object.hasOwn(held, approval.id) ? held[approval.id] : undefined;
    if (h || matches(approval, filter)) rows.push({ approval, outcome: h?.outcome, pending: true });
  }
  let dropped = false;
  for (const [id, h] of Object.entries(held)) {
    if (seen.has(id)) continue;
    rows.push({ approval: h.approval, outcome: h.outcome, pending: false });
    dropped = true;
  }
  return dropped ? oldestFirstRows(rows) : rows;
}

function oldestFirstRows(rows: Row[]): Row[] {
  const sorted = oldestFirst(rows.map((row) => ({ row, requestedAt: row.approval.requestedAt })));
  return sorted.map((x) => x.row);
}

/** Whether the row's buttons may act: it is still queued and no answer is on its way or recorded. */
export function canAnswer(row: Row): boolean {
  return row.pending && (row.outcome === undefined || row.outcome.kind === 'failed');
}
