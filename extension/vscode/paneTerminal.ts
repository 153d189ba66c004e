import * as vscode from 'vscode';
import type { SupervisedPane } from '../core/panes/supervisedPane';

/**
 * Shows a core pane as a real VS Code terminal: the agent's bytes go to the terminal unchanged (colours,
 * cursor, TUI redraws), keys typed there go to the agent, and the terminal's size is the pane's size. Closing
 * the terminal ends the agent; the agent ending closes the terminal with its exit code.
 */
export function createPaneTerminal(sp: SupervisedPane, name: string): vscode.Terminal {
  const write = new vscode.EventEmitter<string>();
  const close = new vscode.EventEmitter<number | void>();
  const subscriptions: { dispose(): void }[] = [];
  let opened = false;
  const backlog: string[] = [];

  const pty: vscode.Pseudoterminal = {
    onDidWrite: write.event,
    onDidClose: close.event,
    open(dimensions) {
      opened = true;
      if (dimensions) sp.pane.resize(dimensions.columns, dimensions.rows);
      // Whatever the agent printed before the terminal opened (its start screen) is replayed once.
      for (const chunk of backlog.splice(0)) write.fire(chunk);
    },
    handleInput(data) {
      sp.pane.write(data);
    },
    setDimensions(dimensions) {
      sp.pane.resize(dimensions.columns, dimensions.rows);
    },
    close() {
      if (!sp.pane.exited) sp.pane.kill('SIGHUP');
    },
  };
  subscriptions.push(
    sp.pane.onData((data) => {
      if (opened) write.fire(data);
      else backlog.push(data);
    }),
    sp.pane.onExit((exit) => {
      close.fire(exit.exitCode);
      for (const s of subscriptions) s.dispose();
      write.dispose();
      close.dispose();
    }),
  );
  return vscode.window.createTerminal({ name, pty, iconPath: new vscode.ThemeIcon('hubot') });
}
