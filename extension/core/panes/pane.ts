import { describeError, type FleetError } from '../errors';
import type { Logger } from '../observability/appLog';
import { Emitter, type Disposable } from './events';
import { HeadlessScreen } from './headlessScreen';
import { InputPacer, type PacingOptions, type SendOptions, type Sleep } from './inputPacer';
import type { PtyExit, PtyHost, PtyProcess } from './ptyHost';
import { Transcript } from './transcript';
import type { ScreenSnapshot } from './types';

export interface PaneOptions {
  id: string;
  /** The agent kind ("codex", "claude", "shell"...), carried into logs and events. */
  agent: string;
  command: string;
  args?: readonly string[];
  cwd: string;
  /** The child's whole environment. Default: this process's environment. */
  env?: Record<string, string | undefined>;
  cols?: number;
  rows?: number;
  /** TERM for the child. Default "xterm-256color", which is what the headless screen understands. */
  termName?: string;
  branch?: string;
  /** Where `<id>.log` and its rotated parts go (normally `paneLogsDir`); no transcript without it. */
  transcriptDir?: string;
  transcript?: { maxBytes?: number; retainParts?: number };
  scrollback?: number;
  pacing: PacingOptions;
  ptyHost: PtyHost;
  log: Logger;
  /** Whether the agent takes input now (the detector supplies it). Default: always ready. */
  isReady?: () => boolean;
  sleep?: Sleep;
  /**
   * Send the headless screen's answers to terminal queries (cursor position, device attributes) to the
   * program. Needed when nothing else renders the pane (the CLI); leave off when a real terminal (VS Code's)
   * shows it and already answers, or the program reads every answer twice. Default false.
   */
  answerQueries?: boolean;
}

export interface PaneSendOptions {
  submit: boolean;
  /** Default true: wait for `isReady()` before typing. */
  whenReady?: boolean;
}

export const DEFAULT_COLS = 120;
export const DEFAULT_ROWS = 40;

const CATEGORY = 'pane';

/**
 * One agent process on a pseudo-terminal. Its bytes go, in this order, to the headless screen (what detectors
 * read), the transcript (what survives) and subscribers (the VS Code terminal, the CLI). Input comes either raw
 * from a person's keyboard (`write`) or paced from FleetAI (`send`).
 */
export class Pane {
  readonly id: string;
  readonly agent: string;
  readonly branch: string | undefined;
  readonly pid: number;
  readonly screen: HeadlessScreen;
  readonly transcript: Transcript | undefined;

  private readonly log: Logger;
  private readonly process: PtyProcess;
  private readonly pacer: InputPacer;
  private readonly dataEmitter: Emitter<string>;
  private readonly exitEmitter: Emitter<PtyExit>;
  private readonly subscriptions: Disposable[] = [];
  private readonly startedAt = Date.now();
  private readonly exitPromise: Promise<PtyExit>;
  private resolveExit!: (exit: PtyExit) => void;
  /** Set the moment the process is gone, before the exit event, so nothing writes to a closed terminal. */
  private processGone = false;
  private exitInfo: PtyExit | undefined;
  private disposed = false;

  constructor(options: PaneOptions) {
    this.id = options.id;
    this.agent = options.agent;
    this.branch = options.branch;
    this.log = options.log;
    const cols = options.cols ?? DEFAULT_COLS;
    const rows = options.rows ?? DEFAULT_ROWS;
    const onListenerError = (error: unknown) =>
      this.log.error(CATEGORY, 'pane.listener.failed', { ...this.context(), error: describeError(error) });
    this.dataEmitter = new Emitter(onListenerError);
    this.exitEmitter = new Emitter(onListenerError);
    this.exitPromise = new Promise((resolve) => (this.resolveExit = resolve));

    this.screen = new HeadlessScreen({ cols, rows, scrollback: options.scrollback });
    this.transcript =
      options.transcriptDir === undefined
        ? undefined
        : new Transcript({
            dir: options.transcriptDir,
            name: options.id,
            ...options.transcript,
            onError: (error: FleetError) =>
              this.log.warn(CATEGORY, 'pane.transcript.failed', {
                ...this.context(),
                code: error.code,
                error: error.message,
              }),
          });
    this.pacer = new InputPacer({
      ...options.pacing,
      write: (data) => this.write(data),
      sleep: options.sleep,
      isReady: options.isReady,
    });

    try {
      this.process = options.ptyHost.spawn(options.command, options.args ?? [], {
        cwd: options.cwd,
        env: options.env ?? process.env,
        cols,
        rows,
        name: options.termName ?? 'xterm-256color',
      });
    } catch (error) {
      this.log.error(CATEGORY, 'pane.spawn.failed', {
        ...this.context(),
        command: options.command,
        error: describeError(error),
      });
      this.screen.dispose();
      void this.transcript?.close();
      throw error;
    }
    this.pid = this.process.pid;

    this.subscriptions.push(this.process.onData((data) => this.handleData(data)));
    // Never disposed: a disposed pane still records how its process ended and resolves `whenExited`.
    this.process.onExit((exit) => void this.handleExit(exit));
    if (options.answerQueries) {
      this.subscriptions.push(this.screen.onResponse((data) => this.write(data)));
    }
    this.log.info(CATEGORY, 'pane.started', {
      ...this.context(),
      pid: this.pid,
      command: options.command,
      args: options.args ?? [],
      cwd: options.cwd,
      cols,
      rows,
    });
  }

  /** The exit code once the process has exited and its last output is on the screen. */
  get exitCode(): number | undefined {
    return this.exitInfo?.exitCode;
  }

  get exit(): PtyExit | undefined {
    return this.exitInfo;
  }

  get exited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** Resolves when the process has exited, also for callers that arrive after the exit event. */
  whenExited(): Promise<PtyExit> {
    return this.exitPromise;
  }

  onData(listener: (data: string) => void): Disposable {
    return this.dataEmitter.event(listener);
  }

  /** Fired once, after the process's last output has been parsed into the screen. */
  onExit(listener: (exit: PtyExit) => void): Disposable {
    return this.exitEmitter.event(listener);
  }

  onTitle(listener: (title: string) => void): Disposable {
    return this.screen.onTitle(listener);
  }

  /** Raw keystrokes (a person typing in the VS Code terminal): straight through, no pacing, no waiting. */
  write(data: string): void {
    if (this.processGone || this.disposed) return;
    try {
      this.process.write(data);
    } catch (error) {
      // A process that is exiting closes its terminal before node-pty reports the exit.
      this.log.debug(CATEGORY, 'pane.write.failed', { ...this.context(), error: describeError(error) });
    }
  }

  /**
   * Types a message for the agent, paced for it, after earlier messages and (by default) once it is ready.
   * Resolves true when written, false when the pane exited or was disposed first. Never rejects.
   */
  send(text: string, options: PaneSendOptions): Promise<boolean> {
    if (this.processGone || this.disposed) return Promise.resolve(false);
    const sendOptions: SendOptions = { submit: options.submit, whenReady: options.whenReady ?? true };
    return this.pacer.send(text, sendOptions);
  }

  /** Messages waiting for the agent to become ready, or being typed. */
  get pendingInput(): number {
    return this.pacer.pending;
  }

  setReadiness(isReady: () => boolean): void {
    this.pacer.setReadiness(isReady);
  }

  /** Tells the pane its agent may have become ready: queued messages are typed if `isReady()` agrees. */
  notifyReady(): void {
    this.pacer.notifyReady();
  }

  resize(cols: number, rows: number): void {
    if (this.disposed) return;
    this.screen.resize(cols, rows);
    if (this.processGone) return;
    try {
      this.process.resize(cols, rows);
    } catch (error) {
      this.log.debug(CATEGORY, 'pane.resize.failed', { ...this.context(), error: describeError(error) });
    }
  }

  kill(signal?: string): void {
    if (this.processGone) return;
    try {
      this.process.kill(signal);
    } catch (error) {
      this.log.warn(CATEGORY, 'pane.kill.failed', { ...this.context(), signal, error: describeError(error) });
    }
  }

  snapshot(): ScreenSnapshot {
    return this.screen.snapshot();
  }

  /** Resolves once every byte received so far is on the screen. */
  whenParsed(): Promise<void> {
    return this.screen.whenParsed();
  }

  /**
   * Ends the pane: kills a process still running, drops queued input, and resolves once the transcript is
   * flushed and closed.
   */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.kill();
    this.disposed = true;
    this.pacer.dispose();
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
    this.dataEmitter.dispose();
    this.exitEmitter.dispose();
    this.screen.dispose();
    await this.transcript?.close();
  }

  private handleData(data: string): void {
    if (this.disposed) return;
    this.screen.write(data);
    this.transcript?.append(data);
    this.dataEmitter.fire(data);
  }

  private async handleExit(exit: PtyExit): Promise<void> {
    this.processGone = true;
    this.pacer.cancel();
    await this.screen.whenParsed();
    this.exitInfo = { exitCode: exit.exitCode, ...(exit.signal ? { signal: exit.signal } : {}) };
    this.log.info(CATEGORY, 'pane.exited', {
      ...this.context(),
      pid: this.pid,
      exitCode: exit.exitCode,
      signal: exit.signal,
      durationMs: Date.now() - this.startedAt,
    });
    this.resolveExit(this.exitInfo);
    this.exitEmitter.fire(this.exitInfo);
  }

  private context(): Record<string, unknown> {
    return {
      pane: this.id,
      agent: this.agent,
      ...(this.branch === undefined ? {} : { branch: this.branch }),
    };
  }
}

export function createPane(options: PaneOptions): Pane {
  return new Pane(options);
}
