import { Terminal } from '@xterm/headless';

import { Emitter, type Disposable } from './events';
import type { ScreenSnapshot } from './types';

export interface HeadlessScreenOptions {
  cols: number;
  rows: number;
  /** Rows kept above the viewport; what `tail()` can reach back into. */
  scrollback?: number;
}

export const DEFAULT_SCROLLBACK = 10_000;

/**
 * Rows xterm itself keeps above the viewport (for reflow on resize). Older rows live in `LineHistory` as
 * plain text: xterm spends 12 bytes per cell, a 120-column row about 1.4 KiB, whatever it holds, where the text
 * of a line costs a few dozen bytes. 10,000 rows in xterm alone were 14 MiB per pane.
 */
const TERMINAL_SCROLLBACK = 100;
const MAX_LINE = 8192;

/** The lines that scrolled off the screen, as text, oldest first; at most `capacity`, the oldest dropped. */
class LineHistory {
  private readonly lines: string[] = [];
  private start = 0;

  constructor(readonly capacity: number) {}

  get length(): number {
    return this.lines.length - this.start;
  }

  push(line: string): void {
    if (this.capacity <= 0) return;
    this.lines.push(line);
    // Dropping from the front in batches keeps push O(1) amortised without a ring's index arithmetic.
    if (this.length > this.capacity) this.start++;
    if (this.start > 1024 && this.start > this.lines.length / 2) {
      this.lines.splice(0, this.start);
      this.start = 0;
    }
  }

  /** The last line grew: a soft-wrapped row continued it. */
  replaceLast(line: string): void {
    if (this.length === 0) this.push(line);
    else this.lines[this.lines.length - 1] = line;
  }

  last(count: number): string[] {
    return this.lines.slice(Math.max(this.start, this.lines.length - count));
  }
}

/**
 * The pane's screen as the agent drew it, kept by xterm.js without a renderer, so detectors read the same
 * cells a person sees (cursor moves, redraws, alternate screen) rather than the raw byte stream.
 */
export class HeadlessScreen {
  private readonly terminal: Terminal;
  private readonly history: LineHistory;
  /** The untrimmed text of the newest archived line, which the next scrolled row may continue. */
  private openLine: string | undefined;
  private readonly titleEmitter = new Emitter<string>();
  private readonly responseEmitter = new Emitter<string>();
  private currentTitle = '';
  private disposed = false;

  constructor(options: HeadlessScreenOptions) {
    const scrollback = options.scrollback ?? DEFAULT_SCROLLBACK;
    this.history = new LineHistory(scrollback);
    this.terminal = new Terminal({
      cols: options.cols,
      rows: options.rows,
      scrollback: Math.min(scrollback, TERMINAL_SCROLLBACK),
      allowProposedApi: true,
    });
    // Every scroll of the normal buffer pushes the region's top row above the viewport (xterm's
    // BufferService.scroll, also for the scroll regions inline TUIs use to print history): archive its text.
    this.terminal.onScroll(() => this.archiveScrolledRow());
    this.terminal.onTitleChange((title) => {
      this.currentTitle = title;
      this.titleEmitter.fire(title);
    });
    this.terminal.onData((data) => this.responseEmitter.fire(data));
  }

  get cols(): number {
    return this.terminal.cols;
  }

  get rows(): number {
    return this.terminal.rows;
  }

  get title(): string {
    return this.currentTitle;
  }

  /** Queues bytes for parsing; xterm applies them asynchronously, in order (see `whenParsed`). */
  write(data: string | Uint8Array, callback?: () => void): void {
    if (this.disposed) return;
    this.terminal.write(data, callback);
  }

  /** Resolves once every byte written so far is on the screen. */
  whenParsed(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    // xterm runs write callbacks in write order, so an empty write's callback marks everything before it.
    return new Promise((resolve) => this.terminal.write('', resolve));
  }

  /** The visible page: the bottom of the buffer, where the cursor is and where an agent draws its prompts. */
  snapshot(): ScreenSnapshot {
    const buffer = this.terminal.buffer.active;
    const lines: string[] = [];
    for (let row = 0; row < this.terminal.rows; row++) {
      lines.push(trimRight(buffer.getLine(buffer.baseY + row)?.translateToString(true) ?? ''));
    }
    return { lines, cursorRow: buffer.cursorY, title: this.currentTitle };
  }

  private archiveScrolledRow(): void {
    const buffer = this.terminal.buffer.active;
    if (buffer.type !== 'normal' || buffer.baseY === 0 || regionScrollTop(this.terminal) > 0) return;
    const row = buffer.getLine(buffer.baseY - 1);
    if (!row) return;
    // translateToString builds the text cell by cell, a rope of ~120 string pieces per row; kept as it is, 10,000
    // rows cost ~37 MiB. Flattened (charCodeAt makes V8 flatten it) and trimmed, ~3.6 MiB.
    const raw = row.translateToString(false);
    raw.charCodeAt(0);
    // A line longer than MAX_LINE (a progress bar redrawn without newlines, a minified file) goes on as a new
    // entry: joining it whole would cost its length at every row.
    if (row.isWrapped && this.openLine !== undefined && this.openLine.length < MAX_LINE) {
      // The untrimmed text of the line so far: the spaces at the end of a row that wraps on belong to it.
      this.openLine += raw;
      this.openLine.charCodeAt(0);
      this.history.replaceLast(trimRight(this.openLine));
    } else {
      this.openLine = raw;
      this.history.push(trimRight(raw));
    }
  }

  /**
   * The last `count` logical lines: the history of lines that scrolled off, then the viewport (soft-wrapped
   * rows joined back into one line, the blank rows below the last text left out). In the alternate screen (a
   * full-screen program), the viewport only.
   */
  tail(count: number): string[] {
    if (count <= 0) return [];
    const buffer = this.terminal.buffer.active;
    const normal = buffer.type === 'normal';
    const top = normal ? buffer.baseY : 0;
    let end = buffer.length - 1;
    while (end > top && trimRight(buffer.getLine(end)?.translateToString(true) ?? '') === '') end--;
    const lines: string[] = [];
    let current: string | undefined;
    for (let y = end; y >= top && lines.length < count; y--) {
      const line = buffer.getLine(y);
      if (!line) break;
      // Rows are joined untrimmed: the spaces at the end of a row that wraps on are part of the line.
      const text = line.translateToString(false);
      current = current === undefined ? text : text + current;
      if (!line.isWrapped) {
        lines.push(trimRight(current));
        current = undefined;
      }
    }
    if (!normal) {
      if (current !== undefined && lines.length < count) lines.push(trimRight(current));
      return lines.reverse();
    }
    // A line that began above the viewport and wraps into it: its start is the history's last line.
    if (current !== undefined) {
      const start = this.history.length > 0 ? this.history.last(1)[0]! : '';
      lines.push(trimRight(start + current));
    }
    const older = this.history.last(count - lines.length + (current !== undefined ? 1 : 0));
    if (current !== undefined) older.pop();
    return [...older.map(trimRight), ...lines.reverse()].slice(-count);
  }

  resize(cols: number, rows: number): void {
    if (this.disposed) return;
    this.terminal.resize(cols, rows);
  }

  onTitle(listener: (title: string) => void): Disposable {
    return this.titleEmitter.event(listener);
  }

  /**
   * What the terminal answers to the program's queries (cursor position, device attributes). Somebody has to
   * send these back or TUIs that ask wait for a timeout; see the pane's `answerQueries`.
   */
  onResponse(listener: (data: string) => void): Disposable {
    return this.responseEmitter.event(listener);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.titleEmitter.dispose();
    this.responseEmitter.dispose();
    this.terminal.dispose();
  }
}

/**
 * xterm's own trimming keeps spaces the program printed; these are trimmed too, so patterns see the same text
 * whether an agent padded a row with spaces or just moved the cursor.
 */
function trimRight(text: string): string {
  return text.replace(/ +$/, '');
}

/**
 * The top of the scroll region (DECSTBM). xterm only pushes rows into its scrollback when the region starts at
 * the top; a scroll inside a lower region moves nothing off screen. Not in xterm's public API: read from its
 * core, pinned with the @xterm/headless version (test/unit/panes/headlessScreen.test.ts covers it).
 */
function regionScrollTop(terminal: Terminal): number {
  const core = (terminal as unknown as { _core?: { buffer?: { scrollTop?: number } } })._core;
  return core?.buffer?.scrollTop ?? 0;
}
