import { Terminal } from '@xterm/headless';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as pty from 'node-pty';
import { repoRoot } from '../unit/helpers';

export const cli = path.join(repoRoot, 'dist/cli.js');

export interface WatchLine {
  ts: string;
  pane: string;
  agent: string;
  state: string;
  from: string;
  reason: string;
  evidence: string[];
  error?: { class: string; retrying: boolean; message: string };
  approval?: { kind: string; command?: string; options: { keys: string; label: string }[] };
  exitCode?: number;
}

/**
 * Runs `fleet watch -- COMMAND` the way a user does: inside a terminal. The outer terminal is a real pty whose
 * output feeds a headless xterm, which answers the agent's terminal queries (cursor position, colours) as a
 * terminal emulator would.
 */
export class WatchRun {
  readonly dir = mkdtempSync(path.join(tmpdir(), 'fleetai-watch-'));
  readonly eventsFile = path.join(this.dir, 'events.jsonl');
  private readonly term: Terminal;
  private readonly proc: pty.IPty;
  exitCode: number | undefined;

  constructor(
    command: string[],
    options: {
      agent?: string;
      stallTimeout?: number;
      cwd?: string;
      env?: NodeJS.ProcessEnv;
      /** Use exactly `env`, not this process's environment plus `env` (no CI=true leaking into the agent). */
      replaceEnv?: boolean;
      /** false: `fleet watch --no-hooks`, the screen alone. */
      hooks?: boolean;
    } = {},
  ) {
    if (!existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" first`);
    const cols = 120;
    const rows = 40;
    this.term = new Terminal({ cols, rows, allowProposedApi: true });
    const args = [cli, 'watch', '--events', this.eventsFile];
    if (options.agent) args.push('--agent', options.agent);
    if (options.stallTimeout) args.push('--stall-timeout', String(options.stallTimeout));
    if (options.hooks === false) args.push('--no-hooks');
    args.push('--', ...command);
    this.proc = pty.spawn(process.execPath, args, {
      cols,
      rows,
      cwd: options.cwd ?? this.dir,
      env: options.replaceEnv ? { ...options.env } : { ...process.env, ...options.env },
      name: 'xterm-256color',
    });
    this.proc.onData((data) => this.term.write(data));
    this.term.onData((reply) => this.proc.write(reply));
    this.proc.onExit(({ exitCode }) => (this.exitCode = exitCode));
  }

  /** Types like a person: the text, a pause, then Enter (Codex takes a quick Enter as a pasted newline). */
  async type(text: string, enter = true): Promise<void> {
    this.proc.write(text);
    if (enter) {
      await sleep(600);
      this.proc.write('\r');
    }
  }

  keys(data: string): void {
    this.proc.write(data);
  }

  events(): WatchLine[] {
    if (!existsSync(this.eventsFile)) return [];
    return readFileSync(this.eventsFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as WatchLine);
  }

  states(): string[] {
    return this.events().map((e) => e.state);
  }

  screen(): string {
    const buffer = this.term.buffer.active;
    const lines: string[] = [];
    for (let i = 0; i < this.term.rows; i++)
      lines.push(buffer.getLine(buffer.baseY + i)?.translateToString(true) ?? '');
    return lines.join('\n').replace(/\n+$/, '');
  }

  /** Waits until a state change matching `predicate` has been reported; the error shows what was seen. */
  async waitFor(
    predicate: (e: WatchLine, index: number) => boolean,
    what: string,
    timeoutMs = 60_000,
  ): Promise<WatchLine> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.events().find(predicate);
      if (hit) return hit;
      if (Date.now() > end || this.exitCode !== undefined) {
        throw new Error(
          `no ${what} within ${timeoutMs} ms (exit ${this.exitCode}); states: ${this.states().join(' > ')}\nscreen:\n${this.screen()}`,
        );
      }
      await sleep(50);
    }
  }

  /** The first report of `state` at or after the `after`-th state change. */
  waitForState(state: string, timeoutMs?: number, after = 0): Promise<WatchLine> {
    return this.waitFor((e, index) => index >= after && e.state === state, `state ${state}`, timeoutMs);
  }

  async waitForExit(timeoutMs = 30_000): Promise<number> {
    const end = Date.now() + timeoutMs;
    while (this.exitCode === undefined) {
      if (Date.now() > end) throw new Error(`fleet watch did not exit; screen:\n${this.screen()}`);
      await sleep(50);
    }
    return this.exitCode;
  }

  dispose(): void {
    if (this.exitCode === undefined) this.proc.kill('SIGKILL');
    this.term.dispose();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
