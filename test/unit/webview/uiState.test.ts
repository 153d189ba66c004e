import { describe, expect, it } from 'vitest';
import { ApprovalsSnapshot, DashboardSnapshot } from '../../../extension/protocol/messages';
import { emptyUi, isNewer, pruneUi, restoreSaved, toggleId } from '../../../webview/shared/uiState';

const info = {
  name: 'FleetAI',
  version: '0.1.0',
  hostVersion: '1.139.1',
  uiLanguage: 'zh-cn',
  workspace: '/w',
};
const approvals: ApprovalsSnapshot = {
  supervisor: { mode: 'window', heartbeat: 'running', dryRun: false },
  pending: [
    {
      id: 'a1',
      pane: 'p1',
      agent: 'codex',
      kind: 'command',
      command: 'npm test',
      risk: 'low',
      reasons: [],
      source: 'agent',
      requestedAt: '2026-11-21T10:00:00.000Z',
    },
  ],
  updatedAt: '2026-11-21T10:00:01.000Z',
};

describe('restoreSaved', () => {
  it('gives back what was saved: choices, host info and snapshot', () => {
    const ui = {
      expanded: ['p1'],
      excerpts: ['a1'],
      notes: { a1: 'not on main' },
      filter: { pane: 'p1', risk: 'high' },
      scrollY: 640,
    };
    const saved = restoreSaved(structuredClone({ v: 1, ui, info, snapshot: approvals }), ApprovalsSnapshot);
    expect(saved).toEqual({ v: 1, ui, info, snapshot: approvals });
  });

  it('starts empty from nothing, garbage or another version', () => {
    for (const raw of [undefined, null, 42, 'x', [], {}, { v: 2, ui: { expanded: ['p'] } }]) {
      expect(restoreSaved(raw, ApprovalsSnapshot)).toEqual({ v: 1, ui: emptyUi() });
    }
  });

  it('fills fields an older page did not save with their defaults', () => {
    const saved = restoreSaved({ v: 1, ui: { notes: { a1: 'x' } } }, ApprovalsSnapshot);
    expect(saved.ui).toEqual({ ...emptyUi(), notes: { a1: 'x' } });
  });

  it('drops only the part that does not fit: a snapshot of another shape keeps the choices', () => {
    const saved = restoreSaved(
      { v: 1, ui: { expanded: ['p1'] }, info, snapshot: { ...approvals, pending: [{ id: 'broken' }] } },
      ApprovalsSnapshot,
    );
    expect(saved.snapshot).toBeUndefined();
    expect(saved.info).toEqual(info);
    expect(saved.ui.expanded).toEqual(['p1']);
  });

  it('does not take the approvals snapshot for a dashboard one', () => {
    expect(restoreSaved({ v: 1, snapshot: approvals }, DashboardSnapshot).snapshot).toBeUndefined();
  });

  it('keeps the good fields of a ui where one field is bad', () => {
    const saved = restoreSaved(
      {
        v: 1,
        ui: { expanded: ['p1'], notes: { a1: 'x'.repeat(2001) }, scrollY: -5, filter: { pane: 'p2' } },
      },
      ApprovalsSnapshot,
    );
    expect(saved.ui).toEqual({ ...emptyUi(), expanded: ['p1'], filter: { pane: 'p2', risk: '' } });
  });
});

describe('pruneUi', () => {
  const ui = {
    expanded: ['p1', 'gone-pane'],
    excerpts: ['a1', 'gone'],
    notes: { a1: 'keep', gone: 'drop', a2: '' },
    filter: { pane: 'gone-pane', risk: '' },
    scrollY: 10,
  };

  it('forgets choices about approvals that left the queue (and empty notes)', () => {
    const pruned = pruneUi(ui, { approvals: new Set(['a1', 'a2']) });
    expect(pruned.excerpts).toEqual(['a1']);
    expect(pruned.notes).toEqual({ a1: 'keep' });
    expect(pruned.expanded).toEqual(ui.expanded);
    // The filter stays as chosen.
    expect(pruned.filter).toEqual(ui.filter);
  });

  it('forgets expanded panes that are gone', () => {
    expect(pruneUi(ui, { panes: new Set(['p1']) }).expanded).toEqual(['p1']);
  });

  it('returns the same object when nothing is pruned (React then skips the update)', () => {
    const clean = { ...emptyUi(), expanded: ['p1'], excerpts: ['a1'], notes: { a1: 'x' } };
    expect(pruneUi(clean, { panes: new Set(['p1']), approvals: new Set(['a1']) })).toBe(clean);
  });
});

describe('toggleId and isNewer', () => {
  it('adds and removes ids, unchanged when already so', () => {
    const ids = ['a'];
    expect(toggleId(ids, 'b', true)).toEqual(['a', 'b']);
    expect(toggleId(ids, 'a', false)).toEqual([]);
    expect(toggleId(ids, 'a', true)).toBe(ids);
    expect(toggleId(ids, 'b', false)).toBe(ids);
  });

  it('takes a snapshot unless it is older than the one shown', () => {
    const at = (s: string) => ({ updatedAt: s });
    expect(isNewer(undefined, at('2026-11-21T10:00:00Z'))).toBe(true);
    expect(isNewer(at('2026-11-21T10:00:00Z'), at('2026-11-21T10:00:01Z'))).toBe(true);
    expect(isNewer(at('2026-11-21T10:00:01Z'), at('2026-11-21T10:00:01Z'))).toBe(true);
    expect(isNewer(at('2026-11-21T10:00:01Z'), at('2026-11-21T10:00:00Z'))).toBe(false);
    expect(isNewer(at('garbage'), at('2026-11-21T10:00:00Z'))).toBe(true);
  });
});
