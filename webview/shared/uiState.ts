import { z } from 'zod';
import { HostInfo } from '../../extension/protocol/messages';

/**
 * What a webview keeps across a reload (VS Code drops a hidden webview's page and restores it from
 * `setState`): the person's own choices, and the last snapshot so the view paints at once, marked stale until
 * the host answers again. Everything read back is checked, since a state saved by an older FleetAI may not
 * fit this one: a part that does not fit is dropped, the rest kept.
 */
export const UiState = z.object({
  /** Panes whose details are shown (dashboard). */
  expanded: z.array(z.string()).default([]),
  /** Approvals whose transcript excerpt is open. */
  excerpts: z.array(z.string()).default([]),
  /** Unsent note text per approval id. */
  notes: z.record(z.string(), z.string().max(2000)).default({}),
  /** Approvals filter; '' means all. */
  filter: z
    .object({ pane: z.string().default(''), risk: z.string().default('') })
    .default({ pane: '', risk: '' }),
  scrollY: z.number().nonnegative().default(0),
});
export type UiState = z.infer<typeof UiState>;

export interface SavedView<S> {
  v: 1;
  ui: UiState;
  info?: HostInfo;
  snapshot?: S;
}

export function emptyUi(): UiState {
  return { expanded: [], excerpts: [], notes: {}, filter: { pane: '', risk: '' }, scrollY: 0 };
}

function field(raw: unknown, key: string): unknown {
  return typeof raw === 'object' && raw !== null && Object.hasOwn(raw, key)
    ? (raw as Record<string, unknown>)[key]
    : undefined;
}

/** Reads what `setState` kept, part by part. */
export function restoreSaved<S>(raw: unknown, snapshotSchema: z.ZodType<S>): SavedView<S> {
  const saved: SavedView<S> = { v: 1, ui: emptyUi() };
  if (field(raw, 'v') !== 1) return saved;
  const ui = UiState.safeParse(field(raw, 'ui') ?? {});
  if (ui.success) saved.ui = ui.data;
  else {
    // One bad field (say, a note grown past the limit) must not cost the others.
    const base = emptyUi();
    const parts = field(raw, 'ui');
    for (const key of Object.keys(base) as (keyof UiState)[]) {
      const one = UiState.shape[key].safeParse(field(parts, key));
      if (one.success) (base as Record<keyof UiState, unknown>)[key] = one.data;
    }
    saved.ui = base;
  }
  const info = HostInfo.safeParse(field(raw, 'info'));
  if (info.success) saved.info = info.data;
  const snapshot = snapshotSchema.safeParse(field(raw, 'snapshot'));
  if (snapshot.success) saved.snapshot = snapshot.data;
  return saved;
}

/**
 * Forgets choices about panes or approvals that the fresh snapshot no longer has, so the saved state does not
 * grow forever. Returns `ui` itself when nothing changed (React then skips the update).
 */
export function pruneUi(
  ui: UiState,
  live: { panes?: ReadonlySet<string>; approvals?: ReadonlySet<string> },
): UiState {
  let changed = false;
  const keep = (ids: string[], set: ReadonlySet<string> | undefined): string[] => {
    if (!set) return ids;
    const kept = ids.filter((id) => set.has(id));
    if (kept.length !== ids.length) changed = true;
    return kept;
  };
  const expanded = keep(ui.expanded, live.panes);
  const excerpts = keep(ui.excerpts, live.approvals);
  let notes = ui.notes;
  if (live.approvals) {
    const entries = Object.entries(ui.notes).filter(([id, text]) => live.approvals?.has(id) && text !== '');
    if (entries.length !== Object.keys(ui.notes).length) {
      notes = Object.fromEntries(entries);
      changed = true;
    }
  }
  // The filter stays as chosen even when its pane has nothing left: resetting it would flood the list at once.
  return changed ? { ...ui, expanded, excerpts, notes } : ui;
}

/** Adds or removes an id from one of the id lists, keeping the others untouched. */
export function toggleId(ids: readonly string[], id: string, on: boolean): string[] {
  const has = ids.includes(id);
  if (on === has) return ids as string[];
  return on ? [...ids, id] : ids.filter((x) => x !== id);
}

/**
 * Newer wins: a `getSnapshot` answer can arrive after an event that was sent later. Snapshots without a usable
 * time are taken as they come.
 */
export function isNewer(current: { updatedAt: string } | undefined, next: { updatedAt: string }): boolean {
  if (!current) return true;
  const a = Date.parse(current.updatedAt);
  const b = Date.parse(next.updatedAt);
  return Number.isNaN(a) || Number.isNaN(b) || b >= a;
}
