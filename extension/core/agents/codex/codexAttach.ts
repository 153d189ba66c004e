import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { describeError, isFleetError, ErrorCode } from '../../errors';
import type { Logger } from '../../observability/appLog';
import { Emitter, type Disposable } from '../../panes/events';
import type { Candidate, StateTracker } from '../../panes/stateTracker';
import type { ApprovalChannel, ApprovalDecision } from '../../panes/types';
import { fleetVersion } from '../../version';
import {
  AppServerClient,
  type AppServerNotification,
  type AppServerRequest,
  type RequestId,
} from './appServerClient';
import {
  InitializeResult,
  LoadedListResult,
  ServerRequestResolvedParams,
  ThreadIdParams,
  ThreadResult,
  ThreadStartedParams,
  ThreadStatusChangedParams,
  type ThreadSummary,
} from './appServerProtocol';
import { codexLaunch } from './codexCommandLine';

export { codexHomeFor } from './codexCommandLine';
import {
  mapApprovalRequest,
  mapNotification,
  mapStatus,
  protocolDecision,
  type Mapped,
} from './protocolMapping';

/**
 * Ties a Codex pane to Codex's own protocol: the interactive TUI is a client of a shared app-server daemon
 * (`$CODEX_HOME/app-server-control/app-server-control.sock`), and FleetAI joins it as a second client. It finds
 * the TUI's thread (by folder, the newest), subscribes to it, turns its events into pane states through
 * `tracker.report` (which outranks the screen for a moment), and answers its approval requests. When the
 * daemon is not there (Codex started with `-c`, `--no-daemon`...) the pane stays screen-only, said once in
 * the log; when the connection drops while the pane lives, it reconnects with backoff.
 */

export interface CodexAttachOptions {
  /** `$CODEX_HOME` of the pane (see `codexHomeFor`). */
  codexHome: string;
  /** The pane's folder (the thread's cwd, unless `-C` says otherwise). */
  cwd: string;
  /** Codex's command-line arguments: `-c`, `--no-daemon`, `--remote`, `-C` change what there is to attach to. */
  args?: readonly string[];
  log: Logger;
  /** How long the socket may take to appear before the log says the protocol is unavailable. Default 60 s. */
  socketWaitMs?: number;
  /**
   * After the socket appears, how long to let the TUI initialize first: the first client to initialize names
   * the daemon's `originator` (sent to the model provider), which must stay the TUI's. Default 1500 ms.
   */
  settleMs?: number;
  /** How often to look for the TUI's thread while none is followed. Default 2000 ms. */
  discoveryIntervalMs?: number;
  requestTimeoutMs?: number;
  /** How long an answer waits for the daemon's serverRequest/resolved. Default 5000 ms. */
  answerTimeoutMs?: number;
}

export type CodexAttachStatus =
  | { state: 'waiting' }
  | { state: 'connected'; socket: string }
  | { state: 'attached'; socket: string; threadId: string }
  | { state: 'disconnected'; reason: string }
  | { state: 'unavailable'; reason: string }
  | { state: 'closed' };

export interface CodexAttachment extends Disposable {
  readonly approvalChannel: ApprovalChannel;
  readonly status: CodexAttachStatus;
  /** The thread followed, once found. */
  readonly threadId: string | undefined;
  onStatus(listener: (status: CodexAttachStatus) => void): Disposable;
}

/** What the attachment needs of a supervised pane. */
export interface AttachablePane {
  readonly id: string;
  readonly tracker: Pick<StateTracker, 'report' | 'progress' | 'state'>;
  readonly pane: {
    whenExited(): Promise<unknown>;
    snapshot(): { lines: string[] };
    onData(listener: (data: string) => void): Disposable;
    whenParsed(): Promise<void>;
  };
}

const CATEGORY = 'codex';
const CLIENT_INFO = { name: 'fleetai', title: 'FleetAI', version: fleetVersion };
const INITIAL_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 10_000;
/** A thread counts as this pane's when it was created or used since shortly before the attach began. */
const FRESH_SLACK_S = 10;
/** A waitingOnApproval status is normally followed by its request within milliseconds. */
const APPROVAL_DETAILS_WAIT_MS = 500;
/** How long a protocol approval waits for the TUI to draw its prompt before it is reported anyway. */
const APPROVAL_DRAW_WAIT_MS = 1500;
/** The TUI's approval overlay (its question, or its footer), as Codex 0.169.0 draws it. */
const APPROVAL_DRAWN = /Would you like to (run|make|grant|send)\b|Press enter to confirm or esc to cancel/;
/** Failed reconnections (0.5 + 1 + 2 s apart) before a lost daemon counts as gone rather than restarting. */
const DAEMON_GONE_AFTER_FAILURES = 3;
/** The screen keeps looking idle while the TUI waits for its daemon: the error holds until the daemon is back. */
const DAEMON_GONE_HOLD_MS = 24 * 60 * 60 * 1000;

/** Threads followed by some pane of this process: two Codex panes in one folder must not follow the same. */
const followed = new Map<string, CodexAppServerAttachment>();

/** Starts attaching in the background; the returned attachment is what `SupervisedPane.attach` takes. */
export function attachCodexAppServer(pane: AttachablePane, options: CodexAttachOptions): CodexAttachment {
  return new CodexAppServerAttachment(pane, options);
}

interface PendingApproval {
  id: RequestId;
  method: string;
  candidate: Candidate;
}

class CodexAppServerAttachment implements CodexAttachment {
  readonly approvalChannel: ApprovalChannel = {
    name: 'codex-app-server',
    answer: (decision, message) => this.answer(decision, message),
  };
  private statusValue: CodexAttachStatus = { state: 'waiting' };
  private readonly statusEmitter = new Emitter<CodexAttachStatus>();
  private client: AppServerClient | undefined;
  private followedThread: string | undefined;
  private subscribed = false;
  private subscribing = false;
  private discovering = false;
  private rediscover = false;
  private readonly pending: PendingApproval[] = [];
  private readonly resolvedWaiters = new Map<string, (resolved: boolean) => void>();
  /** Threads that can never be this pane's (ephemeral, sub-agents, other folders). */
  private readonly ignoredThreads = new Set<string>();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private approvalDetailsTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private wake: (() => void) | undefined;
  private readonly startedAtS = Math.floor(Date.now() / 1000);
  private cwd: string;
  private realCwd: string | undefined;

  constructor(
    private readonly sp: AttachablePane,
    private readonly options: CodexAttachOptions,
  ) {
    this.cwd = path.resolve(options.cwd);
    void sp.pane.whenExited().then(() => this.stop());
    void this.run().catch((error: unknown) =>
      this.log('error', 'codex.attach.failed', { error: describeError(error) }),
    );
  }

  get status(): CodexAttachStatus {
    return this.statusValue;
  }

  get threadId(): string | undefined {
    return this.followedThread;
  }

  onStatus(listener: (status: CodexAttachStatus) => void): Disposable {
    return this.statusEmitter.event(listener);
  }

  dispose(): void {
    this.stop();
  }

  // -- connection ------------------------------------------------------------------------------------------

  private async run(): Promise<void> {
    const launch = codexLaunch(this.options.args ?? [], this.cwd, this.options.codexHome);
    if (!launch.daemon) return this.unavailable(launch.reason, 'info');
    this.cwd = launch.cwd;
    this.realCwd = await fs.realpath(this.cwd).catch(() => undefined);
    const link = launch.socketPath;
    const waitMs = this.options.socketWaitMs ?? 60_000;
    const waitStart = Date.now();
    let waited = false;
    let unavailable = false;
    let backoff = INITIAL_BACKOFF_MS;
    let failures = 0;
    /** A connection was lost and not yet made again: the daemon may be gone while the TUI still runs. */
    let lost = false;
    while (!this.stopped) {
      const target = await socketTarget(link);
      if (!target) {
        if (!unavailable && Date.now() - waitStart >= waitMs) {
          unavailable = true;
          this.unavailable(`no app-server socket at ${link} after ${Math.round(waitMs / 1000)} s`, 'warn');
        }
        waited = true;
        await this.sleep(unavailable ? 2000 : 250);
        continue;
      }
      // A daemon that was already running when the pane started has had its first client. Any other may be new
      // (just started, or restarted after a lost connection): its first client must be the TUI.
      if (waited) await this.sleep(this.options.settleMs ?? 1500);
      waited = true;
      if (this.stopped) break;
      try {
        await this.session(link, target);
        backoff = INITIAL_BACKOFF_MS;
        failures = 0;
        lost = true;
      } catch (error) {
        // The link can outlive its daemon for a moment (a restart): say so once per streak, then keep trying.
        if (failures++ === 0) {
          this.log('info', 'codex.attach.connect.failed', {
            socket: link,
            code: isFleetError(error) ? error.code : undefined,
            error: describeError(error),
          });
        }
        if (lost && failures === DAEMON_GONE_AFTER_FAILURES) this.daemonGone(link, error);
      }
      if (this.stopped) break;
      await this.sleep(backoff);
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }

  /** One connection, from connect to close. Rejects only when it could not connect and initialize. */
  private async session(link: string, target: string): Promise<void> {
    const client = await AppServerClient.connect({
      socketPath: target,
      ...(this.options.requestTimeoutMs ? { requestTimeoutMs: this.options.requestTimeoutMs } : {}),
    });
    if (this.stopped) return void (await client.close());
    const closed = new Promise<{ reason: string }>((resolve) => client.onClose(resolve));
    let reportedProtocolError = false;
    client.onProtocolError((error) => {
      if (reportedProtocolError) return;
      reportedProtocolError = true;
      this.log('warn', 'codex.attach.protocol', { code: error.code, error: error.message });
    });
    client.onNotification((n) => this.onNotification(n));
    client.onServerRequest((r) => this.onServerRequest(r));
    try {
      const init = InitializeResult.parse(
        await client.request('initialize', {
          clientInfo: CLIENT_INFO,
          capabilities: { experimentalApi: false, requestAttestation: false },
        }),
      );
      client.notify('initialized');
      this.client = client;
      if (init.userAgent.startsWith(`${CLIENT_INFO.name}/`)) {
        // The daemon takes its originator from the first client that initializes; it was not the TUI.
        this.log('warn', 'codex.attach.originator', { userAgent: init.userAgent });
      }
      this.log('info', 'codex.attach.connected', { socket: link, target, userAgent: init.userAgent });
      this.setStatus({ state: 'connected', socket: link });
    } catch (error) {
      await client.close();
      throw error;
    }
    const poll = setInterval(() => void this.tick(), this.options.discoveryIntervalMs ?? 2000);
    void this.tick();
    const { reason } = await closed;
    clearInterval(poll);
    this.client = undefined;
    this.subscribed = false;
    this.clearPending();
    if (!this.stopped) {
      this.log('info', 'codex.attach.disconnected', { socket: link, reason });
      this.setStatus({ state: 'disconnected', reason: reason || 'connection closed' });
    }
  }

  /** Finds the thread while there is none, and subscribes to it while that has not worked yet. */
  private async tick(): Promise<void> {
    if (this.stopped || !this.client) return;
    if (!this.followedThread) await this.discover();
    else if (!this.subscribed) await this.subscribe();
  }

  // -- the TUI's thread ------------------------------------------------------------------------------------

  private async discover(): Promise<void> {
    const client = this.client;
    if (!client || this.discovering) {
      this.rediscover = this.discovering;
      return;
    }
    this.discovering = true;
    try {
      const ids: string[] = [];
      let cursor: string | null | undefined;
      for (let page = 0; page < 20; page++) {
        const list = LoadedListResult.parse(
          await client.request('thread/loaded/list', cursor ? { cursor } : {}),
        );
        ids.push(...list.data);
        cursor = list.nextCursor;
        if (!cursor) break;
      }
      let best: ThreadSummary | undefined;
      for (const id of ids) {
        if (this.ignoredThreads.has(id) || followed.has(id)) continue;
        const { thread } = ThreadResult.parse(await client.request('thread/read', { threadId: id }));
        if (!(await this.couldBeOurs(thread))) {
          this.ignoredThreads.add(id);
          continue;
        }
        if (!this.isFresh(thread)) continue;
        if (!best || (thread.createdAt ?? 0) > (best.createdAt ?? 0)) best = thread;
      }
      if (best && !this.followedThread && !this.stopped) this.follow(best);
    } catch (error) {
      if (!client.closed) this.log('debug', 'codex.attach.discover.failed', { error: describeError(error) });
    } finally {
      this.discovering = false;
    }
    if (this.rediscover && !this.followedThread) {
      this.rediscover = false;
      void this.discover();
    }
  }

  /** The TUI's main thread: not a side thread (title), not a sub-agent, in the pane's folder. */
  private async couldBeOurs(thread: ThreadSummary): Promise<boolean> {
    if (thread.ephemeral || thread.parentThreadId) return false;
    if (path.resolve(thread.cwd) === this.cwd) return true;
    const real = await fs.realpath(thread.cwd).catch(() => undefined);
    return real !== undefined && real === this.realCwd;
  }

  private isFresh(thread: ThreadSummary): boolean {
    const last = Math.max(thread.createdAt ?? 0, thread.updatedAt ?? 0, thread.recencyAt ?? 0);
    return last >= this.startedAtS - FRESH_SLACK_S;
  }

  private follow(thread: ThreadSummary): void {
    this.release();
    this.followedThread = thread.id;
    followed.set(thread.id, this);
    this.subscribed = false;
    this.log('info', 'codex.attach.thread', { threadId: thread.id, cwd: thread.cwd });
    void this.subscribe();
  }

  private release(): void {
    if (this.followedThread && followed.get(this.followedThread) === this)
      followed.delete(this.followedThread);
    this.followedThread = undefined;
    this.subscribed = false;
    this.clearPending();
  }

  /**
   * thread/resume on the followed thread: from then on its turn and item events and approval requests reach
   * FleetAI too, and a pending approval is sent again. Codex 0.169 refuses it ("no rollout found") until the
   * thread's first message; it is tried again on the thread's next status change and at each tick.
   */
  private async subscribe(): Promise<void> {
    const client = this.client;
    const threadId = this.followedThread;
    if (!client || !threadId || this.subscribed || this.subscribing) return;
    this.subscribing = true;
    try {
      const { thread } = ThreadResult.parse(
        await client.request('thread/resume', { threadId, excludeTurns: true }),
      );
      if (this.followedThread !== threadId) return;
      this.subscribed = true;
      this.log('info', 'codex.attach.subscribed', { threadId, status: thread.status?.type });
      this.setStatus({ state: 'attached', socket: client.socketPath, threadId });
      // No turn/started comes for a turn already running, nor turn/completed for one that ended while FleetAI was
      // away: the status is all there is. Idle when first subscribing is what the screen already says.
      if (thread.status?.type === 'active' || (thread.status && this.sp.tracker.state.name === 'error')) {
        this.apply(mapStatus(thread.status, { subscribed: false }, 'app-server thread/resume'));
      }
    } catch (error) {
      if (client.closed || this.followedThread !== threadId) return;
      if (
        isFleetError(error) &&
        error.code === ErrorCode.CodexAppServerRpc &&
        /no rollout/i.test(error.message)
      ) {
        this.log('debug', 'codex.attach.subscribe.deferred', { threadId, error: error.message });
      } else {
        this.log('warn', 'codex.attach.subscribe.failed', { threadId, error: describeError(error) });
        this.release();
        this.setStatus({ state: 'connected', socket: client.socketPath });
      }
    } finally {
      this.subscribing = false;
    }
  }

  // -- events ----------------------------------------------------------------------------------------------

  private onNotification(notification: AppServerNotification): void {
    if (this.stopped) return;
    const { method, params } = notification;
    if (method === 'thread/started') {
      const p = ThreadStartedParams.safeParse(params);
      if (p.success) void this.onThreadStarted(p.data.thread);
      return;
    }
    const about = ThreadIdParams.safeParse(params);
    if (!about.success) return;
    const threadId = about.data.threadId;
    if (threadId !== this.followedThread) {
      // Any thread becoming active may be the TUI's first message: look again now rather than at the next tick.
      if (!this.followedThread && method === 'thread/status/changed') void this.discover();
      return;
    }
    if (method === 'thread/closed') return this.lost('thread/closed');
    if (method === 'thread/status/changed') {
      const status = ThreadStatusChangedParams.safeParse(params);
      if (status.success && status.data.status.type === 'notLoaded')
        return this.lost('thread/status/changed notLoaded');
      if (!this.subscribed) void this.subscribe();
    }
    if (method === 'serverRequest/resolved') return this.onResolved(notification);
    this.apply(mapNotification(notification, { subscribed: this.subscribed }));
  }

  /** A new thread in the pane's folder: the TUI's first thread, or a new one after `/new`. */
  private async onThreadStarted(thread: ThreadSummary): Promise<void> {
    if (thread.id === this.followedThread || followed.has(thread.id)) return;
    if (!(await this.couldBeOurs(thread))) {
      this.ignoredThreads.add(thread.id);
      return;
    }
    if (this.stopped || followed.has(thread.id)) return;
    if (this.followedThread) this.log('info', 'codex.attach.thread.switched', { from: this.followedThread });
    this.follow(thread);
  }

  private lost(why: string): void {
    this.log('info', 'codex.attach.thread.lost', { threadId: this.followedThread, why });
    this.release();
    if (this.client) this.setStatus({ state: 'connected', socket: this.client.socketPath });
    void this.discover();
  }

  private onServerRequest(request: AppServerRequest): void {
    if (this.stopped) return;
    const approval = mapApprovalRequest(request);
    // Anything else (and anything for another thread) is the TUI's to answer: no reply, not even an error.
    if (!approval || approval.threadId !== this.followedThread) return;
    if (this.pending.some((p) => String(p.id) === String(request.id))) return;
    this.pending.push({ id: request.id, method: request.method, candidate: approval.candidate });
    this.cancelApprovalDetailsWait();
    if (this.pending.length === 1) this.reportApprovalWhenDrawn();
  }

  /**
   * The daemon sends a request a moment before the TUI draws it, and keys typed before that are lost: whoever
   * reads `awaiting_approval` may answer with keys (`fleet watch` users, the key fallback), so the request is
   * reported once the prompt is on the screen, or after APPROVAL_DRAW_WAIT_MS whatever the screen shows.
   */
  private reportApprovalWhenDrawn(): void {
    const first = this.pending[0];
    if (!first) return;
    const pane = this.sp.pane;
    const tracker = this.sp.tracker;
    if (tracker.state.name !== 'awaiting_approval') {
      // Meanwhile the screen may not report the prompt itself: the tracker would then keep the screen's reading
      // (no channel id) and take the request for the same state. The turn is running: that is all it says.
      tracker.report(
        { name: 'working', reason: `app-server ${first.method} (the TUI is drawing it)`, evidence: [] },
        { holdMs: APPROVAL_DRAW_WAIT_MS + 500 },
      );
    }
    const drawn = (): boolean => pane.snapshot().lines.some((line) => APPROVAL_DRAWN.test(line));
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      subscription.dispose();
      clearTimeout(timer);
      this.timers.delete(timer);
      if (!this.stopped && this.pending[0] === first) this.sp.tracker.report(first.candidate);
    };
    const subscription = pane.onData(() => void pane.whenParsed().then(() => drawn() && finish()));
    const timer = setTimeout(finish, APPROVAL_DRAW_WAIT_MS);
    this.timers.add(timer);
    void pane.whenParsed().then(() => drawn() && finish());
  }

  private onResolved(notification: AppServerNotification): void {
    const p = ServerRequestResolvedParams.safeParse(notification.params);
    if (!p.success) return;
    const key = String(p.data.requestId);
    const index = this.pending.findIndex((pending) => String(pending.id) === key);
    this.resolvedWaiters.get(key)?.(true);
    if (index < 0) return;
    this.pending.splice(index, 1);
    if (this.pending.length > 0) this.reportApprovalWhenDrawn();
    else this.apply(mapNotification(notification, { subscribed: this.subscribed }));
  }

  private apply(mapped: Mapped): void {
    if (!mapped || this.stopped) return;
    const tracker = this.sp.tracker;
    if (mapped.kind === 'progress') {
      // Activity after a stall is the agent working again; otherwise it only keeps the stall timer back.
      if (tracker.state.name === 'stalled') {
        tracker.report({ name: 'working', reason: 'app-server activity after a stall', evidence: [] });
      } else tracker.progress();
      return;
    }
    const candidate = mapped.candidate;
    if (candidate.name === 'awaiting_approval' && this.pending.length > 0) {
      // The request itself, with its command and channel id, is what the pane shows.
      const first = this.pending[0];
      if (first) tracker.report(first.candidate);
      return;
    }
    if (mapped.defer && this.subscribed) {
      this.cancelApprovalDetailsWait();
      this.approvalDetailsTimer = setTimeout(() => {
        this.approvalDetailsTimer = undefined;
        if (!this.stopped && this.pending.length === 0) tracker.report(candidate);
      }, APPROVAL_DETAILS_WAIT_MS);
      return;
    }
    if (candidate.name !== 'awaiting_approval') this.cancelApprovalDetailsWait();
    tracker.report(candidate);
  }

  /**
   * Measured on 0.169: when its daemon dies, the TUI shows "Reconnecting to server…" and does nothing else (it
   * does not start another daemon), while its screen still looks like it waits for input. That is an error
   * until the daemon is back: held until then (the next subscription reports the thread's own status).
   */
  private daemonGone(link: string, error: unknown): void {
    if (this.stopped) return;
    this.log('warn', 'codex.attach.daemon.gone', { socket: link, error: describeError(error) });
    this.sp.tracker.report(
      {
        name: 'error',
        reason: "app-server daemon unreachable: Codex's TUI cannot work until it is back",
        evidence: [describeError(error)],
        error: {
          class: 'server',
          retrying: true,
          message: `Codex's app-server daemon does not answer at ${link}`,
        },
      },
      { holdMs: DAEMON_GONE_HOLD_MS },
    );
  }

  // -- answering -------------------------------------------------------------------------------------------

  /**
   * Answers the oldest pending approval request; true once the daemon says it is resolved. The protocol's answer
   * is only a decision: a denial's `message` cannot travel with it and is left to the caller (to type once Codex
   * waits for input again).
   */
  private async answer(decision: ApprovalDecision, _message?: string): Promise<boolean> {
    const first = this.pending[0];
    const client = this.client;
    if (!first || !client || client.closed) return false;
    const key = String(first.id);
    const timeoutMs = this.options.answerTimeoutMs ?? 5000;
    const resolved = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (value: boolean): void => {
        clearTimeout(timer);
        if (this.resolvedWaiters.get(key) === done) this.resolvedWaiters.delete(key);
        resolve(value);
      };
      this.resolvedWaiters.set(key, done);
    });
    const sent = protocolDecision(decision);
    if (!client.respond(first.id, { decision: sent })) {
      this.resolvedWaiters.get(key)?.(false);
      return false;
    }
    this.log('info', 'codex.approval.answered', {
      threadId: this.followedThread,
      requestId: key,
      decision: sent,
    });
    const ok = await resolved;
    if (!ok) this.log('warn', 'codex.approval.unconfirmed', { requestId: key, decision: sent, timeoutMs });
    return ok;
  }

  private clearPending(): void {
    this.pending.length = 0;
    this.cancelApprovalDetailsWait();
    for (const waiter of [...this.resolvedWaiters.values()]) waiter(false);
  }

  private cancelApprovalDetailsWait(): void {
    if (this.approvalDetailsTimer) clearTimeout(this.approvalDetailsTimer);
    this.approvalDetailsTimer = undefined;
  }

  // -- lifecycle -------------------------------------------------------------------------------------------

  private unavailable(reason: string, level: 'info' | 'warn'): void {
    this.log(level, 'codex.attach.unavailable', { reason, cwd: this.cwd, codexHome: this.options.codexHome });
    this.setStatus({ state: 'unavailable', reason });
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.wake?.();
    this.release();
    const client = this.client;
    this.client = undefined;
    void client?.close();
    this.setStatus({ state: 'closed' });
    this.statusEmitter.dispose();
  }

  /** Waits, or less when the attachment stops. */
  private sleep(ms: number): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.wake = undefined;
        resolve();
      }, ms);
      this.timers.add(timer);
      this.wake = () => {
        clearTimeout(timer);
        this.timers.delete(timer);
        resolve();
      };
    });
  }

  private setStatus(status: CodexAttachStatus): void {
    this.statusValue = status;
    this.statusEmitter.fire(status);
  }

  private log(
    level: 'debug' | 'info' | 'warn' | 'error',
    event: string,
    context: Record<string, unknown>,
  ): void {
    this.options.log.log(level, CATEGORY, event, { pane: this.sp.id, ...context });
  }
}

/**
 * The daemon's real socket behind the link, or undefined while there is none. Connecting to the target, not the
 * link, matters: the link's own path (under CODEX_HOME) can be longer than a unix socket address may be.
 */
async function socketTarget(link: string): Promise<string | undefined> {
  try {
    const target = await fs.realpath(link);
    return (await fs.stat(target)).isSocket() ? target : undefined;
  } catch {
    return undefined;
  }
}
