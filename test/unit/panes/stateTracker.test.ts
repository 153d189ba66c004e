import { describe, expect, it } from 'vitest';
import { StateTracker, liveRegion, type DetectionRule } from '../../../extension/core/panes/stateTracker';
import type { PaneStateEvent, ScreenSnapshot } from '../../../extension/core/panes/types';
import { fakeClock } from './fakeClock';

const rules: DetectionRule[] = [
  {
    id: 'approval',
    state: 'awaiting_approval',
    source: 'live',
    re: /Would you like to run the following command\?/,
    priority: 90,
    approval: { kind: 'command', commandRe: /^\s*\$\s+(.+)$/ },
  },
  {
    id: 'error-500',
    state: 'error',
    source: 'live',
    re: /^■ .*500/,
    priority: 80,
    error: { class: 'server', retrying: false },
  },
  { id: 'working', state: 'working', source: 'live', re: /esc to interrupt/, priority: 50 },
  { id: 'idle', state: 'awaiting_input', source: 'live', re: /^› /, priority: 10 },
];

function screen(lines: string[], title = 'ws'): ScreenSnapshot {
  const rows = [...lines, ...Array<string>(Math.max(0, 20 - lines.length)).fill('')];
  return { lines: rows, cursorRow: lines.length - 1, title };
}

function tracker(timing = { idleDebounceMs: 400, stallTimeoutMs: 10_000, liveRows: 6 }) {
  const clock = fakeClock();
  const t = new StateTracker({ id: 'p1', agent: 'codex', branch: 'feat/x' }, rules, timing, clock);
  const events: PaneStateEvent[] = [];
  t.onTransition((e) => events.push(e));
  return { t, clock, events };
}

describe('StateTracker', () => {
  it('starts in starting and reports working at once when the working signature appears', () => {
    const { t, events } = tracker();
    expect(t.state.name).toBe('starting');
    t.observe(screen(['hello', '• Working (1s • esc to interrupt)', '› Ask Codex to do anything']));
    expect(events.map((e) => [e.from, e.to])).toEqual([['starting', 'working']]);
    expect(events[0]).toMatchObject({
      pane: 'p1',
      agent: 'codex',
      branch: 'feat/x',
      reason: 'working matched the screen',
    });
    expect(events[0]?.evidence).toEqual(['• Working (1s • esc to interrupt)']);
  });

  it('reports waiting for input only after the calm screen held for the debounce time', () => {
    const { t, clock, events } = tracker();
    t.observe(screen(['• Working (1s • esc to interrupt)']));
    t.observe(screen(['Worked for 3s', '› Ask Codex to do anything']));
    clock.advance(399);
    expect(t.state.name).toBe('working');
    clock.advance(1);
    expect(t.state.name).toBe('awaiting_input');
    expect(events.map((e) => e.to)).toEqual(['working', 'awaiting_input']);
  });

  it('does not flap when the working line disappears for a redraw shorter than the debounce', () => {
    const { t, clock, events } = tracker();
    t.observe(screen(['• Working (1s • esc to interrupt)', '› Ask Codex']));
    t.observe(screen(['› Ask Codex'])); // spinner line hidden while the answer streams
    clock.advance(200);
    t.observe(screen(['• Working (2s • esc to interrupt)', '› Ask Codex']));
    clock.advance(1000);
    expect(events.map((e) => e.to)).toEqual(['working']);
  });

  it('reports an approval immediately, with the command and the options parsed from the prompt', () => {
    const { t, events } = tracker();
    t.observe(screen(['• Working (1s • esc to interrupt)']));
    t.observe(
      screen([
        'Would you like to run the following command?',
        '  $ touch approved.txt',
        '› 1. Yes, proceed (y)',
        "  2. Yes, and don't ask again for this command (p)",
        '  3. No, and tell Codex what to do differently (esc)',
      ]),
    );
    expect(t.state.name).toBe('awaiting_approval');
    expect(events.at(-1)?.approval).toEqual({
      kind: 'command',
      command: 'touch approved.txt',
      options: [
        { keys: 'y', label: 'Yes, proceed' },
        { keys: 'p', label: "Yes, and don't ask again for this command" },
        { keys: '\u001b', label: 'No, and tell Codex what to do differently' },
      ],
    });
  });

  it('ignores a signature quoted above the live region', () => {
    const { t, events } = tracker({ idleDebounceMs: 400, stallTimeoutMs: 10_000, liveRows: 3 });
    t.observe(
      screen([
        'Would you like to run the following command?',
        'a',
        'b',
        'c',
        'd',
        '• Working (1s • esc to interrupt)',
      ]),
    );
    expect(events.map((e) => e.to)).toEqual(['working']);
  });

  it('classifies errors with their class', () => {
    const { t, events } = tracker();
    t.observe(screen(['■ unexpected status 500 Internal Server Error']));
    expect(t.state.name).toBe('error');
    expect(events.at(-1)?.error).toEqual({
      class: 'server',
      retrying: false,
      message: '■ unexpected status 500 Internal Server Error',
    });
  });

  it('turns working without progress into stalled after the stall timeout, ignoring spinners and counters', () => {
    const { t, clock, events } = tracker();
    for (let s = 1; s <= 12; s++) {
      const glyph = s % 2 ? '•' : '◦';
      t.observe(screen([`${glyph} Working (${s}s • esc to interrupt)`, '› Ask Codex']));
      clock.advance(1000);
    }
    expect(events.map((e) => e.to)).toEqual(['working', 'stalled']);
    expect(events[1]?.reason).toMatch(/no progress on screen for 10 s/);
    // Real progress brings it back to working.
    t.observe(screen(['new output line', '• Working (13s • esc to interrupt)', '› Ask Codex']));
    expect(t.state.name).toBe('working');
  });

  it('keeps working while output progresses, however long it takes', () => {
    const { t, clock } = tracker();
    for (let s = 1; s <= 30; s++) {
      t.observe(screen([`line ${'x'.repeat(s)}`, '• Working (1s • esc to interrupt)']));
      clock.advance(1000);
    }
    expect(t.state.name).toBe('working');
  });

  it('ends in exited with the exit code and ignores screens after that', () => {
    const { t, events } = tracker();
    t.observe(screen(['• Working (1s • esc to interrupt)']));
    t.exited(3);
    t.observe(screen(['• Working (2s • esc to interrupt)']));
    expect(events.map((e) => e.to)).toEqual(['working', 'exited']);
    expect(events.at(-1)).toMatchObject({ exitCode: 3, reason: 'process exited with code 3' });
  });

  it('matches title rules against the terminal title', () => {
    const clock = fakeClock();
    const t = new StateTracker(
      { id: 'g', agent: 'gemini' },
      [
        {
          id: 'title-approval',
          state: 'awaiting_approval',
          source: 'title',
          re: /Action Required/,
          priority: 90,
        },
      ],
      { idleDebounceMs: 10, stallTimeoutMs: 1000, liveRows: 5 },
      clock,
    );
    t.observe(screen(['anything'], '✋ Action Required (ws)'));
    expect(t.state).toMatchObject({ name: 'awaiting_approval', evidence: ['✋ Action Required (ws)'] });
  });
});

describe('StateTracker with a structured source', () => {
  it('a protocol report outranks the screen during the hold, then the screen counts again', () => {
    const { t, clock, events } = tracker();
    t.observe(screen(['• Working (1s • esc to interrupt)']));
    t.report(
      {
        name: 'awaiting_approval',
        reason: 'item/commandExecution/requestApproval',
        evidence: ['{"command":"touch a"}'],
        approval: { kind: 'command', source: 'protocol', command: 'touch a', options: [] },
      },
      { holdMs: 1000 },
    );
    // The TUI has not drawn its prompt yet: the stale working line may not undo the protocol's word.
    t.observe(screen(['• Working (2s • esc to interrupt) x']));
    expect(t.state.name).toBe('awaiting_approval');
    // The screen's own reading of the same state adds no event.
    t.observe(screen(['Would you like to run the following command?', '  $ touch a']));
    clock.advance(1500);
    t.observe(screen(['Would you like to run the following command?', '  $ touch a', '']));
    expect(events.map((e) => e.to)).toEqual(['working', 'awaiting_approval']);
    expect(t.state.approval?.source).toBe('protocol');
    // After the hold, the screen moves the state again.
    t.observe(screen(['• Working (3s • esc to interrupt)']));
    expect(t.state.name).toBe('working');
  });

  it('an error on screen still counts during the hold', () => {
    const { t } = tracker();
    t.report({ name: 'working', reason: 'turn/started', evidence: [] }, { holdMs: 5000 });
    t.observe(screen(['■ unexpected status 500']));
    expect(t.state).toMatchObject({ name: 'error', error: { class: 'server' } });
  });

  it('protocol progress keeps a quiet screen from being called stalled', () => {
    const { t, clock } = tracker({ idleDebounceMs: 400, stallTimeoutMs: 10_000, liveRows: 6 });
    t.observe(screen(['• Working (1s • esc to interrupt)']));
    for (let i = 0; i < 5; i++) {
      clock.advance(4000);
      t.progress();
    }
    expect(t.state.name).toBe('working');
    clock.advance(10_001);
    expect(t.state.name).toBe('stalled');
  });
});

describe('liveRegion', () => {
  it('takes the last non-empty rows up to the last text or the cursor', () => {
    const snap: ScreenSnapshot = { lines: ['a', 'b', 'c', 'd', '', ''], cursorRow: 3, title: '' };
    expect(liveRegion(snap, 2)).toEqual(['c', 'd']);
    // The cursor below the text: the region still holds the last non-empty rows.
    expect(liveRegion({ ...snap, cursorRow: 5 }, 2)).toEqual(['c', 'd', '', '']);
    // Blank padding rows do not count, so a sparse TUI screen keeps its last lines live.
    expect(liveRegion({ lines: ['a', '', 'b', '', '', 'c'], cursorRow: 5, title: '' }, 2)).toEqual([
      'b',
      '',
      '',
      'c',
    ]);
  });
});
