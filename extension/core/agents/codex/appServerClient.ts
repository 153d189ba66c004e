import * as net from 'node:net';
import type WebSocket from 'ws';
import { z } from 'zod';
import { ErrorCode, FleetError, describeError } from '../../errors';
import { Emitter, type Disposable } from '../../panes/events';

/**
 * A JSON-RPC 2.0 client for Codex's app-server, spoken as WebSocket text frames over a unix socket (the daemon's
 * control socket). Codex omits the `"jsonrpc": "2.0"` member on the wire, and so does this client. Requests carry
 * ids and time out; notifications and the server's own requests are events, and a server request is answered
 * later with `respond`, or never (another client, the TUI, may answer it).
 */

export type RequestId = string | number;

export interface AppServerNotification {
  method: string;
  params: unknown;
}

export interface AppServerRequest {
  id: RequestId;
  method: string;
  params: unknown;
}

export interface AppServerClose {
  code: number;
  reason: string;
}

export interface AppServerClientOptions {
  /** The unix socket to connect to (the daemon's real socket, not a link whose path may be too long). */
  socketPath: string;
  /** Default 5000 ms for the WebSocket handshake. */
  connectTimeoutMs?: number;
  /** Default 10000 ms for each request. */
  requestTimeoutMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** sun_path holds 108 bytes on Linux and 104 on macOS, the terminating NUL included. */
const MAX_SOCKET_PATH_BYTES = process.platform === 'linux' ? 107 : 103;

const RpcError = z.object({ code: z.number(), message: z.string(), data: z.unknown().optional() });
const Incoming = z.object({
  id: z.union([z.string(), z.number()]).optional(),
  method: z.string().optional(),
  params: z.unknown().optional(),
  result: z.unknown().optional(),
  error: RpcError.optional(),
});

interface Pending {
  method: string;
  resolve: (value: unknown) => void;
  reject: (error: FleetError) => void;
  timer: ReturnType<typeof setTimeout>;
}

export class AppServerClient {
  private nextId = 1;
  private readonly pending = new Map<RequestId, Pending>();
  private readonly notificationEmitter = new Emitter<AppServerNotification>();
  private readonly requestEmitter = new Emitter<AppServerRequest>();
  private readonly closeEmitter = new Emitter<AppServerClose>();
  private readonly protocolErrorEmitter = new Emitter<FleetError>();
  private closeInfo: AppServerClose | undefined;
  private lastError: string | undefined;

  private constructor(
    private readonly ws: WebSocket,
    private readonly options: AppServerClientOptions,
  ) {
    ws.on('message', (data, isBinary) => {
      if (isBinary) return this.protocolError('a binary frame');
      const buffer = Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.isBuffer(data)
          ? data
          : Buffer.from(data);
      this.handle(buffer.toString('utf8'));
    });
    ws.on('error', (error) => (this.lastError = describeError(error)));
    ws.on('close', (code, reason) => this.handleClose(code, reason.toString() || this.lastError || ''));
  }

  /**
   * Connects and completes the WebSocket handshake. Rejects with E_CODEX_APP_SERVER_CONNECT naming the socket
   * when it is missing, refuses, or its path is too long for a unix socket address.
   */
  static async connect(options: AppServerClientOptions): Promise<AppServerClient> {
    const socketPath = options.socketPath;
    if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) {
      throw new FleetError(
        ErrorCode.CodexAppServerConnect,
        `Codex's app-server socket path is too long for a unix socket (${Buffer.byteLength(socketPath)} bytes): ${socketPath}`,
        { socket: socketPath },
      );
    }
    // Loaded on first use: nothing pays for ws until a Codex pane is attached.
    const { default: WebSocketClass } = await import('ws');
    // The socket is connected to directly: ws's own `ws+unix:` form does not decode its path, so a folder
    // with a space or a colon in its name could not be reached through it.
    const ws = new WebSocketClass('ws+unix:/app-server-control.sock:/', {
      createConnection: () => net.createConnection({ path: socketPath }),
      handshakeTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      perMessageDeflate: false,
    });
    await new Promise<void>((resolve, reject) => {
      const onOpen = (): void => {
        ws.off('error', onError);
        resolve();
      };
      const onError = (error: Error): void => {
        ws.off('open', onOpen);
        ws.terminate();
        reject(
          new FleetError(
            ErrorCode.CodexAppServerConnect,
            `Cannot connect to Codex's app-server at ${socketPath}: ${error.message}`,
            { socket: socketPath, ...('code' in error ? { cause: String(error.code) } : {}) },
            { cause: error },
          ),
        );
      };
      ws.once('open', onOpen);
      ws.once('error', onError);
    });
    return new AppServerClient(ws, options);
  }

  get socketPath(): string {
    return this.options.socketPath;
  }

  get closed(): boolean {
    return this.closeInfo !== undefined || this.ws.readyState !== this.ws.OPEN;
  }

  /** Notifications from the server (`turn/started`, `thread/status/changed`...). */
  onNotification(listener: (notification: AppServerNotification) => void): Disposable {
    return this.notificationEmitter.event(listener);
  }

  /** Requests from the server (`item/commandExecution/requestApproval`...), to answer with `respond` or not at all. */
  onServerRequest(listener: (request: AppServerRequest) => void): Disposable {
    return this.requestEmitter.event(listener);
  }

  /** Fired once when the connection is gone, whoever closed it. */
  onClose(listener: (close: AppServerClose) => void): Disposable {
    if (this.closeInfo) {
      const info = this.closeInfo;
      queueMicrotask(() => listener(info));
      return { dispose: () => undefined };
    }
    return this.closeEmitter.event(listener);
  }

  /** A message that is not JSON-RPC (E_CODEX_APP_SERVER_PROTOCOL); the connection stays open. */
  onProtocolError(listener: (error: FleetError) => void): Disposable {
    return this.protocolErrorEmitter.event(listener);
  }

  /**
   * Sends a request and resolves with its `result` (unvalidated: callers parse it). Rejects with
   * E_CODEX_APP_SERVER_RPC when the server answers an error, E_CODEX_APP_SERVER_TIMEOUT, or
   * E_CODEX_APP_SERVER_CLOSED when the connection closes first.
   */
  request(method: string, params?: unknown, options: { timeoutMs?: number } = {}): Promise<unknown> {
    if (this.closed) return Promise.reject(this.closedError(method));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new FleetError(
            ErrorCode.CodexAppServerTimeout,
            `Codex's app-server at ${this.socketPath} did not answer ${method} within ${timeoutMs} ms`,
            { socket: this.socketPath, method, timeoutMs },
          ),
        );
      }, timeoutMs);
      this.pending.set(id, { method, resolve, reject, timer });
      if (!this.send({ id, method, ...(params === undefined ? {} : { params }) })) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(this.closedError(method));
      }
    });
  }

  /** A notification to the server (no answer). False when the connection is closed. */
  notify(method: string, params?: unknown): boolean {
    return this.send({ method, ...(params === undefined ? {} : { params }) });
  }

  /** Answers a server request. False when the connection is closed (the answer was not sent). */
  respond(id: RequestId, result: unknown): boolean {
    return this.send({ id, result });
  }

  /** Answers a server request with an error. False when the connection is closed. */
  respondError(id: RequestId, code: number, message: string): boolean {
    return this.send({ id, error: { code, message } });
  }

  /** Closes the connection; resolves once it is closed (at most a second later: then it is cut). */
  close(): Promise<void> {
    if (this.closeInfo) return Promise.resolve();
    return new Promise((resolve) => {
      const cut = setTimeout(() => this.ws.terminate(), 1000);
      this.onClose(() => {
        clearTimeout(cut);
        resolve();
      });
      if (this.ws.readyState === this.ws.CONNECTING || this.ws.readyState === this.ws.OPEN) {
        this.ws.close(1000, 'FleetAI detached');
      } else if (this.ws.readyState === this.ws.CLOSED) {
        this.handleClose(1006, this.lastError ?? '');
      }
    });
  }

  private send(message: Record<string, unknown>): boolean {
    if (this.closed) return false;
    try {
      this.ws.send(JSON.stringify(message));
      return true;
    } catch {
      return false;
    }
  }

  private handle(text: string): void {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return this.protocolError(`text that is not JSON: ${text.slice(0, 120)}`);
    }
    const parsed = Incoming.safeParse(json);
    if (!parsed.success) return this.protocolError(`a message that is not JSON-RPC: ${text.slice(0, 120)}`);
    const message = parsed.data;
    if (message.method !== undefined && message.id !== undefined) {
      this.requestEmitter.fire({ id: message.id, method: message.method, params: message.params });
    } else if (message.method !== undefined) {
      this.notificationEmitter.fire({ method: message.method, params: message.params });
    } else if (message.id !== undefined) {
      const pending = this.pending.get(message.id);
      if (!pending) return;
      this.pending.delete(message.id);
      clearTimeout(pending.timer);
      if (message.error) {
        pending.reject(
          new FleetError(
            ErrorCode.CodexAppServerRpc,
            `Codex's app-server refused ${pending.method}: ${message.error.message} (code ${message.error.code})`,
            { socket: this.socketPath, method: pending.method, rpcCode: message.error.code },
          ),
        );
      } else pending.resolve(message.result);
    } else {
      this.protocolError(`a message with neither id nor method: ${text.slice(0, 120)}`);
    }
  }

  private protocolError(what: string): void {
    this.protocolErrorEmitter.fire(
      new FleetError(
        ErrorCode.CodexAppServerProtocol,
        `Codex's app-server at ${this.socketPath} sent ${what}`,
        {
          socket: this.socketPath,
        },
      ),
    );
  }

  private closedError(method: string): FleetError {
    return new FleetError(
      ErrorCode.CodexAppServerClosed,
      `The connection to Codex's app-server at ${this.socketPath} closed before ${method} was answered` +
        (this.closeInfo?.reason ? ` (${this.closeInfo.reason})` : ''),
      { socket: this.socketPath, method },
    );
  }

  private handleClose(code: number, reason: string): void {
    if (this.closeInfo) return;
    this.closeInfo = { code, reason };
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      this.pending.delete(id);
      pending.reject(this.closedError(pending.method));
    }
    this.closeEmitter.fire(this.closeInfo);
    this.closeEmitter.dispose();
    this.notificationEmitter.dispose();
    this.requestEmitter.dispose();
    this.protocolErrorEmitter.dispose();
  }
}
