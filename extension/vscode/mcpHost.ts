import * as vscode from 'vscode';
import type { McpBridge, McpConfigProblem, McpServerState, McpToolInfo } from '../core/mcp';
import type { McpControl, McpControlOptions } from '../core/mcp/mcpControl';
import type { Logger } from '../core/observability/appLog';
import type { McpRowState } from './mcpText';

export interface McpHostOptions {
  /** The window's workspace folder; without one there is no `.fleetai/mcp.servers.json`. */
  folder: string | undefined;
  /** FleetAI's own `config/mcp.servers.json`. */
  shippedConfig: string;
  log: Logger;
}

/** One configured server as the view shows it. */
export interface McpServerRow {
  alias: string;
  state: McpRowState;
  /** `stdio`, `http` or `sse`; missing for a broken entry. */
  transport?: string;
  /** The file the entry comes from. */
  file: string;
  description?: string;
  lastError?: string;
  nextAttemptAt?: number;
  pid?: number;
  /** Tools listed by the server, while connected. */
  tools?: McpToolInfo[];
  /** How many resources and prompts the server lists, while connected. */
  resources?: number;
  prompts?: number;
  /** The problem of a broken entry (names file, alias and field). */
  problem?: McpConfigProblem;
  /** Turned off for this window's session (not in the file). */
  sessionDisabled: boolean;
}

/**
 * The window's MCP bridge (one per workspace folder): opened when the MCP Servers view or an MCP command first
 * needs it, closed at deactivation. "Disable for this session" ends that server's session only
 * (`bridge.disable`), "Enable" connects it again, and "Refresh" re-reads the servers files into the same bridge
 * (`bridge.reload`): only servers whose entry changed reconnect, the others keep their session and process.
 */
export class McpHost implements vscode.Disposable {
  private bridgeValue: McpBridge | undefined;
  private opening: Promise<McpBridge | undefined> | undefined;
  private unsubscribe: (() => void)[] = [];
  private readonly tools = new Map<string, McpToolInfo[]>();
  private readonly sessionDisabled = new Set<string>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a server's state, tools or the configuration changed (the view refreshes). */
  readonly onDidChange = this.changed.event;
  private countdown: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(private readonly options: McpHostOptions) {}

  /** The bridge, opened (and every enabled server connecting) on first use; undefined without a folder. */
  async bridge(): Promise<McpBridge | undefined> {
    if (this.bridgeValue) return this.bridgeValue;
    this.opening ??= this.open().finally(() => {
      this.opening = undefined;
    });
    return this.opening;
  }

  /** The bridge if it is already open (for synchronous readers such as the tree). */
  current(): McpBridge | undefined {
    return this.bridgeValue;
  }

  private async open(): Promise<McpBridge | undefined> {
    const folder = this.options.folder;
    if (!folder || this.disposed) return undefined;
    const { openMcpBridge } = await import('../core/mcp');
    const bridge = await openMcpBridge({
      workspace: folder,
      shippedConfig: this.options.shippedConfig,
      log: this.options.log,
    });
    if (this.disposed) {
      await bridge.close();
      return undefined;
    }
    this.bridgeValue = bridge;
    this.unsubscribe = [
      bridge.on('state', (event) => {
        if (event.state !== 'connected') this.tools.delete(event.alias);
        this.onStateChange();
      }),
      bridge.on('tools', ({ alias, tools }) => {
        this.tools.set(alias, tools);
        this.changed.fire();
      }),
      bridge.on('resources', () => this.changed.fire()),
      bridge.on('prompts', () => this.changed.fire()),
      bridge.on('config', () => {
        // Added servers connect now, as at open, so the view shows their state.
        this.connectEnabled(bridge);
        this.onStateChange();
      }),
    ];
    // Turned off here before the bridge opened: the bridge refuses them too (fleet mcp:*, plans).
    for (const alias of this.sessionDisabled)
      if (bridge.config.servers.has(alias)) await bridge.disable(alias);
    this.changed.fire();
    this.connectEnabled(bridge);
    return bridge;
  }

  /** Starts a connection to each usable server that is not turned off; failures show in the view. */
  private connectEnabled(bridge: McpBridge): void {
    for (const [alias, server] of bridge.config.servers) {
      if (server.disabled || this.sessionDisabled.has(alias)) continue;
      if (bridge.state(alias) === 'idle') bridge.connect(alias).catch(() => undefined);
    }
  }

  /**
   * Re-reads the servers files into the open bridge: removed servers close, changed ones reconnect, added ones
   * connect; the others keep their session. Opens the bridge if it is not open yet.
   */
  async reload(): Promise<McpBridge | undefined> {
    const bridge = this.bridgeValue;
    if (!bridge) return this.bridge();
    await bridge.reload();
    // A server turned off here that is gone from the files is forgotten.
    for (const alias of [...this.sessionDisabled])
      if (!bridge.config.servers.has(alias)) this.sessionDisabled.delete(alias);
    for (const alias of [...this.tools.keys()])
      if (bridge.state(alias) !== 'connected') this.tools.delete(alias);
    this.changed.fire();
    return bridge;
  }

  isSessionDisabled(alias: string): boolean {
    return this.sessionDisabled.has(alias);
  }

  /** Turns a server off (or on again) for this window until it reloads; the files stay as they are. */
  async setSessionDisabled(alias: string, disabled: boolean): Promise<void> {
    if (disabled === this.sessionDisabled.has(alias)) return;
    if (disabled) this.sessionDisabled.add(alias);
    else this.sessionDisabled.delete(alias);
    this.options.log.info('mcp', disabled ? 'session_disabled' : 'session_enabled', { alias });
    // Only this server's session (and process) ends or starts again: the others are not touched.
    const bridge = this.bridgeValue;
    if (bridge?.config.servers.has(alias)) {
      if (disabled) await bridge.disable(alias);
      else {
        bridge.enable(alias);
        if (!bridge.config.servers.get(alias)?.disabled) bridge.connect(alias).catch(() => undefined);
      }
    }
    this.changed.fire();
  }

  /** Every configured alias (usable, turned off and broken), then problems of whole files. */
  rows(): { servers: McpServerRow[]; fileProblems: McpConfigProblem[] } {
    const bridge = this.bridgeValue;
    if (!bridge) return { servers: [], fileProblems: [] };
    const servers: McpServerRow[] = [];
    for (const [alias, server] of bridge.config.servers) {
      const sessionDisabled = this.sessionDisabled.has(alias);
      const status = bridge.status(alias);
      const state: McpRowState = server.disabled || sessionDisabled ? 'disabled' : status.state;
      servers.push({
        alias,
        state,
        transport: server.type,
        file: server.file,
        sessionDisabled,
        ...(server.description === undefined ? {} : { description: server.description }),
        ...(status.lastError === undefined ? {} : { lastError: status.lastError }),
        ...(state === 'reconnecting' && status.nextAttemptAt !== undefined
          ? { nextAttemptAt: status.nextAttemptAt }
          : {}),
        ...(status.pid === undefined ? {} : { pid: status.pid }),
        ...(state === 'connected'
          ? { tools: this.tools.get(alias) ?? [], resources: status.resources, prompts: status.prompts }
          : {}),
      });
    }
    for (const [alias, problem] of bridge.config.broken)
      servers.push({ alias, state: 'broken', file: problem.file, problem, sessionDisabled: false });
    servers.sort((a, b) => a.alias.localeCompare(b.alias));
    const fileProblems = bridge.config.problems.filter((p) => p.alias === undefined);
    return { servers, fileProblems };
  }

  row(alias: string): McpServerRow | undefined {
    return this.rows().servers.find((r) => r.alias === alias);
  }

  /** The state as the bridge has it (`idle` before it opened). */
  state(alias: string): McpServerState {
    return this.bridgeValue?.state(alias) ?? 'idle';
  }

  /** While a server waits to reconnect, the countdown in its row ticks once a second; otherwise no timer runs. */
  private onStateChange(): void {
    const waiting = this.rows().servers.some((r) => r.state === 'reconnecting');
    if (waiting && !this.countdown) this.countdown = setInterval(() => this.onStateChange(), 1000);
    else if (!waiting && this.countdown) {
      clearInterval(this.countdown);
      this.countdown = undefined;
    }
    this.changed.fire();
  }

  private async closeBridge(): Promise<void> {
    const bridge = this.bridgeValue;
    this.bridgeValue = undefined;
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
    this.tools.clear();
    if (this.countdown) clearInterval(this.countdown);
    this.countdown = undefined;
    await bridge?.close();
  }

  /**
   * What the window's supervisor answers `fleet mcp:*` with (control methods `mcp.*`): the same sessions as the
   * view, and a server turned off here is off for the terminal too. Opens the bridge first.
   */
  async control(approvals: McpControlOptions['approvals']): Promise<McpControl | undefined> {
    if (!(await this.bridge())) return undefined;
    const { mcpControl } = await import('../core/mcp/mcpControl');
    const { bilingual, McpError, McpErrorCode } = await import('../core/mcp/mcpErrors');
    const over = (params?: unknown): McpControl => {
      const bridge = this.bridgeValue;
      const alias = (params as { alias?: unknown } | undefined)?.alias;
      if (!bridge || (typeof alias === 'string' && this.sessionDisabled.has(alias)))
        throw new McpError(
          McpErrorCode.ServerDisabled,
          `${McpErrorCode.ServerDisabled}: ${bilingual(
            `MCP server "${String(alias)}" is turned off (or reloading) in the VS Code window`,
            `MCP 服务器 "${String(alias)}" 已在 VS Code 窗口中停用（或正在重新加载）`,
          )}`,
          typeof alias === 'string' ? { alias } : {},
        );
      return mcpControl({ bridge, ...(approvals ? { approvals } : {}), log: this.options.log });
    };
    return {
      list: () =>
        this.bridgeValue
          ? over()
              .list()
              .map((s) => (this.sessionDisabled.has(s.alias) ? { ...s, state: 'disabled' as const } : s))
          : [],
      tools: (params) => over(params).tools(params),
      call: (params) => over(params).call(params),
      reconnect: (params) => over(params).reconnect(params),
    };
  }

  /** Ends every session (and stdio server process); awaited at deactivation. */
  async close(): Promise<void> {
    this.disposed = true;
    await this.opening?.catch(() => undefined);
    await this.closeBridge();
  }

  dispose(): void {
    void this.close();
    this.changed.dispose();
  }
}
