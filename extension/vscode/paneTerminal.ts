import * as vscode from 'vscode';
import type { PtyExit } from '../core/panes/ptyHost';
import type { SupervisedPane } from '../core/panes/supervisedPane';

/** What the agent printed before VS Code opened the terminal, kept for it up to this many characters. */
const MAX_BACKLOG_CHARS = 4 * 1024 * 1024;

export interface PaneTerminalOptions {
  name: string;
  /** The line written under the agent's last output when it ends; the terminal then closes on any key. */
  exitMessage: (exit: PtyExit) => string;
  /** The line written when the pane's agent is started again (a new process in the same pane). */
  restartMessage: () => string;
}

/** A pane's VS Code terminal. */
export interface PaneTerminal {
  readonly terminal: vscode.Terminal;
  /**
   * The pane was restarted (PaneRegistry.restart): the same terminal now shows, and types into, the new
   * process, so it stays where the person put it.
   */
  rebind(sp: SupervisedPane): void;
}

/**
 * Shows a core pane as a real VS Code terminal: the agent's bytes go to the terminal unchanged (colours,
 * cursor, TUI redraws), keys typed there go to the agent, and the terminal's size is the pane's size. Closing
 * the terminal ends the agent. When the agent ends by itself, its last screen stays readable with a line
 * saying how it ended, and the next key closes the terminal (as VS Code does for tasks) — unless FleetAI
 * starts the agent again first, which rebinds the terminal to the new process.
 */
export function createPaneTerminal(first: SupervisedPane, options: PaneTerminalOptions): PaneTerminal {
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number | void>();
  let sp = first;
  let paneSubscriptions: { dispose(): void }[] = [];
  let opened = false;
  let closed = false;
  let ended = false;
  let dimensions: vscode.TerminalDimensions | undefined;
  let backlog: string[] = [];
  let backlogChars = 0;

  const output = (data: string): void => {
    if (opened) {
      write.fire(data);
    } else if (backlogChars + data.length <= MAX_BACKLOG_CHARS) {
      backlog.push(data);
      backlogChars += data.length;
    }
  };
  const bind = (next: SupervisedPane): void => {
    for (const s of paneSubscriptions.splice(0)) s.dispose();
    sp = next;
    ended = next.pane.exited;
    paneSubscriptions = [
      next.pane.onData(output),
      next.pane.onExit((exit) => {
        ended = true;
        output(`\r\n\x1b[0m\x1b[2m${options.exitMessage(exit)}\x1b[0m\r\n`);
      }),
    ];
  };
  const finish = (): void => {
    closed = true;
    for (const s of paneSubscriptions.splice(0)) s.dispose();
    write.dispose();
    close.dispose();
  };

  const pty: vscode.Pseudoterminal = {
    onDidWrite: write.event,
    onDidClose: close.event,
    open(initial) {
      opened = true;
      dimensions = initial;
      if (initial) sp.pane.resize(initial.columns, initial.rows);
      // Whatever the agent printed before the terminal opened (its start screen) is replayed once.
      for (const chunk of backlog) write.fire(chunk);
      backlog = [];
      backlogChars = 0;
    },
    handleInput(data) {
      if (ended) close.fire();
      else sp.pane.write(data);
    },
    setDimensions(next) {
      dimensions = next;
      sp.pane.resize(next.columns, next.rows);
    },
    close() {
      // The person closed the terminal (or FleetAI disposed it): the agent goes with it.
      if (!sp.pane.exited) sp.pane.kill('SIGHUP');
      finish();
    },
  };
  bind(first);
  const terminal = vscode.window.createTerminal({
    name: options.name,
    pty,
    iconPath: new vscode.ThemeIcon('hubot'),
    // A pane cannot outlive the window that runs it: after a reload there is nothing to reconnect to.
    isTransient: true,
  });
  return {
    terminal,
    rebind(next) {
      if (closed || next === sp) return;
      bind(next);
      output(`\r\n\x1b[0m\x1b[2m${options.restartMessage()}\x1b[0m\r\n`);
      // The registry reports the restart a moment after the new process started: whatever it printed in that
      // moment is on its screen, not in the stream any more. Show those rows, then stream from here.
      const lines = next.pane.snapshot().lines;
      let last = lines.length - 1;
      while (last >= 0 && lines[last] === '') last--;
      if (last >= 0) output(`${lines.slice(0, last + 1).join('\r\n')}`);
      // A size different from the one the process started with makes a full-screen agent redraw itself.
      if (dimensions) next.pane.resize(dimensions.columns, dimensions.rows);
    },
  };
}
