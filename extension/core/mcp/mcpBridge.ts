import { performance } from 'node:perf_hooks';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  ErrorCode as RpcErrorCode,
  McpError as RpcError,
  PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema,
  ToolListChangedNotificationSchema,
  type CallToolResult,
  type Prompt,
  type Resource,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { Risk } from '../approvals/risk';
import type { Logger } from '../observability/appLog';
import { fleetVersion } from '../version';
import {
  loadMcpConfig,
  redact,
  resolveSecrets,
  type LoadedMcpConfig,
  type McpServerConfig,
} from './mcpConfig';
import { bilingual, isMcpError, McpError, McpErrorCode } from './mcpErrors';
import { TypedEmitter } from './typedEmitter';

/**
 * One MCP session per server alias, shared by everything in the process (plans, later the agents' tools and the
 * MCP Servers view), connected on first use.
 *
 * States: `idle` (never used), `connecting` (an attempt in flight), `connected`, `reconnecting` (down, the next
 * attempt is scheduled) and `disconnected` (down for good: a configuration error, or the bridge closed). A lost
 * session is retried after 5 s, doubling up to 60 s, each delay shortened by up to 20% at random so that many
 * windows do not hammer a server in step. While a session is down, calls fail at once with
 * E_MCP_DISCONNECTED instead of waiting: a plan node or an agent decides what to do, not a hidden queue. A caller
 * that would rather ride out a restart says so (`waitForConnectionMs`) and waits for `connected` up to that long.
 *
 * `disabled` is a session turned off at run time (`disable`, the MCP Servers view's "Disable for this session"):
 * its process is stopped and calls fail with E_MCP_SERVER_DISABLED until `enable` (back to `idle`, connected on
 * next use). An entry with `disabled: true` in its file never gets a session at all.
 *
 * After every (re)connect the bridge lists the server's tools, and its resources and prompts when the server's
 * capabilities advertise them, and lists again when the server says a list changed.
 */

export type McpServerState =
  'idle' | 'connecting' | 'connected' | 'reconnecting' | 'disconnected' | 'disabled';

/** A resource and a prompt as the server lists them (the SDK's own shapes: FleetAI adds nothing to them yet). */
export type McpResourceInfo = Resource;
export type McpPromptInfo = Prompt;

/** What `reload()` did, alias by alias. */
export interface McpReloadResult {
  added: string[];
  removed: string[];
  /** Entries that differ from before: their session (if any) was closed, and reconnected if it was in use. */
  changed: string[];
  unchanged: string[];
}

/** A tool as the server lists it, plus what FleetAI's config says about it. */
export interface McpToolInfo {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Tool['inputSchema'];
  annotations?: Tool['annotations'];
  /** In the server's `disabledTools`: FleetAI refuses to call it. */
  disabled: boolean;
  /** In the server's `alwaysAllow`: may run without asking a person. */
  alwaysAllow: boolean;
  risk: Risk;
}

/** What the `onToolInvoke` hook (and the `invoke` event) gets for every call; never the arguments or secrets. */
export interface McpInvokeRecord {
  alias: string;
  tool: string;
  durationMs: number;
  /** Length of the result as JSON; 0 when the call failed. */
  resultBytes: number;
  /** The tool answered with `isError: true`. */
  isError: boolean;
  /** The call failed (transport, protocol, timeout): code and redacted message. */
  error?: { code: string; message: string };
}

export interface McpStateEvent {
  alias: string;
  state: McpServerState;
  previous: McpServerState;
  /** Why it went down (redacted). */
  error?: string;
  /** When `reconnecting`: the clock time of the next attempt. */
  nextAttemptAt?: number;
}

export interface McpBridgeEvents extends Record<string, unknown> {
  state: McpStateEvent;
  tools: { alias: string; tools: McpToolInfo[] };
  resources: { alias: string; resources: McpResourceInfo[] };
  prompts: { alias: string; prompts: McpPromptInfo[] };
  invoke: McpInvokeRecord;
  /** The servers files were read again (`reload`). */
  config: McpReloadResult;
}

/** Time as the bridge sees it, so reconnect backoff can be tested without waiting a minute. */
export interface BridgeClock {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: BridgeClock = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    // A pending reconnect must not keep the CLI alive after its work is done.
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export const RECONNECT_BASE_MS = 5_000;
export const RECONNECT_MAX_MS = 60_000;
export const RECONNECT_JITTER = 0.2;
export const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;
export const DEFAULT_CALL_TIMEOUT_MS = 60_000;
/** The SDK's own codes for a request that timed out and a connection that closed under it. */
const RPC_REQUEST_TIMEOUT: number = RpcErrorCode.RequestTimeout;
const RPC_CONNECTION_CLOSED: number = RpcErrorCode.ConnectionClosed;
/** setTimeout's limit: a longer timeout would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/** The wait before reconnect attempt number `failures` (1 = first after the loss). `random` is in [0, 1). */
export function reconnectDelay(
  failures: number,
  random: number,
  baseMs: number = RECONNECT_BASE_MS,
  maxMs: number = RECONNECT_MAX_MS,
): number {
  const full = Math.min(maxMs, baseMs * 2 ** Math.max(0, failures - 1));
  return Math.round(full * (1 - RECONNECT_JITTER * random));
}

/** Risk of a tool from its config label, else its annotations (MCP: a tool that is not read-only is destructive unless it says otherwise). */
export function toolRisk(tool: Tool, server: McpServerConfig): Risk {
  const labelled = server.toolRisk[tool.name];
  if (labelled) return labelled;
  if (tool.annotations?.readOnlyHint === true) return 'low';
  if (tool.annotations?.destructiveHint === false) return 'medium';
  return 'high';
}

export interface McpBridgeOptions {
  /** Folder stdio servers' relative `cwd` is taken from. */
  workspace: string;
  /** Where `${env:NAME}` is looked up; process.env by default. */
  env?: NodeJS.ProcessEnv;
  log?: Logger;
  clock?: BridgeClock;
  /** For the backoff jitter; Math.random by default. */
  random?: () => number;
  /** Called after every tool call (the `invoke` event carries the same record). */
  onToolInvoke?: (record: McpInvokeRecord) => void;
  /** Reconnect backoff: first delay (default 5 s) and cap (default 60 s); shorter only in tests and the bench. */
  reconnect?: { baseMs?: number; maxMs?: number };
  /** FleetAI's shipped servers file, read again (with the workspace's) by `reload`. */
  shippedConfig?: string;
}

/** Argument keys whose values never reach the log, whatever the server calls them. */
const SECRET_ARG = /token|secret|password|passwd|api[-_]?key|authorization|cookie|credential/i;
const LOGGED_ARGS_CHARS = 2_000;

/** A tool call's arguments as the log keeps them: secret-looking keys and configured secrets masked, bounded. */
export function argsForLog(args: Record<string, unknown>, secrets: readonly string[]): string {
  const text = JSON.stringify(args, (key, value: unknown) =>
    key !== '' && SECRET_ARG.test(key) ? '***' : value,
  );
  const masked = redact(text, secrets);
  return masked.length > LOGGED_ARGS_CHARS ? `${masked.slice(0, LOGGED_ARGS_CHARS)}…` : masked;
}

export interface CallToolOptions {
  signal?: AbortSignal;
  /** Default: the server's `callTimeoutMs`, else 60 s. */
  timeoutMs?: number;
  /**
   * When the server is not connected: wait up to this long for it to be (connecting an idle one, riding out a
   * scheduled reconnect), then call. Default 0: fail at once with E_MCP_DISCONNECTED.
   */
  waitForConnectionMs?: number;
}

interface Session {
  alias: string;
  state: McpServerState;
  generation: number;
  client?: Client;
  transport?: Transport;
  tools: McpToolInfo[];
  resources: McpResourceInfo[];
  prompts: McpPromptInfo[];
  /** Turned off at run time (`disable`); the state is `disabled` while set. */
  disabled: boolean;
  connecting?: Promise<void>;
  timer?: unknown;
  failures: number;
  nextAttemptAt?: number;
  lastError?: string;
  secrets: string[];
  /** Last lines a stdio server wrote to stderr: the usual explanation when it dies. */
  stderrTail: string[];
}

const STDERR_LINES = 20;

type ListKind = 'tools' | 'resources' | 'prompts';

/** Every page of a cursor-paged list. A server that pages forever would hang the connect: 1,000 pages at most. */
async function paginate<T>(
  page: (cursor: string | undefined) => Promise<{ items: T[]; nextCursor?: string | undefined }>,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < 1000; n++) {
    const listed = await page(cursor);
    items.push(...listed.items);
    cursor = listed.nextCursor;
    if (cursor === undefined) break;
  }
  return items;
}

export class McpBridge {
  private readonly sessions = new Map<string, Session>();
  private readonly emitter: TypedEmitter<McpBridgeEvents>;
  private readonly clock: BridgeClock;
  private readonly random: () => number;
  private closed = false;
  private configValue: LoadedMcpConfig;

  constructor(
    config: LoadedMcpConfig,
    private readonly options: McpBridgeOptions,
  ) {
    this.configValue = config;
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.emitter = new TypedEmitter((error) =>
      options.log?.warn('mcp', 'listener_failed', {
        error: error instanceof Error ? error.message : String(error),
      }),
    );
    if (options.onToolInvoke) this.emitter.on('invoke', options.onToolInvoke);
  }

  on<K extends keyof McpBridgeEvents>(name: K, listener: (event: McpBridgeEvents[K]) => void): () => void {
    return this.emitter.on(name, listener);
  }

  /** The servers files as last read (at open, or by `reload`). */
  get config(): LoadedMcpConfig {
    return this.configValue;
  }

  /** Configured aliases (usable ones; see `config.broken` for the others). */
  aliases(): string[] {
    return [...this.config.servers.keys()];
  }

  state(alias: string): McpServerState {
    return this.sessions.get(alias)?.state ?? 'idle';
  }

  /** For the MCP Servers view and `fleet doctor`: where each session stands. */
  status(alias: string): {
    state: McpServerState;
    lastError?: string;
    nextAttemptAt?: number;
    pid?: number;
    tools: number;
    resources: number;
    prompts: number;
  } {
    const session = this.sessions.get(alias);
    const pid = session?.transport instanceof StdioClientTransport ? session.transport.pid : null;
    return {
      state: session?.state ?? 'idle',
      ...(session?.lastError === undefined ? {} : { lastError: session.lastError }),
      ...(session?.nextAttemptAt === undefined ? {} : { nextAttemptAt: session.nextAttemptAt }),
      ...(pid === null ? {} : { pid }),
      tools: session?.tools.length ?? 0,
      resources: session?.resources.length ?? 0,
      prompts: session?.prompts.length ?? 0,
    };
  }

  /** Connects now (also cancels a scheduled reconnect and tries at once). Resolves when connected. */
  async connect(alias: string): Promise<void> {
    const server = this.serverOf(alias);
    const session = this.sessionOf(alias);
    if (session.state === 'connected') return;
    if (session.connecting) return session.connecting;
    if (session.timer !== undefined) this.clock.clearTimeout(session.timer);
    session.timer = undefined;
    session.connecting = this.attempt(session, server).finally(() => {
      session.connecting = undefined;
    });
    return session.connecting;
  }

  async listTools(alias: string): Promise<McpToolInfo[]> {
    const session = await this.ready(alias);
    return session.tools;
  }

  /** The server's resources (empty when it does not offer any); connects an idle session like `listTools`. */
  async listResources(alias: string): Promise<McpResourceInfo[]> {
    return (await this.ready(alias)).resources;
  }

  /** The server's prompts (empty when it does not offer any); connects an idle session like `listTools`. */
  async listPrompts(alias: string): Promise<McpPromptInfo[]> {
    return (await this.ready(alias)).prompts;
  }

  /** The tool's listing, or undefined when the server does not list it. */
  async tool(alias: string, name: string): Promise<McpToolInfo | undefined> {
    return (await this.listTools(alias)).find((tool) => tool.name === name);
  }

  /**
   * The tool's listing when FleetAI may call it; E_MCP_UNKNOWN_TOOL or E_MCP_TOOL_DISABLED otherwise. With
   * `waitForConnectionMs`, a server that is down is waited for as `callTool` does.
   */
  async requireTool(
    alias: string,
    name: string,
    options: Pick<CallToolOptions, 'waitForConnectionMs' | 'signal'> = {},
  ): Promise<McpToolInfo> {
    const server = this.serverOf(alias);
    return this.usableTool(
      await this.ready(alias, options.waitForConnectionMs, options.signal),
      server,
      name,
    );
  }

  async callTool(
    alias: string,
    name: string,
    args: Record<string, unknown>,
    options: CallToolOptions = {},
  ): Promise<CallToolResult> {
    const server = this.serverOf(alias);
    const session = await this.ready(alias, options.waitForConnectionMs, options.signal);
    this.usableTool(session, server, name);
    const client = session.client!;
    const timeout = Math.min(
      MAX_TIMER_MS,
      options.timeoutMs ?? server.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS,
    );
    const started = performance.now();
    try {
      const result = (await client.callTool({ name, arguments: args }, undefined, {
        timeout,
        ...(options.signal ? { signal: options.signal } : {}),
      })) as CallToolResult;
      // Servers of the 2024-10-07 protocol answer `toolResult` without `content`: the output keeps one shape.
      result.content ??= [];
      const record: McpInvokeRecord = {
        alias,
        tool: name,
        durationMs: performance.now() - started,
        resultBytes: JSON.stringify(result).length,
        isError: result.isError === true,
      };
      this.logInvoke(record, args, session.secrets);
      this.emitter.emit('invoke', record);
      return result;
    } catch (error) {
      const failure = this.callFailure(session, name, error, timeout, options.signal);
      // Over HTTP nothing tells the bridge a server went away until a request fails: treat that as the loss.
      if (
        failure.code === McpErrorCode.Disconnected &&
        session.client === client &&
        session.state === 'connected'
      ) {
        this.lost(session, this.describe(session, error));
        void client.close().catch(() => undefined);
      }
      const record: McpInvokeRecord = {
        alias,
        tool: name,
        durationMs: performance.now() - started,
        resultBytes: 0,
        isError: false,
        error: { code: failure.code, message: failure.message },
      };
      this.logInvoke(record, args, session.secrets);
      this.emitter.emit('invoke', record);
      throw failure;
    }
  }

  /** Every call, whoever made it (plans, the CLI, the supervisor), as one `mcp.tool.invoke` line in the app log. */
  private logInvoke(
    record: McpInvokeRecord,
    args: Record<string, unknown>,
    secrets: readonly string[],
  ): void {
    const log = this.options.log;
    if (!log) return;
    const context = {
      alias: record.alias,
      tool: record.tool,
      arguments: argsForLog(args, secrets),
      duration_ms: Math.round(record.durationMs * 100) / 100,
      result_bytes: record.resultBytes,
      is_error: record.isError,
      ...(record.error ? { error: record.error } : {}),
    };
    log.log(record.error || record.isError ? 'warn' : 'info', 'mcp', 'mcp.tool.invoke', context);
  }

  /** Drops the session (if any) and connects again now: the MCP Servers view's and `fleet mcp:reconnect`'s action. */
  async reconnect(alias: string): Promise<void> {
    this.serverOf(alias);
    const session = this.sessionOf(alias);
    if (session.timer !== undefined) this.clock.clearTimeout(session.timer);
    session.timer = undefined;
    if (session.connecting) await session.connecting.catch(() => undefined);
    if (session.client) await this.drop(session, 'disconnected');
    session.failures = 0;
    await this.connect(alias);
  }

  /**
   * Turns one server off for this bridge's life (the files stay as they are): its session ends (a stdio server's
   * process stops), no reconnect is scheduled, and calls fail with E_MCP_SERVER_DISABLED until `enable`.
   */
  async disable(alias: string): Promise<void> {
    this.knownAlias(alias);
    const session = this.sessionOf(alias);
    if (session.disabled) return;
    session.disabled = true;
    await this.drop(session, 'disabled');
    session.tools = [];
    session.resources = [];
    session.prompts = [];
  }

  /** Undoes `disable`: the session is `idle` again and connects on next use (or `connect`). */
  enable(alias: string): void {
    this.knownAlias(alias);
    const session = this.sessions.get(alias);
    if (!session?.disabled) return;
    session.disabled = false;
    session.failures = 0;
    this.setState(session, 'idle');
  }

  /**
   * Reads the servers files again and applies the difference without touching the rest: a removed (or now
   * broken) alias's session closes, a changed one's closes and reconnects if it was in use, an added one
   * connects on first use like any other. Servers turned off by `disable` stay off.
   */
  async reload(): Promise<McpReloadResult> {
    if (this.closed) throw this.closedError('*');
    const next = await loadMcpConfig({
      workspace: this.options.workspace,
      ...(this.options.shippedConfig === undefined ? {} : { shippedConfig: this.options.shippedConfig }),
    });
    for (const problem of next.problems)
      this.options.log?.warn('mcp', 'config_problem', {
        file: problem.file,
        ...(problem.alias === undefined ? {} : { alias: problem.alias }),
        ...(problem.field === undefined ? {} : { field: problem.field }),
        message: problem.message,
      });
    const before = this.configValue.servers;
    const result: McpReloadResult = { added: [], removed: [], changed: [], unchanged: [] };
    for (const alias of [...new Set([...before.keys(), ...next.servers.keys()])].sort()) {
      const old = before.get(alias);
      const now = next.servers.get(alias);
      if (!old) result.added.push(alias);
      else if (!now) result.removed.push(alias);
      else if (JSON.stringify(old) !== JSON.stringify(now)) result.changed.push(alias);
      else result.unchanged.push(alias);
    }
    this.configValue = next;
    for (const alias of result.removed) {
      const session = this.sessions.get(alias);
      if (!session) continue;
      await this.drop(session, 'disconnected');
      this.sessions.delete(alias);
    }
    for (const alias of result.changed) {
      const session = this.sessions.get(alias);
      if (!session || session.disabled) continue;
      const inUse = session.state !== 'idle';
      await this.drop(session, 'idle');
      session.failures = 0;
      session.tools = [];
      session.resources = [];
      session.prompts = [];
      // A failure is logged and retried by the bridge itself; the reload does not wait for the handshake.
      if (inUse && !next.servers.get(alias)?.disabled) this.connect(alias).catch(() => undefined);
    }
    this.options.log?.info('mcp', 'config_reloaded', { ...result });
    this.emitter.emit('config', result);
    return result;
  }

  /** Ends a session's client (and cancels its reconnect) and puts it in `state`; an attempt in flight is dropped. */
  private async drop(session: Session, state: McpServerState): Promise<void> {
    if (session.timer !== undefined) this.clock.clearTimeout(session.timer);
    session.timer = undefined;
    session.generation++;
    const client = session.client;
    session.client = undefined;
    session.transport = undefined;
    this.setState(session, state);
    await client?.close().catch(() => undefined);
  }

  /** E_MCP_UNKNOWN_SERVER unless the alias is configured (usable or switched off in its file). */
  private knownAlias(alias: string): void {
    if (this.configValue.servers.has(alias) || this.configValue.broken.has(alias)) return;
    this.serverOf(alias);
  }

  private usableTool(session: Session, server: McpServerConfig, name: string): McpToolInfo {
    const alias = session.alias;
    const tool = session.tools.find((t) => t.name === name);
    if (!tool) {
      const known = session.tools.map((t) => t.name);
      const list = known.slice(0, 30).join(', ') + (known.length > 30 ? ', …' : '');
      throw new McpError(
        McpErrorCode.UnknownTool,
        `${McpErrorCode.UnknownTool}: ${bilingual(
          `server "${alias}" has no tool "${name}" (it has: ${list || 'none'})`,
          `服务器 "${alias}" 没有工具 "${name}"（现有：${list || '无'}）`,
        )}`,
        { alias, tool: name },
      );
    }
    if (tool.disabled)
      throw new McpError(
        McpErrorCode.ToolDisabled,
        `${McpErrorCode.ToolDisabled}: ${bilingual(
          `tool "${name}" of server "${alias}" is in disabledTools (${server.file})`,
          `服务器 "${alias}" 的工具 "${name}" 已在 disabledTools 中禁用（${server.file}）`,
        )}`,
        { alias, tool: name },
      );
    return tool;
  }

  /** Ends every session and stops reconnecting; later calls fail with E_MCP_CLOSED. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.sessions.values()].map((session) => this.drop(session, 'disconnected')));
  }

  private serverOf(alias: string): McpServerConfig {
    if (this.closed)
      throw new McpError(
        McpErrorCode.Closed,
        `${McpErrorCode.Closed}: ${bilingual('the MCP bridge is closed', 'MCP 桥接已关闭')}`,
        { alias },
      );
    const broken = this.config.broken.get(alias);
    if (broken)
      throw new McpError(McpErrorCode.Config, broken.message, {
        alias,
        file: broken.file,
        ...(broken.field ? { field: broken.field } : {}),
      });
    const server = this.config.servers.get(alias);
    if (!server) {
      const known = this.aliases().join(', ');
      const files = this.config.files.join(', ') || 'no mcp.servers.json found';
      throw new McpError(
        McpErrorCode.UnknownServer,
        `${McpErrorCode.UnknownServer}: ${bilingual(
          `no MCP server "${alias}" (configured: ${known || 'none'}; files: ${files})`,
          `没有 MCP 服务器 "${alias}"（已配置：${known || '无'}；文件：${files}）`,
        )}`,
        { alias },
      );
    }
    if (server.disabled)
      throw new McpError(
        McpErrorCode.ServerDisabled,
        `${McpErrorCode.ServerDisabled}: ${bilingual(
          `MCP server "${alias}" is disabled in ${server.file}`,
          `MCP 服务器 "${alias}" 已在 ${server.file} 中停用`,
        )}`,
        { alias },
      );
    if (this.sessions.get(alias)?.disabled)
      throw new McpError(
        McpErrorCode.ServerDisabled,
        `${McpErrorCode.ServerDisabled}: ${bilingual(
          `MCP server "${alias}" is turned off for this session (enable it again to use it)`,
          `MCP 服务器 "${alias}" 已在本次会话中停用（重新启用后才能使用）`,
        )}`,
        { alias },
      );
    return server;
  }

  private sessionOf(alias: string): Session {
    let session = this.sessions.get(alias);
    if (!session) {
      session = {
        alias,
        state: 'idle',
        generation: 0,
        tools: [],
        resources: [],
        prompts: [],
        disabled: false,
        failures: 0,
        secrets: [],
        stderrTail: [],
      };
      this.sessions.set(alias, session);
    }
    return session;
  }

  /**
   * A connected session: connects an idle one, waits for one connecting, refuses at once one that is down, unless
   * `waitMs` asks to wait for it (then refuses once that time is over, saying it waited).
   */
  private async ready(alias: string, waitMs = 0, signal?: AbortSignal): Promise<Session> {
    this.serverOf(alias);
    const session = this.sessionOf(alias);
    if (waitMs <= 0) {
      if (session.state === 'idle') await this.connect(alias);
      else if (session.connecting) await session.connecting;
      else if (session.state !== 'connected') throw this.downError(session);
      if (session.state !== 'connected' || !session.client) throw this.downError(session);
      return session;
    }
    const started = this.clock.now();
    // A first connect (or one in flight) goes as it would without waiting; only a failure is waited out.
    if (session.state === 'idle') await this.connect(alias).catch(() => undefined);
    else if (session.connecting) await session.connecting.catch(() => undefined);
    const left = waitMs - (this.clock.now() - started);
    if (session.state !== 'connected' && left > 0) await this.waitConnected(session, left, signal);
    if (this.closed) throw this.closedError(alias);
    // Disabled or removed meanwhile: that error, not "disconnected".
    this.serverOf(alias);
    if (session.state === 'connected' && session.client) return session;
    if (signal?.aborted)
      throw new McpError(
        McpErrorCode.Timeout,
        `${McpErrorCode.Timeout}: ${bilingual(
          `the wait for MCP server "${alias}" to connect was aborted (it is ${session.state})`,
          `等待 MCP 服务器 "${alias}" 连接的过程已中止（当前 ${session.state}）`,
        )}`,
        { alias, state: session.state },
      );
    throw this.downError(session, this.clock.now() - started);
  }

  /**
   * Waits until the session is connected, `waitMs` is over (on the bridge's clock), `signal` aborts, or nothing
   * more can happen (down for good: a configuration error, disabled, closed). Connects an idle session; a
   * session waiting to reconnect keeps its schedule (the wait does not hammer the server).
   */
  private async waitConnected(session: Session, waitMs: number, signal?: AbortSignal): Promise<void> {
    let expired = false;
    let wake: (() => void) | undefined;
    const timer = this.clock.setTimeout(
      () => {
        expired = true;
        wake?.();
      },
      Math.min(MAX_TIMER_MS, waitMs),
    );
    const off = this.emitter.on('state', (event) => {
      if (event.alias === session.alias) wake?.();
    });
    const onAbort = (): void => wake?.();
    signal?.addEventListener('abort', onAbort);
    // The clock's timers do not keep the process alive (a pending reconnect must not hold the CLI open), but a
    // caller waiting for an answer must: without this `fleet mcp:call --wait` exited silently with code 0.
    const keepAlive = setInterval(() => undefined, 60_000);
    try {
      while (!expired && !this.closed && !signal?.aborted && session.state !== 'connected') {
        if (session.state === 'idle') this.connect(session.alias).catch(() => undefined);
        else if (session.state === 'disabled') return;
        else if (session.state === 'disconnected' && session.timer === undefined && !session.connecting)
          return;
        // connect() may have succeeded synchronously-fast (already connected by another caller).
        if ((session.state as McpServerState) === 'connected') return;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
    } finally {
      clearInterval(keepAlive);
      this.clock.clearTimeout(timer);
      off();
      signal?.removeEventListener('abort', onAbort);
    }
  }

  private downError(session: Session, waitedMs?: number): McpError {
    const wait =
      session.nextAttemptAt === undefined
        ? undefined
        : Math.max(0, Math.ceil((session.nextAttemptAt - this.clock.now()) / 1000));
    const why = session.lastError ? ` (${session.lastError})` : '';
    const waited = waitedMs === undefined ? '' : ` after waiting ${Math.round(waitedMs / 100) / 10} s`;
    const waitedZh = waitedMs === undefined ? '' : `（已等待 ${Math.round(waitedMs / 100) / 10} 秒）`;
    return new McpError(
      McpErrorCode.Disconnected,
      `${McpErrorCode.Disconnected}: ${bilingual(
        `MCP server "${session.alias}" is ${session.state}${waited}${why}${wait === undefined ? '' : `; next attempt in ${wait} s`}`,
        `MCP 服务器 "${session.alias}" 未连接（${session.state}）${waitedZh}${why}${wait === undefined ? '' : `；${wait} 秒后重试`}`,
      )}`,
      {
        alias: session.alias,
        state: session.state,
        ...(session.nextAttemptAt === undefined
          ? {}
          : { nextRetryAt: new Date(session.nextAttemptAt).toISOString() }),
      },
    );
  }

  private setState(session: Session, state: McpServerState, error?: string): void {
    const previous = session.state;
    session.state = state;
    if (error !== undefined) session.lastError = error;
    if (state !== 'reconnecting') session.nextAttemptAt = undefined;
    if (previous === state && state !== 'reconnecting') return;
    // Every host gets the cycle in its app log (`fleet log`, the MCP Servers view's "open log").
    this.options.log?.log(
      state === 'disconnected' || state === 'reconnecting' ? 'warn' : 'info',
      'mcp',
      'bridge.state-change',
      {
        alias: session.alias,
        from: previous,
        to: state,
        ...(error === undefined ? {} : { error }),
        ...(session.nextAttemptAt === undefined
          ? {}
          : { next_retry_at: new Date(session.nextAttemptAt).toISOString() }),
        // What the (re)connect found: a reconnect that lost tools, resources or prompts shows here.
        ...(state === 'connected'
          ? {
              tools: session.tools.length,
              resources: session.resources.length,
              prompts: session.prompts.length,
            }
          : {}),
      },
    );
    this.emitter.emit('state', {
      alias: session.alias,
      state,
      previous,
      ...(error === undefined ? {} : { error }),
      ...(session.nextAttemptAt === undefined ? {} : { nextAttemptAt: session.nextAttemptAt }),
    });
  }

  private async attempt(session: Session, configured: McpServerConfig): Promise<void> {
    const generation = ++session.generation;
    this.setState(session, 'connecting');
    let resolved;
    try {
      resolved = resolveSecrets(configured, this.options.env ?? process.env);
    } catch (error) {
      // A missing variable will not appear by itself in this process: no retry.
      const message = error instanceof Error ? error.message : String(error);
      this.setState(session, 'disconnected', message);
      throw error;
    }
    const server = resolved.server;
    session.secrets = resolved.secrets;
    session.stderrTail = [];
    const transport = this.transportFor(session, server);
    const client = new Client({ name: 'fleetai', version: fleetVersion }, { capabilities: {} });
    client.onclose = () => {
      if (generation === session.generation && session.state === 'connected')
        this.lost(session, 'the connection closed');
    };
    // Set before the handshake: a server may change its lists right after it (server-everything registers its
    // conditional tools then), and a notification without a handler is dropped.
    const changedEarly = new Set<ListKind>();
    const relist = async (kind: ListKind): Promise<void> => {
      if (generation !== session.generation) return;
      try {
        if (kind === 'tools') {
          const tools = await this.fetchTools(client, configured);
          if (generation !== session.generation) return;
          session.tools = tools;
          this.emitter.emit('tools', { alias: session.alias, tools });
        } else if (kind === 'resources') {
          const resources = await this.fetchResources(client);
          if (generation !== session.generation) return;
          session.resources = resources;
          this.emitter.emit('resources', { alias: session.alias, resources });
        } else {
          const prompts = await this.fetchPrompts(client);
          if (generation !== session.generation) return;
          session.prompts = prompts;
          this.emitter.emit('prompts', { alias: session.alias, prompts });
        }
      } catch (error) {
        this.options.log?.warn('mcp', 'relist_failed', {
          alias: session.alias,
          list: kind,
          error: redact(error instanceof Error ? error.message : String(error), session.secrets),
        });
      }
    };
    const onChanged = async (kind: ListKind): Promise<void> => {
      // While connecting, the list fetched after the handshake may be older than this notice: fetch again then.
      if (session.client !== client) changedEarly.add(kind);
      else await relist(kind);
    };
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => onChanged('tools'));
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => onChanged('resources'));
    client.setNotificationHandler(PromptListChangedNotificationSchema, () => onChanged('prompts'));
    client.onerror = (error) => {
      this.options.log?.debug('mcp', 'transport_error', {
        alias: session.alias,
        error: redact(error.message, session.secrets),
      });
    };
    try {
      await client.connect(transport, { timeout: server.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS });
      const capabilities = client.getServerCapabilities();
      const tools = capabilities?.tools ? await this.fetchTools(client, server) : [];
      // A server whose resources or prompts cannot be listed still serves its tools: logged, not fatal.
      const resources = capabilities?.resources
        ? await this.fetchResources(client).catch((error: unknown) =>
            this.listFailed(session, 'resources', error),
          )
        : [];
      const prompts = capabilities?.prompts
        ? await this.fetchPrompts(client).catch((error: unknown) =>
            this.listFailed(session, 'prompts', error),
          )
        : [];
      if (generation !== session.generation) {
        await client.close().catch(() => undefined);
        throw this.closed ? this.closedError(session.alias) : this.downError(session);
      }
      session.client = client;
      session.transport = transport;
      session.tools = tools;
      session.resources = resources;
      session.prompts = prompts;
      session.failures = 0;
      this.setState(session, 'connected');
      this.emitter.emit('tools', { alias: session.alias, tools });
      this.emitter.emit('resources', { alias: session.alias, resources });
      this.emitter.emit('prompts', { alias: session.alias, prompts });
      for (const kind of changedEarly) await relist(kind);
    } catch (error) {
      await client.close().catch(() => undefined);
      if (isMcpError(error)) throw error;
      const reason = this.describe(session, error);
      const failure = new McpError(
        McpErrorCode.Connect,
        `${McpErrorCode.Connect}: ${bilingual(
          `cannot connect to MCP server "${session.alias}": ${reason}`,
          `无法连接 MCP 服务器 "${session.alias}"：${reason}`,
        )}`,
        { alias: session.alias },
        { cause: error },
      );
      if (generation === session.generation && !this.closed) this.scheduleReconnect(session, reason);
      throw failure;
    }
  }

  private lost(session: Session, why: string): void {
    session.generation++;
    session.client = undefined;
    session.transport = undefined;
    const reason =
      session.stderrTail.length > 0 ? `${why}; stderr: ${session.stderrTail.slice(-3).join(' | ')}` : why;
    this.setState(session, 'disconnected', redact(reason, session.secrets));
    if (!this.closed) this.scheduleReconnect(session, reason);
  }

  private scheduleReconnect(session: Session, reason: string): void {
    session.failures++;
    const delay = reconnectDelay(
      session.failures,
      this.random(),
      this.options.reconnect?.baseMs,
      this.options.reconnect?.maxMs,
    );
    session.nextAttemptAt = this.clock.now() + delay;
    const generation = session.generation;
    session.timer = this.clock.setTimeout(() => {
      session.timer = undefined;
      if (generation !== session.generation || this.closed) return;
      // A failure schedules the next attempt itself; nobody awaits this one.
      this.connect(session.alias).catch(() => undefined);
    }, delay);
    this.setState(session, 'reconnecting', redact(reason, session.secrets));
  }

  private transportFor(session: Session, server: McpServerConfig): Transport {
    if (server.type === 'stdio') {
      const transport = new StdioClientTransport({
        command: server.command,
        args: server.args,
        // Only a minimal environment plus what the entry names: the server does not get FleetAI's secrets.
        env: { ...getDefaultEnvironment(), ...server.env },
        cwd: path.resolve(this.options.workspace, server.cwd ?? '.'),
        stderr: 'pipe',
      });
      transport.stderr?.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString('utf8').split(/\r?\n/)) {
          if (!line.trim()) continue;
          session.stderrTail.push(redact(line, session.secrets).slice(0, 500));
          if (session.stderrTail.length > STDERR_LINES) session.stderrTail.shift();
        }
      });
      return transport;
    }
    const requestInit: RequestInit = { headers: server.headers };
    if (server.type === 'sse') return new SSEClientTransport(new URL(server.url), { requestInit });
    return new StreamableHTTPClientTransport(new URL(server.url), { requestInit });
  }

  private async fetchTools(client: Client, server: McpServerConfig): Promise<McpToolInfo[]> {
    const tools = await paginate(async (cursor) => {
      const listed = await client.listTools(cursor === undefined ? undefined : { cursor });
      return { items: listed.tools, nextCursor: listed.nextCursor };
    });
    return tools.map((tool) => ({
      name: tool.name,
      ...(tool.title === undefined ? {} : { title: tool.title }),
      ...(tool.description === undefined ? {} : { description: tool.description }),
      inputSchema: tool.inputSchema,
      ...(tool.annotations === undefined ? {} : { annotations: tool.annotations }),
      disabled: server.disabledTools.includes(tool.name),
      alwaysAllow: server.alwaysAllow.includes(tool.name),
      risk: toolRisk(tool, server),
    }));
  }

  private fetchResources(client: Client): Promise<McpResourceInfo[]> {
    return paginate(async (cursor) => {
      const listed = await client.listResources(cursor === undefined ? undefined : { cursor });
      return { items: listed.resources, nextCursor: listed.nextCursor };
    });
  }

  private fetchPrompts(client: Client): Promise<McpPromptInfo[]> {
    return paginate(async (cursor) => {
      const listed = await client.listPrompts(cursor === undefined ? undefined : { cursor });
      return { items: listed.prompts, nextCursor: listed.nextCursor };
    });
  }

  private listFailed(session: Session, list: ListKind, error: unknown): never[] {
    this.options.log?.warn('mcp', 'list_failed', {
      alias: session.alias,
      list,
      error: redact(error instanceof Error ? error.message : String(error), session.secrets),
    });
    return [];
  }

  private describe(session: Session, error: unknown): string {
    let message = error instanceof Error ? error.message : String(error);
    // fetch says only "fetch failed"; the reason (ECONNREFUSED...) is in its cause.
    const cause = error instanceof Error ? (error.cause as { code?: unknown } | undefined) : undefined;
    if (typeof cause?.code === 'string' && !message.includes(cause.code)) message += ` (${cause.code})`;
    const tail = session.stderrTail.length > 0 ? `; stderr: ${session.stderrTail.slice(-3).join(' | ')}` : '';
    return redact(`${message}${tail}`, session.secrets);
  }

  private closedError(alias: string): McpError {
    return new McpError(
      McpErrorCode.Closed,
      `${McpErrorCode.Closed}: ${bilingual('the MCP bridge is closed', 'MCP 桥接已关闭')}`,
      { alias },
    );
  }

  private callFailure(
    session: Session,
    tool: string,
    error: unknown,
    timeout: number,
    signal: AbortSignal | undefined,
  ): McpError {
    const alias = session.alias;
    const reason = this.describe(session, error);
    if (signal?.aborted || (error instanceof RpcError && error.code === RPC_REQUEST_TIMEOUT)) {
      const what = signal?.aborted ? 'was aborted' : `took longer than ${timeout} ms`;
      const whatZh = signal?.aborted ? '已中止' : `超过 ${timeout} 毫秒`;
      return new McpError(
        McpErrorCode.Timeout,
        `${McpErrorCode.Timeout}: ${bilingual(
          `tool "${tool}" of MCP server "${alias}" ${what}`,
          `MCP 服务器 "${alias}" 的工具 "${tool}" ${whatZh}`,
        )}`,
        { alias, tool, outcome: 'unknown' },
        { cause: error },
      );
    }
    if (error instanceof RpcError && error.code === RPC_CONNECTION_CLOSED)
      return new McpError(
        McpErrorCode.Disconnected,
        `${McpErrorCode.Disconnected}: ${bilingual(
          `MCP server "${alias}" went away during the call to "${tool}": ${reason}`,
          `调用 "${tool}" 期间 MCP 服务器 "${alias}" 断开：${reason}`,
        )}`,
        { alias, tool, outcome: 'unknown' },
        { cause: error },
      );
    if (error instanceof RpcError)
      return new McpError(
        McpErrorCode.Call,
        `${McpErrorCode.Call}: ${bilingual(
          `tool "${tool}" of MCP server "${alias}" failed: ${reason}`,
          `MCP 服务器 "${alias}" 的工具 "${tool}" 调用失败：${reason}`,
        )}`,
        // A JSON-RPC error is the server's answer: the call is over.
        { alias, tool, outcome: 'failed' },
        { cause: error },
      );
    // Anything else is the transport failing (fetch failed, HTTP 5xx, not connected): the outcome is open.
    return new McpError(
      McpErrorCode.Disconnected,
      `${McpErrorCode.Disconnected}: ${bilingual(
        `MCP server "${alias}" could not be reached for "${tool}": ${reason}`,
        `调用 "${tool}" 时无法连接 MCP 服务器 "${alias}"：${reason}`,
      )}`,
      { alias, tool, outcome: 'unknown' },
      { cause: error },
    );
  }
}
