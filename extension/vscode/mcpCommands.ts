import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { SupervisorAnswer } from '../core/control/controlClient';
import type { McpToolInfo } from '../core/mcp';
import { describeError, ErrorCode } from '../core/errors';
import { workspacePaths } from '../core/workspacePaths';
import type { Logger } from '../core/observability/appLog';
import { riskLabel } from './approvalWords';
import type { McpHost } from './mcpHost';
import { mcpStateLabel } from './mcpServersTree';
import { argsTemplate, docSlug, mcpLogLines, mcpToolNeedsApproval, parseToolArgs } from './mcpText';

/** A risky call waits for a decision (the supervisor waits up to 10 minutes), then runs: the socket waits longer. */
const APPROVED_CALL_TIMEOUT_MS = 15 * 60_000;

/** Read-only documents (tool schemas, call results, filtered logs) live under this scheme, not on disk. */
export const MCP_DOC_SCHEME = 'fleetai-mcp';

export interface McpCommandDeps {
  host: McpHost;
  log: Logger;
  appLogPath: string;
}

/** The alias a command got: from a view row (`{alias}`), a string argument, or nothing. */
function aliasOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg) return arg;
  if (typeof arg === 'object' && arg !== null && typeof (arg as { alias?: unknown }).alias === 'string')
    return (arg as { alias: string }).alias;
  return undefined;
}

/** Registers the MCP commands and the read-only document provider they show results in. */
export function registerMcpCommands(deps: McpCommandDeps): vscode.Disposable[] {
  const docs = new ReadOnlyDocs();
  let shown = 0;
  const show = async (name: string, text: string, language: string): Promise<void> => {
    const uri = docs.set(`${++shown}/${docSlug(name)}`, text);
    let document = await vscode.workspace.openTextDocument(uri);
    // An older VS Code without the language keeps plain text.
    document = await vscode.languages.setTextDocumentLanguage(document, language).then(
      (d) => d,
      () => document,
    );
    await vscode.window.showTextDocument(document, { preview: true });
  };
  const commands = new McpCommands(deps, show);
  return [
    vscode.workspace.registerTextDocumentContentProvider(MCP_DOC_SCHEME, docs),
    docs,
    vscode.commands.registerCommand('fleetai.mcpRefresh', () => commands.refresh()),
    vscode.commands.registerCommand('fleetai.mcpReconnect', (arg?: unknown) => commands.reconnect(arg)),
    vscode.commands.registerCommand('fleetai.mcpDisable', (arg?: unknown) => commands.setDisabled(arg, true)),
    vscode.commands.registerCommand('fleetai.mcpEnable', (arg?: unknown) => commands.setDisabled(arg, false)),
    vscode.commands.registerCommand('fleetai.mcpOpenLog', (arg?: unknown) => commands.openLog(arg)),
    vscode.commands.registerCommand('fleetai.mcpListTools', (arg?: unknown) => commands.listTools(arg)),
    vscode.commands.registerCommand('fleetai.mcpCallTool', (arg?: unknown, tool?: unknown, args?: unknown) =>
      commands.callTool(arg, tool, args),
    ),
  ];
}

class McpCommands {
  constructor(
    private readonly deps: McpCommandDeps,
    private readonly show: (name: string, text: string, language: string) => Promise<void>,
  ) {}

  /** Re-reads the servers files (after an edit): only servers whose entry changed reconnect. Returns the aliases. */
  async refresh(): Promise<string[]> {
    await this.deps.host.reload();
    return this.deps.host.rows().servers.map((r) => r.alias);
  }

  async reconnect(arg: unknown): Promise<boolean> {
    const alias = aliasOf(arg) ?? (await this.pickAlias(vscode.l10n.t('Reconnect which MCP server?'), false));
    if (!alias) return false;
    const bridge = await this.deps.host.bridge();
    const row = this.deps.host.row(alias);
    if (!bridge || !row) return this.unknown(alias);
    if (row.state === 'disabled' || row.state === 'broken') {
      void vscode.window.showWarningMessage(
        vscode.l10n.t(
          'MCP server {0} is {1}: enable it or fix its entry first.',
          alias,
          mcpStateLabel(row.state),
        ),
      );
      return false;
    }
    this.deps.log.info('mcp', 'reconnect_requested', { alias, by: 'vscode' });
    try {
      await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: vscode.l10n.t('Connecting to MCP server {0}…', alias),
        },
        // Drops a live session too: a server that answers badly is started afresh.
        () => bridge.reconnect(alias),
      );
      return true;
    } catch (error) {
      void vscode.window.showErrorMessage(describeError(error));
      return false;
    }
  }

  async setDisabled(arg: unknown, disabled: boolean): Promise<boolean> {
    const alias =
      aliasOf(arg) ??
      (await this.pickAlias(
        disabled
          ? vscode.l10n.t('Disable which MCP server for this session?')
          : vscode.l10n.t('Enable which MCP server?'),
        false,
      ));
    if (!alias) return false;
    await this.deps.host.bridge();
    if (!this.deps.host.row(alias)) return this.unknown(alias);
    await this.deps.host.setSessionDisabled(alias, disabled);
    return true;
  }

  /** The log's MCP lines about `alias` (or about every server), in a read-only editor. Returns the lines. */
  async openLog(arg: unknown): Promise<string[]> {
    const alias = aliasOf(arg);
    await this.deps.log.flush();
    let text = '';
    try {
      text = await fs.readFile(this.deps.appLogPath, 'utf8');
    } catch (error) {
      void vscode.window.showErrorMessage(
        vscode.l10n.t('FleetAI could not open its log {0}: {1}', this.deps.appLogPath, describeError(error)),
      );
      return [];
    }
    const lines = mcpLogLines(text, alias);
    const body =
      lines.length > 0
        ? lines.join('\n')
        : alias === undefined
          ? vscode.l10n.t('The log has no MCP lines yet.')
          : vscode.l10n.t('The log has no lines about MCP server {0} yet.', alias);
    await this.show(`${alias ?? 'mcp'}.log.jsonl`, `${body}\n`, lines.length > 0 ? 'jsonl' : 'plaintext');
    return lines;
  }

  /** Quick pick of a server, then of its tools; the chosen tool's description and input schema open. */
  async listTools(arg: unknown): Promise<McpToolInfo[] | undefined> {
    const alias =
      aliasOf(arg) ?? (await this.pickAlias(vscode.l10n.t('List the tools of which MCP server?'), true));
    if (!alias) return undefined;
    const tools = await this.connectedTools(alias);
    if (!tools) return undefined;
    const picked = await this.pickTool(alias, tools, vscode.l10n.t('Tools of MCP server {0}', alias));
    if (picked)
      await this.show(
        `${alias}.${picked.name}.schema.json`,
        JSON.stringify(
          {
            server: alias,
            tool: picked.name,
            ...(picked.title ? { title: picked.title } : {}),
            ...(picked.description ? { description: picked.description } : {}),
            risk: picked.risk,
            alwaysAllow: picked.alwaysAllow,
            disabled: picked.disabled,
            ...(picked.annotations ? { annotations: picked.annotations } : {}),
            inputSchema: picked.inputSchema,
          },
          null,
          2,
        ),
        'json',
      );
    return tools;
  }

  /**
   * Calls a tool: server, tool and JSON arguments from quick picks and an input box (or from the arguments, for
   * scripts and tests). A low or medium tool (or one in `alwaysAllow`) runs at once on the window's bridge; a high
   * or critical one goes through the supervisor's approvals queue (below). The result opens in a read-only
   * editor and is returned.
   */
  async callTool(arg: unknown, toolArg: unknown, argsArg: unknown): Promise<CallToolResult | undefined> {
    const alias =
      aliasOf(arg) ?? (await this.pickAlias(vscode.l10n.t('Call a tool of which MCP server?'), true));
    if (!alias) return undefined;
    const tools = await this.connectedTools(alias);
    if (!tools) return undefined;
    const tool =
      typeof toolArg === 'string'
        ? tools.find((t) => t.name === toolArg)
        : await this.pickTool(
            alias,
            tools.filter((t) => !t.disabled),
            vscode.l10n.t('Call which tool of {0}?', alias),
          );
    if (!tool) {
      if (typeof toolArg === 'string')
        void vscode.window.showErrorMessage(vscode.l10n.t('MCP server {0} has no tool {1}.', alias, toolArg));
      return undefined;
    }
    let args: Record<string, unknown>;
    if (typeof argsArg === 'string' || (typeof argsArg === 'object' && argsArg !== null)) {
      const checked = parseToolArgs(
        typeof argsArg === 'string' ? argsArg : JSON.stringify(argsArg),
        tool.inputSchema,
      );
      if (!checked.ok) {
        void vscode.window.showErrorMessage(argsProblem(checked));
        return undefined;
      }
      args = checked.args;
    } else {
      const typed = await vscode.window.showInputBox({
        title: vscode.l10n.t('Arguments of {0} ({1})', tool.name, alias),
        prompt: vscode.l10n.t('A JSON object, e.g. {0}', argsTemplate(tool.inputSchema)),
        value: argsTemplate(tool.inputSchema),
        ignoreFocusOut: true,
        validateInput: (text) => {
          const checked = parseToolArgs(text, tool.inputSchema);
          return checked.ok ? undefined : argsProblem(checked);
        },
      });
      if (typed === undefined) return undefined;
      const checked = parseToolArgs(typed, tool.inputSchema);
      if (!checked.ok) return undefined;
      args = checked.args;
    }
    if (mcpToolNeedsApproval(tool)) return this.callThroughApprovals(alias, tool, args);
    const bridge = await this.deps.host.bridge();
    if (!bridge) return undefined;
    try {
      const result = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: vscode.l10n.t('Calling {0} of MCP server {1}…', tool.name, alias),
          cancellable: true,
        },
        (_progress, token) => {
          const abort = new AbortController();
          token.onCancellationRequested(() => abort.abort());
          return bridge.callTool(alias, tool.name, args, { signal: abort.signal });
        },
      );
      await this.showResult(alias, tool.name, args, result);
      return result;
    } catch (error) {
      void vscode.window.showErrorMessage(describeError(error));
      return undefined;
    }
  }

  /**
   * A risky call asks like every other risky action: the supervisor's control method `mcp.call` (the path of
   * `fleet mcp:call`) files a request in its approvals store, so it shows in the Approvals view and its
   * notification and can be answered from anywhere (`fleet approvals:approve ID`); the supervisor runs the call
   * once approved and answers with its result. Denied or expired says so and nothing runs.
   */
  private async callThroughApprovals(
    alias: string,
    tool: McpToolInfo,
    args: Record<string, unknown>,
  ): Promise<CallToolResult | undefined> {
    const controlFile = this.controlFile();
    this.deps.log.info('mcp', 'tool_call_approval_asked', {
      alias,
      tool: tool.name,
      risk: tool.risk,
      by: 'vscode',
    });
    const ask = async (): Promise<SupervisorAnswer | undefined> => {
      if (!controlFile) return undefined;
      const { askSupervisor } = await import('../core/control/controlClient');
      return vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: vscode.l10n.t(
            'Calling {0} of MCP server {1} ({2}): waiting for approval in the Approvals view…',
            tool.name,
            alias,
            riskLabel(tool.risk),
          ),
        },
        // The supervisor waits up to 10 minutes for a decision, then the call itself: the socket waits longer.
        () =>
          askSupervisor(
            controlFile,
            'mcp.call',
            { alias, tool: tool.name, args, from: 'vscode' },
            APPROVED_CALL_TIMEOUT_MS,
          ),
      );
    };
    let answer = await ask();
    if (!answer) {
      const start = vscode.l10n.t('Start Orchestrator');
      const picked = await vscode.window.showWarningMessage(
        vscode.l10n.t(
          '{0} of MCP server {1} is {2} and not in alwaysAllow: it needs an approval, which the supervisor asks for, and no supervisor runs for this workspace.',
          tool.name,
          alias,
          riskLabel(tool.risk),
        ),
        start,
      );
      if (picked !== start) return undefined;
      await vscode.commands.executeCommand('fleetai.startOrchestrator');
      answer = await ask();
      if (!answer) return undefined;
    }
    if (!answer.ok) {
      if (answer.code === ErrorCode.McpDenied)
        void vscode.window.showWarningMessage(
          vscode.l10n.t('{0} of MCP server {1} was not approved, so it did not run.', tool.name, alias),
        );
      else void vscode.window.showErrorMessage(answer.message);
      this.deps.log.info('mcp', 'tool_call_not_run', { alias, tool: tool.name, code: answer.code });
      return undefined;
    }
    const result = answer.value as CallToolResult;
    await this.showResult(alias, tool.name, args, result);
    return result;
  }

  private async showResult(
    alias: string,
    tool: string,
    args: Record<string, unknown>,
    result: CallToolResult,
  ): Promise<void> {
    await this.show(
      `${alias}.${tool}.result.json`,
      JSON.stringify({ server: alias, tool, arguments: args, result }, null, 2),
      'json',
    );
  }

  /** The workspace's `control.json`, where a running supervisor (this window's or another) says how to reach it. */
  private controlFile(): string | undefined {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!folder) return undefined;
    const stateDirectory = vscode.workspace
      .getConfiguration('fleetai')
      .get<string>('stateDirectory', '.fleetai');
    return path.join(workspacePaths(folder, stateDirectory).stateDir, 'control.json');
  }

  /** The server's tools when it is connected (an idle one connects first); otherwise says why not. */
  private async connectedTools(alias: string): Promise<McpToolInfo[] | undefined> {
    const bridge = await this.deps.host.bridge();
    const row = this.deps.host.row(alias);
    if (!bridge || !row) {
      this.unknown(alias);
      return undefined;
    }
    if (row.state === 'idle' || row.state === 'connecting') {
      try {
        await bridge.connect(alias);
      } catch (error) {
        void vscode.window.showErrorMessage(describeError(error));
        return undefined;
      }
    }
    const now = this.deps.host.row(alias);
    if (now?.state !== 'connected') {
      void vscode.window.showWarningMessage(
        vscode.l10n.t(
          'MCP server {0} is {1}: FleetAI acts on it only while it is connected.',
          alias,
          mcpStateLabel(now?.state ?? row.state),
        ),
      );
      return undefined;
    }
    return bridge.listTools(alias);
  }

  private async pickAlias(title: string, connectedFirst: boolean): Promise<string | undefined> {
    await this.deps.host.bridge();
    const rows = this.deps.host.rows().servers;
    if (rows.length === 0) {
      void vscode.window.showInformationMessage(
        vscode.l10n.t('No MCP servers are configured. Add them to .fleetai/mcp.servers.json.'),
      );
      return undefined;
    }
    const ordered = connectedFirst
      ? [...rows].sort((a, b) => Number(b.state === 'connected') - Number(a.state === 'connected'))
      : rows;
    const picked = await vscode.window.showQuickPick(
      ordered.map((r) => ({
        label: r.alias,
        description: [mcpStateLabel(r.state), r.transport].filter(Boolean).join(' · '),
        ...(r.lastError && r.state !== 'connected' ? { detail: r.lastError } : {}),
      })),
      { title, matchOnDescription: true },
    );
    return picked?.label;
  }

  private async pickTool(
    alias: string,
    tools: McpToolInfo[],
    title: string,
  ): Promise<McpToolInfo | undefined> {
    if (tools.length === 0) {
      void vscode.window.showInformationMessage(vscode.l10n.t('MCP server {0} lists no tools.', alias));
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      tools.map((t) => ({
        label: t.name,
        description: [
          riskLabel(t.risk),
          t.alwaysAllow ? vscode.l10n.t('always allowed') : '',
          t.disabled ? vscode.l10n.t('disabled') : '',
        ]
          .filter(Boolean)
          .join(' · '),
        ...(t.description ? { detail: t.description } : {}),
        tool: t,
      })),
      { title, matchOnDescription: true, matchOnDetail: true },
    );
    return picked?.tool;
  }

  private unknown(alias: string): false {
    void vscode.window.showErrorMessage(vscode.l10n.t('No MCP server {0} is configured.', alias));
    return false;
  }
}

function argsProblem(checked: Exclude<ReturnType<typeof parseToolArgs>, { ok: true }>): string {
  switch (checked.problem) {
    case 'json':
      return vscode.l10n.t('Not valid JSON: {0}', checked.detail);
    case 'object':
      return vscode.l10n.t('The arguments must be a JSON object.');
    default:
      return vscode.l10n.t('Missing required properties: {0}', checked.detail);
  }
}

/** Text documents that only FleetAI writes: VS Code shows them read-only. */
class ReadOnlyDocs implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  set(name: string, text: string): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: MCP_DOC_SCHEME, path: `/${name}` });
    this.texts.set(uri.path, text);
    // Old documents are dropped beyond a few dozen; an open tab keeps its text in VS Code.
    if (this.texts.size > 50) this.texts.delete(this.texts.keys().next().value as string);
    this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.path) ?? '';
  }

  dispose(): void {
    this.changed.dispose();
  }
}
