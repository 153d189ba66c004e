import * as vscode from 'vscode';
import type { PtyExit } from '../core/panes/ptyHost';
import type { SupervisedPane } from '../core/panes/supervisedPane';

/** What the agent printed before VS Code opened the terminal, kept for it up to this many characters. */
const MAX_BACKLOG_CHARS = 4 * 1024 * 1024;

export interface PaneTerminalOptions {
  name: string;
  /** The line written under the agent's last output when it ends; the terminal then closes on any key. */
  exitMessage: (exit: PtyExit) => string;
}

/**
 * Shows a core pane as a real VS Code terminal: the agent's bytes go to the terminal unchanged (colours,
 * cursor, TUI redraws), keys typed there go to the agent, and the terminal's size is the pane's size. Closing
 * the terminal ends the agent. When the agent ends by itself, its last screen stays readable with a line
 * saying how it ended, and the next key closes the terminal (as VS Code does for tasks).
 */
export function createPaneTerminal(sp: SupervisedPane, options: PaneTerminalOptions): vscode.Terminal {
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number | void>();
  const subscriptions: { dispose(): void }[] = [write, close];
  let opened = false;
  let ended = false;
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
  const finish = (): void => {
    for (const s of subscriptions.splice(0)) s.dispose();
  };

  const pty: vscode.Pseudoterminal = {
    onDidWrite: write.event,
    onDidClose: close.event,
    open(dimensions) {
      opened = true;
      if (dimensions) sp.pane.resize(dimensions.columns, dimensions.rows);
      // Whatever the agent printed before the terminal opened (its start screen) is replayed once.
      for (const chunk of backlog) write.fire(chunk);
      backlog = [];
      backlogChars = 0;
    },
    handleInput(data) {
      if (ended) close.fire();
      else sp.pane.write(data);
    },
    setDimensions(dimensions) {
      sp.pane.resize(dimensions.columns, dimensions.rows);
    },
    close() {
      // The person closed the terminal (or FleetAI disposed it): the agent goes with it.
      if (!sp.pane.exited) sp.pane.kill('SIGHUP');
      finish();
    },
  };
  subscriptions.push(
    sp.pane.onData(output),
    sp.pane.onExit((exit) => {
      ended = true;
      output(`\r\n\x1b[0m\x1b[2m${options.exitMessage(exit)}\x1b[0m\r\n`);
    }),
  );
  return vscode.window.createTerminal({
    name: options.name,
    pty,
    iconPath: new vscode.ThemeIcon('hubot'),
    // A pane cannot outlive the window that runs it: after a reload there is nothing to reconnect to.
    isTransient: true,
  });
}
