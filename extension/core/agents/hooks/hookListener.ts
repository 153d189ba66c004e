import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { promises as fs, realpathSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { ErrorCode, FleetError, describeError } from '../../errors';
import type { Logger } from '../../observability/appLog';
import type { Disposable } from '../../panes/events';
import type { Candidate } from '../../panes/stateTracker';
import type { ApprovalOption, PaneState } from '../../panes/types';
import { formatIssues } from '../../schemas/issues';
import { mapHookPayload, type HookOutcome } from './hookEvents';
import { HookWireMessage, parseHookPayload, type HookPayload } from './hookPayloads';
import {
  HOOK_MAX_MESSAGE_BYTES,
  HOOK_PANE_ENV,
  HOOK_SOCKET_ENV,
  HOOK_TOKEN_ENV,
  type HookWireReply,
} from './hookWire';

const CATEGORY = 'hooks';
/** A hook client that neither finishes its message nor closes is dropped after this long. */
const CONNECTION_TIMEOUT_MS = 5000;

/** The part of a pane's state tracker that hooks drive. */
export interface HookTarget {
  readonly state: PaneState;
  report(candidate: Candidate, options?: { holdMs?: number }): void;
  progress(): void;
}

export interface HookPaneRegistration {
  id: string;
  /** The agent kind, for the log. */
  agent: string;
  /** Where the agent runs: Codex's notify says it, and is routed by it (see `route`). */
  cwd: string;
  target: HookTarget;
  /** The profile's keys for the agent's approval prompt. */
  approvalOptions: ApprovalOption[];
}

interface RegisteredPane extends HookPaneRegistration {
  realCwd: string;
  pendingTool?: string;
}

function realPath(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    return path.resolve(dir);
  }
}

class HookRefusal extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One per FleetAI process: a unix domain socket in a private temporary folder (a named pipe on Windows) where
 * the agents' hook processes (`fleet hook`) deliver their events, one JSON message per connection. Every message
 * must carry its pane's token, which only that pane's environment holds (`FLEETAI_HOOK_TOKEN`); messages are
 * validated, routed to the pane's state tracker, and answered with `{ok}`. A bad message is refused with a code
 * and logged (never its token); nothing a client sends can throw out of the listener.
 */
export class HookListener implements Disposable {
  private readonly panes = new Map<string, RegisteredPane>();
  private readonly sockets = new Set<net.Socket>();
  private closed = false;

  private constructor(
    private readonly server: net.Server,
    /** The socket path or pipe name, for `FLEETAI_HOOK_SOCKET`. */
    readonly address: string,
    /** A folder only this user can read, removed on close: the socket and the agents' hook settings live here. */
    readonly dir: string,
    private readonly secret: Buffer,
    private readonly log: Logger,
  ) {}

  static async start(options: { log: Logger }): Promise<HookListener> {
    // mkdtemp makes the folder 0700: no other user can reach the socket inside.
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'fleetai-hooks-'));
    const secret = randomBytes(32);
    const address =
      process.platform === 'win32'
        ? `\\\\.\\pipe\\fleetai-hooks-${process.pid}-${randomBytes(8).toString('hex')}`
        : path.join(dir, 'hooks.sock');
    const server = net.createServer((socket) => listener.accept(socket));
    const listener = new HookListener(server, address, dir, secret, options.log);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(address, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      await fs.rm(dir, { recursive: true, force: true });
      throw new FleetError(
        ErrorCode.HookListen,
        `Cannot listen for agent hooks on ${address}: ${describeError(error)}`,
        {
          address,
        },
      );
    }
    server.on('error', (error) =>
      options.log.error(CATEGORY, 'hook.listener.error', { error: describeError(error) }),
    );
    // Hooks must not keep a CLI alive once its agent is gone.
    server.unref();
    options.log.info(CATEGORY, 'hook.listening', { address });
    return listener;
  }

  /** The pane's token: derived from this process's secret, so one pane's token does not speak for another. */
  tokenFor(paneId: string): string {
    return createHmac('sha256', this.secret).update(paneId).digest('hex');
  }

  /** The variables the pane's agent (and so its hook processes) must have. */
  envFor(paneId: string): Record<string, string> {
    return {
      [HOOK_SOCKET_ENV]: this.address,
      [HOOK_TOKEN_ENV]: this.tokenFor(paneId),
      [HOOK_PANE_ENV]: paneId,
    };
  }

  /** Routes the pane's hook events to its tracker until disposed (attach it to the supervised pane). */
  register(registration: HookPaneRegistration): Disposable {
    const entry: RegisteredPane = { ...registration, realCwd: realPath(registration.cwd) };
    this.panes.set(registration.id, entry);
    return {
      dispose: () => {
        if (this.panes.get(registration.id) === entry) this.panes.delete(registration.id);
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.panes.clear();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await fs.rm(this.dir, { recursive: true, force: true });
  }

  dispose(): void {
    void this.close();
  }

  private accept(socket: net.Socket): void {
    this.sockets.add(socket);
    const chunks: Buffer[] = [];
    let size = 0;
    let answered = false;
    const answer = (reply: HookWireReply): void => {
      if (answered) return;
      answered = true;
      socket.end(`${JSON.stringify(reply)}\n`);
    };
    const finish = (): void => {
      if (answered) return;
      answer(this.handle(Buffer.concat(chunks).toString('utf8')));
    };
    socket.setTimeout(CONNECTION_TIMEOUT_MS, () => socket.destroy());
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('data', (chunk: Buffer) => {
      if (answered) return;
      size += chunk.length;
      if (size > HOOK_MAX_MESSAGE_BYTES) {
        this.log.warn(CATEGORY, 'hook.invalid', {
          code: ErrorCode.HookMessage,
          message: 'message too large',
        });
        answer({
          ok: false,
          error: {
            code: ErrorCode.HookMessage,
            message: `message larger than ${HOOK_MAX_MESSAGE_BYTES} bytes`,
          },
        });
        return;
      }
      const newline = chunk.indexOf(0x0a);
      if (newline >= 0) {
        chunks.push(chunk.subarray(0, newline));
        finish();
      } else chunks.push(chunk);
    });
    socket.on('end', finish);
  }

  /** Validates, authenticates and applies one message. Never throws. */
  private handle(text: string): HookWireReply {
    let paneId: string | undefined;
    try {
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (error) {
        throw new HookRefusal(ErrorCode.HookMessage, `not JSON: ${describeError(error)}`);
      }
      const envelope = HookWireMessage.safeParse(raw);
      if (!envelope.success) {
        const claimed = (raw as { pane?: unknown } | null)?.pane;
        if (typeof claimed === 'string') paneId = claimed.slice(0, 200);
        throw new HookRefusal(ErrorCode.HookMessage, formatIssues(envelope.error.issues).join('; '));
      }
      const message = envelope.data;
      paneId = message.pane;
      if (!this.tokenMatches(message.pane, message.token)) {
        throw new HookRefusal(ErrorCode.HookToken, `wrong token for pane "${message.pane}"`);
      }
      const parsed = parseHookPayload(message.payload);
      if (!parsed.ok) {
        const issues = parsed.issues.map((issue) => ({ ...issue, path: ['payload', ...issue.path] }));
        throw new HookRefusal(ErrorCode.HookMessage, formatIssues(issues).join('; '));
      }
      const pane = this.route(message.pane, parsed.value);
      const outcome = mapHookPayload(parsed.value, {
        current: pane.target.state,
        pendingTool: pane.pendingTool,
        approvalOptions: pane.approvalOptions,
      });
      this.apply(pane, outcome);
      // Every event, applied or not: the audit trail of what the agent said about itself.
      this.log.info(CATEGORY, 'hook.received', {
        pane: pane.id,
        ...(pane.id !== message.pane ? { claimedPane: message.pane } : {}),
        agent: pane.agent,
        event: eventName(parsed.value),
        outcome: outcome.type,
        ...(outcome.type === 'report' ? { state: outcome.candidate.name } : { why: outcome.why }),
      });
      return { ok: true };
    } catch (error) {
      const code = error instanceof HookRefusal ? error.code : ErrorCode.Internal;
      const message = describeError(error);
      this.log.warn(CATEGORY, code === ErrorCode.HookToken ? 'hook.refused' : 'hook.invalid', {
        ...(paneId !== undefined ? { pane: paneId } : {}),
        code,
        message,
      });
      return { ok: false, error: { code, message } };
    }
  }

  private tokenMatches(paneId: string, token: string): boolean {
    const expected = Buffer.from(this.tokenFor(paneId), 'utf8');
    const given = Buffer.from(token, 'utf8');
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /**
   * The pane the event belongs to. Claude Code runs its hooks itself, with its pane's environment. Codex runs
   * `notify` from its shared app-server daemon, whose environment is that of the pane that started the daemon:
   * every Codex pane of one CODEX_HOME then claims that pane, so a notify goes to the pane whose folder it names.
   */
  private route(claimed: string, payload: HookPayload): RegisteredPane {
    const pane = this.panes.get(claimed);
    if (payload.agent !== 'codex' || payload.notify.cwd === undefined) {
      if (!pane) throw new HookRefusal(ErrorCode.HookPane, `no pane "${claimed}" in this FleetAI process`);
      return pane;
    }
    const cwd = realPath(payload.notify.cwd);
    if (pane?.realCwd === cwd) return pane;
    const codexPanes = [...this.panes.values()].filter((p) => p.agent === 'codex');
    const inFolder = codexPanes.filter((p) => p.realCwd === cwd);
    if (inFolder.length === 1 && inFolder[0]) return inFolder[0];
    if (inFolder.length === 0 && pane && codexPanes.length === 1) return pane;
    throw new HookRefusal(
      ErrorCode.HookPane,
      inFolder.length > 1
        ? `${inFolder.length} Codex panes run in ${cwd}: cannot tell which one notified`
        : `no Codex pane runs in ${cwd}`,
    );
  }

  private apply(pane: RegisteredPane, outcome: HookOutcome): void {
    if (outcome.type === 'ignore') return;
    if ('pendingTool' in outcome) {
      if (outcome.pendingTool === null) delete pane.pendingTool;
      else if (outcome.pendingTool !== undefined) pane.pendingTool = outcome.pendingTool;
    }
    if (outcome.type === 'report') pane.target.report(outcome.candidate);
    else pane.target.progress();
  }
}

function eventName(payload: HookPayload): string {
  return payload.agent === 'codex' ? payload.notify.type : payload.event.hook_event_name;
}
