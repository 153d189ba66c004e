import { describe, expect, it } from 'vitest';
import type { ApprovalView, EventView, PaneView, TaskView } from '../../../extension/protocol/messages';
import {
  canAnswer,
  isLoud,
  matches,
  oldestFirst,
  outcomeOf,
  paneOptions,
  rowsToShow,
  type Held,
} from '../../../webview/approvals/model';
import {
  actionsFor,
  eventKeys,
  groupPanes,
  newestFirst,
  stateCounts,
  taskRows,
} from '../../../webview/dashboard/model';
import { isConnectionError } from '../../../webview/shared/connection';
import { translator } from '../../../webview/shared/i18n';
import { keepIdentity } from '../../../webview/shared/sharing';
import { naturalCompare } from '../../../webview/shared/naturalCompare';
import { ageMs, clockTime, shortDuration } from '../../../webview/shared/time';
import { phaseWord, supervisorModeText, taskStatusWord } from '../../../webview/shared/words';

function pane(id: string, name: string, state: PaneView['state'], branch?: string): PaneView {
  return {
    id,
    name,
    kind: 'codex',
    ...(branch ? { branch } : {}),
    state,
    stateSince: '2026-11-21T10:00:00.000Z',
    blockers: [],
    nextActions: [],
    queued: [],
    recentActions: [],
    failureStreak: 0,
    pendingApprovals: 0,
  };
}

function approval(id: string, requestedAt: string, extra: Partial<ApprovalView> = {}): ApprovalView {
  return {
    id,
    pane: 'p1',
    agent: 'codex',
    kind: 'command',
    command: 'npm test',
    risk: 'low',
    reasons: [],
    source: 'agent',
    requestedAt,
    ...extra,
  };
}

describe('dashboard model', () => {
  it('groups panes by branch in name order, panes without a branch last, each group by name', () => {
    const groups = groupPanes([
      pane('1', 'zeta', 'working', 'feature/b'),
      pane('2', 'alpha', 'error'),
      pane('3', 'beta', 'stalled', 'feature/a'),
      pane('4', 'alpha', 'working', 'feature/b'),
      pane('5', 'gamma', 'exited'),
    ]);
    expect(groups.map((g) => [g.key, g.panes.map((p) => p.id)])).toEqual([
      ['feature/a', ['3']],
      ['feature/b', ['4', '1']],
      ['', ['2', '5']],
    ]);
    expect(groups[2]?.branch).toBeUndefined();
  });

  it('keeps the order when only states change (rows must not jump under the pointer)', () => {
    const before = groupPanes([pane('1', 'a', 'working'), pane('2', 'b', 'working')]).flatMap((g) => g.panes);
    const after = groupPanes([pane('1', 'a', 'error'), pane('2', 'b', 'awaiting_approval')]).flatMap(
      (g) => g.panes,
    );
    expect(after.map((p) => p.id)).toEqual(before.map((p) => p.id));
  });

  it('counts states, the ones needing a person first, none left out or invented', () => {
    const counts = stateCounts([
      pane('1', 'a', 'working'),
      pane('2', 'b', 'working'),
      pane('3', 'c', 'awaiting_approval'),
      pane('4', 'd', 'exited'),
    ]);
    expect(counts).toEqual([
      { state: 'awaiting_approval', count: 1 },
      { state: 'working', count: 2 },
      { state: 'exited', count: 1 },
    ]);
  });

  it('resolves task dependencies to titles and whether they are done', () => {
    const task = (id: string, phase: TaskView['phase'], dependsOn: string[]): TaskView => ({
      id,
      title: `title ${id}`,
      ...(phase ? { phase } : {}),
      status: phase === 'DONE' ? 'done' : 'ready',
      dependsOn,
    });
    const rows = taskRows([
      task('a', 'DONE', []),
      task('b', 'EXECUTING', ['a']),
      task('c', undefined, ['b', 'x']),
    ]);
    expect(rows.map((r) => r.dependencies)).toEqual([
      [],
      [{ id: 'a', title: 'title a', done: true }],
      [
        { id: 'b', title: 'title b', done: false },
        { id: 'x', title: undefined, done: false },
      ],
    ]);
  });

  it('orders events newest first, keeping the order of equal times, with unique stable keys', () => {
    const e = (at: string, text: string): EventView => ({ at, kind: 'state', text });
    const sorted = newestFirst([
      e('2026-11-21T10:00:00Z', 'old'),
      e('2026-11-21T10:00:05Z', 'new 1'),
      e('2026-11-21T10:00:05Z', 'new 2'),
    ]);
    expect(sorted.map((x) => x.text)).toEqual(['new 1', 'new 2', 'old']);
    const twins = [e('2026-11-21T10:00:00Z', 'same'), e('2026-11-21T10:00:00Z', 'same')];
    const keys = eventKeys(twins);
    expect(new Set(keys).size).toBe(2);
    expect(eventKeys(twins)).toEqual(keys);
  });

  it('offers no typing, nudging or stopping for an exited pane', () => {
    expect(actionsFor('exited')).toMatchObject({
      focus: true,
      restart: true,
      openTranscript: true,
      nudge: false,
      stop: false,
    });
    expect(Object.values(actionsFor('working')).every(Boolean)).toBe(true);
  });
});

describe('approvals model', () => {
  const a1 = approval('a1', '2026-11-21T10:00:00Z', { risk: 'critical', pane: 'p2', paneName: 'beta' });
  const a2 = approval('a2', '2026-11-21T10:00:10Z', { pane: 'p1', paneName: 'alpha' });
  const a3 = approval('a3', '2026-11-21T10:00:05Z', { risk: 'high', pane: 'p1', paneName: 'alpha' });

  it('sorts oldest first, stable for equal times', () => {
    expect(oldestFirst([a2, a1, a3]).map((a) => a.id)).toEqual(['a1', 'a3', 'a2']);
    const same = [approval('x', '2026-11-21T10:00:00Z'), approval('y', '2026-11-21T10:00:00Z')];
    expect(oldestFirst(same).map((a) => a.id)).toEqual(['x', 'y']);
  });

  it('filters by pane and risk', () => {
    expect(matches(a1, { pane: '', risk: '' })).toBe(true);
    expect(matches(a1, { pane: 'p1', risk: '' })).toBe(false);
    expect(matches(a3, { pane: 'p1', risk: 'high' })).toBe(true);
    expect(matches(a2, { pane: 'p1', risk: 'high' })).toBe(false);
    expect(isLoud('high') && isLoud('critical') && !isLoud('medium') && !isLoud('low')).toBe(true);
  });

  it('offers the panes that have requests, by name, and keeps the chosen one', () => {
    expect(paneOptions([a1, a2, a3], '')).toEqual([
      { id: 'p1', name: 'alpha' },
      { id: 'p2', name: 'beta' },
    ]);
    expect(paneOptions([a2], 'p9').map((p) => p.id)).toEqual(['p1', 'p9']);
  });

  it('keeps an answered request on screen, in place, after the host drops it', () => {
    const pending = oldestFirst([a1, a2, a3]);
    const held: Record<string, Held> = {
      a3: { approval: a3, outcome: { kind: 'done', decision: 'approve' } },
    };
    const dropped = pending.filter((a) => a.id !== 'a3');
    const rows = rowsToShow(dropped, held, { pane: '', risk: '' });
    expect(rows.map((r) => [r.approval.id, r.pending, r.outcome?.kind])).toEqual([
      ['a1', true, undefined],
      ['a3', false, 'done'],
      ['a2', true, undefined],
    ]);
    expect(rows.map(canAnswer)).toEqual([true, false, true]);
    // Answered ones stay visible even when the filter would hide them.
    const filtered = rowsToShow(dropped, held, { pane: 'p2', risk: '' });
    expect(filtered.map((r) => r.approval.id)).toEqual(['a1', 'a3']);
  });

  it('a failed answer can be tried again while the request is pending; one on its way cannot', () => {
    const failed = { kind: 'failed', decision: 'deny', message: 'x', lost: true } as const;
    expect(canAnswer({ approval: a1, outcome: failed, pending: true })).toBe(true);
    expect(canAnswer({ approval: a1, outcome: { kind: 'sending', decision: 'deny' }, pending: true })).toBe(
      false,
    );
    expect(canAnswer({ approval: a1, outcome: failed, pending: false })).toBe(false);
  });

  it('reads the outcome of approvals.decide: recorded, refused (information) or failed', () => {
    expect(
      outcomeOf(
        'approve',
        { ok: true, value: { ok: true, id: 'a1', decision: 'approve' } },
        isConnectionError,
      ),
    ).toEqual({
      kind: 'done',
      decision: 'approve',
    });
    expect(
      outcomeOf(
        'deny',
        { ok: true, value: { ok: false, id: 'a1', code: 'E_ANSWERED', message: 'answered elsewhere first' } },
        isConnectionError,
      ),
    ).toEqual({ kind: 'refused', decision: 'deny', code: 'E_ANSWERED', message: 'answered elsewhere first' });
    expect(
      outcomeOf(
        'deny',
        { ok: false, error: { code: 'E_PROTOCOL_TIMEOUT', message: 'late' } },
        isConnectionError,
      ),
    ).toEqual({ kind: 'failed', decision: 'deny', message: 'late', lost: true });
    expect(
      outcomeOf(
        'deny',
        { ok: false, error: { code: 'E_PROTOCOL_HANDLER', message: 'boom' } },
        isConnectionError,
      ),
    ).toMatchObject({ kind: 'failed', lost: false });
  });
});

describe('keepIdentity', () => {
  it('keeps the objects of unchanged panes and replaces the changed one', () => {
    const prev = { panes: [pane('1', 'a', 'working'), pane('2', 'b', 'working')], updatedAt: '1' };
    const next = structuredClone(prev);
    next.panes[1] = { ...next.panes[1]!, state: 'error' };
    next.updatedAt = '2';
    const shared = keepIdentity(prev, next);
    expect(shared).toEqual(next);
    expect(shared.panes[0]).toBe(prev.panes[0]);
    expect(shared.panes[1]).not.toBe(prev.panes[1]);
    expect(shared.panes[1]?.blockers).toBe(prev.panes[1]?.blockers);
  });

  it('matches items by id, so removing one does not renew the ones after it', () => {
    const prev = [approval('a', '1'), approval('b', '2'), approval('c', '3')];
    const next = structuredClone([prev[0]!, prev[2]!]);
    const shared = keepIdentity(prev, next);
    expect(shared[0]).toBe(prev[0]);
    expect(shared[1]).toBe(prev[2]);
  });

  it('returns the previous value itself when nothing changed', () => {
    const prev = { a: [1, 2, { b: 'c' }], d: null };
    expect(keepIdentity(prev, structuredClone(prev))).toBe(prev);
    expect(keepIdentity(undefined, prev)).toBe(prev);
  });

  it('notices added and removed keys', () => {
    const prev: Record<string, unknown> = { a: 1, b: 2 };
    expect(keepIdentity(prev, { a: 1 })).toEqual({ a: 1 });
    expect(keepIdentity(prev, { a: 1, b: 2, c: 3 })).toEqual({ a: 1, b: 2, c: 3 });
  });
});

describe('words and times', () => {
  const en = translator('en');
  const zh = translator('zh-cn');

  it('writes durations short, in both languages', () => {
    expect(
      [45_000, 180_000, 2 * 3600_000, 2 * 3600_000 + 5 * 60_000, 3 * 86_400_000].map((ms) =>
        shortDuration(en, ms),
      ),
    ).toEqual(['45s', '3m', '2h', '2h 5m', '3d']);
    expect(shortDuration(zh, 125 * 60_000)).toBe('2 小时 5 分');
    expect(shortDuration(en, -5)).toBe('0s');
    expect(ageMs('not a time', 1000)).toBe(0);
  });

  it('writes wall-clock times in 24-hour form, with the date when not today', () => {
    const at = new Date(2026, 10, 21, 9, 5, 7);
    expect(clockTime(at.toISOString(), new Date(2026, 10, 21, 23, 0, 0).getTime())).toBe('09:05:07');
    expect(clockTime(at.toISOString(), new Date(2026, 10, 22, 0, 0, 1).getTime())).toBe(
      '2026-11-21 09:05:07',
    );
    expect(clockTime('garbage', Date.now())).toBe('garbage');
  });

  it('orders names naturally (equal numbers: by the exact text, for a stable order)', () => {
    const names = ['codex-10', 'Codex-2', 'codex-1', 'aider', 'codex-02', 'codex-2', 'codex'];
    expect([...names].sort(naturalCompare)).toEqual([
      'aider',
      'codex',
      'codex-1',
      'Codex-2',
      'codex-02',
      'codex-2',
      'codex-10',
    ]);
    expect(naturalCompare('a', 'a')).toBe(0);
    expect(naturalCompare('feature/b', 'feature/a')).toBeGreaterThan(0);
  });

  it('says where the supervisor runs', () => {
    const base = { heartbeat: 'running', dryRun: false } as const;
    expect(supervisorModeText(en, { ...base, mode: 'elsewhere', ownerPid: 42 })).toBe(
      'runs in another process (pid 42)',
    );
    expect(supervisorModeText(zh, { ...base, mode: 'failed', problem: 'bad config' })).toBe(
      '未能启动：bad config',
    );
    expect(supervisorModeText(zh, { ...base, mode: 'off' })).toBe('未运行');
  });

  it('translates phases and task statuses, and shows unknown words as they come', () => {
    expect(phaseWord(zh, 'VERIFYING')).toBe('验证中');
    expect(phaseWord(zh, 'SOMETHING_NEW')).toBe('SOMETHING_NEW');
    expect(taskStatusWord(zh, 'running')).toBe('进行中');
    expect(taskStatusWord(zh, 'toString')).toBe('toString');
  });
});
