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
 * The pane's screen as the agent drew it, kept by xterm.js without a renderer, so detectors read the same
 * cells a person sees (cursor moves, redraws, alternate screen) rather than the raw byte stream.
 */
export class HeadlessScreen {
  private readonly terminal: Terminal;
  private readonly titleEmitter = new Emitter<string>();
  private readonly responseEmitter = new Emitter<string>();
  private currentTitle = '';
  private disposed = false;

  constructor(options: HeadlessScreenOptions) {
    this.terminal = new Terminal({
      cols: options.cols,
      rows: options.rows,
      scrollback: options.scrollback ?? DEFAULT_SCROLLBACK,
      allowProposedApi: true,
    });
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

  /**
   * The last `count` logical lines of the active buffer (scrollback included), with soft-wrapped rows joined
   * back into one line and the blank rows below the last text left out. Costs one pass over those rows only.
   */
  tail(count: number): string[] {
    if (count <= 0) return [];
    const buffer = this.terminal.buffer.active;
    let end = buffer.length - 1;
    while (end > 0 && trimRight(buffer.getLine(end)?.translateToString(true) ?? '') === '') end--;
    const lines: string[] = [];
    let current: string | undefined;
    for (let y = end; y >= 0 && lines.length < count; y--) {
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
    if (current !== undefined && lines.length < count) lines.push(trimRight(current));
    return lines.reverse();
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
