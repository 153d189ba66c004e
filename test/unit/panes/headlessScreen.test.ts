import { describe, expect, it } from 'vitest';
import { HeadlessScreen } from '../../../extension/core/panes/headlessScreen';

function screen(cols = 20, rows = 5, scrollback?: number): HeadlessScreen {
  return new HeadlessScreen({ cols, rows, scrollback });
}

describe('HeadlessScreen', () => {
  it('shows the visible rows trimmed, the cursor row and the OSC title once parsed', async () => {
    const s = screen();
    s.write('\u001b]0;my title\u0007one   \r\ntwo\r\n\u001b[31mred\u001b[0m');
    await s.whenParsed();
    expect(s.snapshot()).toEqual({ lines: ['one', 'two', 'red', '', ''], cursorRow: 2, title: 'my title' });
    s.dispose();
  });

  it('reports title changes (OSC 2) to subscribers', async () => {
    const s = screen();
    const titles: string[] = [];
    s.onTitle((t) => titles.push(t));
    s.write('\u001b]2;first\u0007\u001b]2;[ ! ] Action Required | ws\u0007');
    await s.whenParsed();
    expect(titles).toEqual(['first', '[ ! ] Action Required | ws']);
    expect(s.title).toBe('[ ! ] Action Required | ws');
    s.dispose();
  });

  it('shows the bottom page after output scrolled, and tail() reaches back into the scrollback', async () => {
    const s = screen(20, 3);
    s.write(Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\r\n'));
    await s.whenParsed();
    expect(s.snapshot().lines).toEqual(['line 7', 'line 8', 'line 9']);
    expect(s.tail(5)).toEqual(['line 5', 'line 6', 'line 7', 'line 8', 'line 9']);
    expect(s.tail(0)).toEqual([]);
    s.dispose();
  });

  it('joins soft-wrapped rows back into one line in tail() and leaves out blank rows below the text', async () => {
    const s = screen(10, 6);
    s.write('short\r\n0123456789abcdefghij  z\r\n');
    await s.whenParsed();
    expect(s.snapshot().lines.slice(0, 4)).toEqual(['short', '0123456789', 'abcdefghij', '  z']);
    expect(s.tail(2)).toEqual(['short', '0123456789abcdefghij  z']);
    s.dispose();
  });

  it('keeps only the configured scrollback', async () => {
    const s = screen(20, 2, 3);
    s.write(Array.from({ length: 20 }, (_, i) => `l${i}`).join('\r\n'));
    await s.whenParsed();
    expect(s.tail(100)).toEqual(['l15', 'l16', 'l17', 'l18', 'l19']);
    s.dispose();
  });

  it('reads the alternate screen while a full-screen program is drawing', async () => {
    const s = screen(20, 3);
    s.write('shell prompt\r\n\u001b[?1049h\u001b[H\u001b[2Jfull screen');
    await s.whenParsed();
    expect(s.snapshot().lines).toEqual(['full screen', '', '']);
    s.write('\u001b[?1049l');
    await s.whenParsed();
    expect(s.snapshot().lines[0]).toBe('shell prompt');
    s.dispose();
  });

  it('whenParsed waits for a large write that xterm parses in several slices', async () => {
    const s = screen(80, 5);
    s.write('x'.repeat(2_000_000) + '\r\nEND');
    await s.whenParsed();
    expect(s.snapshot().lines.at(-1)).toBe('END');
    s.dispose();
  });

  it('resizes the grid', async () => {
    const s = screen(20, 5);
    s.resize(40, 8);
    s.write('y'.repeat(30));
    await s.whenParsed();
    expect([s.cols, s.rows]).toEqual([40, 8]);
    expect(s.snapshot().lines).toHaveLength(8);
    expect(s.snapshot().lines[0]).toBe('y'.repeat(30));
    s.dispose();
  });

  it('answers a cursor position query through onResponse', async () => {
    const s = screen();
    const responses: string[] = [];
    s.onResponse((d) => responses.push(d));
    s.write('abc\u001b[6n');
    await s.whenParsed();
    expect(responses).toEqual(['\u001b[1;4R']);
    s.dispose();
  });

  it('ignores writes after dispose', async () => {
    const s = screen();
    s.dispose();
    expect(() => s.write('late')).not.toThrow();
    await expect(s.whenParsed()).resolves.toBeUndefined();
  });

  it('keeps lines far beyond what xterm itself holds, as text, and tail() reads them in order', async () => {
    const s = screen(30, 5, 2000);
    s.write(Array.from({ length: 1500 }, (_, i) => `row ${i}`).join('\r\n'));
    await s.whenParsed();
    const tail = s.tail(1200);
    expect(tail).toHaveLength(1200);
    expect(tail[0]).toBe('row 300');
    expect(tail.at(-1)).toBe('row 1499');
    expect(new Set(tail).size).toBe(1200);
    s.dispose();
  });

  it('joins wrapped rows exactly, spaces at row ends and wide (CJK) characters included, once scrolled off', async () => {
    const s = screen(10, 2, 100);
    // Wide characters laid out so none straddles a row end (xterm leaves that cell empty, as a terminal shows it).
    const long = 'abcdefgh  ij  k     l   中文字符测试和更多';
    s.write(`${long}\r\nafter\r\n1\r\n2\r\n3`);
    await s.whenParsed();
    expect(s.tail(5)).toEqual([long, 'after', '1', '2', '3']);
    s.dispose();
  });

  it('joins a long line that wrapped across the top of the viewport', async () => {
    const s = screen(10, 3, 100);
    s.write(`head\r\n${'x'.repeat(25)}y\r\nlast`);
    await s.whenParsed();
    expect(s.tail(3)).toEqual(['head', `${'x'.repeat(25)}y`, 'last']);
    s.dispose();
  });

  it('archives what an inline TUI pushes above its region (top 0) but not scrolls inside a lower region', async () => {
    const s = screen(20, 6, 100);
    // Region rows 1-3 at the top: each newline at its bottom pushes the top row into the scrollback.
    s.write('\u001b[1;3r\u001b[3;1H');
    for (let i = 0; i < 5; i++) s.write(`\r\nhist ${i}`);
    // A region starting at row 4: scrolling in it moves nothing off screen.
    s.write('\u001b[4;6r\u001b[6;1H');
    for (let i = 0; i < 5; i++) s.write(`\r\nlow ${i}`);
    s.write('\u001b[r');
    await s.whenParsed();
    const tail = s.tail(50);
    expect(tail.filter((l) => l.startsWith('hist'))).toEqual([
      'hist 0',
      'hist 1',
      'hist 2',
      'hist 3',
      'hist 4',
    ]);
    expect(tail.filter((l) => l.startsWith('low')).length).toBeLessThanOrEqual(3);
    s.dispose();
  });

  it('holds the configured 10,000 lines of history', async () => {
    const s = screen(120, 40, 10_000);
    const line = 'x'.repeat(100);
    for (let chunk = 0; chunk < 12; chunk++)
      s.write(Array.from({ length: 1000 }, (_, i) => `${chunk}-${i} ${line}`).join('\r\n') + '\r\n');
    await s.whenParsed();
    expect(s.tail(10_000)).toHaveLength(10_000);
    // 12,000 lines written: the oldest 2,000 are gone (memory per pane is measured in test/bench/panes.mjs).
    expect(s.tail(10_000)[0]).toMatch(/^2-0 /);
    // The history and the 39 rows of text below it (the empty row under the cursor is left out).
    expect(s.tail(20_000)).toHaveLength(10_039);
    s.dispose();
  });
});
